import { lt, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { rateLimitCounters } from '../schema';
import { single } from './locks';

export interface CountRateLimitAttemptArgs {
  key: string;
  /** Attempts allowed per window; the stored count stops at `limit + 1` (enough to say "over"). */
  limit: number;
  windowMs: number;
  now: Date;
}

export interface RateLimitCount {
  /** Attempts counted in the current window, this one included (at most `limit + 1`). */
  count: number;
  /** When the current window ends and the count starts again from zero. */
  resetsAt: Date;
}

/**
 * Counts one attempt against `key` in a single atomic upsert, so any number of API instances on one database share
 * the quota exactly: concurrent attempts on a key serialize on its row. The window is fixed and starts at the first
 * attempt after the previous one ended. Times are bound as ISO text with a cast, which both drivers accept alike.
 */
export async function countRateLimitAttempt(db: Database, args: CountRateLimitAttemptArgs): Promise<RateLimitCount> {
  const now = sql`${args.now.toISOString()}::timestamptz`;
  const resetsAt = new Date(args.now.getTime() + args.windowMs);
  const nextReset = sql`${resetsAt.toISOString()}::timestamptz`;
  const expired = sql`${rateLimitCounters.resetsAt} <= ${now}`;
  const rows = await db
    .insert(rateLimitCounters)
    .values({ key: args.key, count: 1, resetsAt })
    .onConflictDoUpdate({
      target: rateLimitCounters.key,
      set: {
        count: sql`case when ${expired} then 1 else least(${rateLimitCounters.count} + 1, ${args.limit + 1}) end`,
        resetsAt: sql`case when ${expired} then ${nextReset} else ${rateLimitCounters.resetsAt} end`,
      },
    })
    .returning({ count: rateLimitCounters.count, resetsAt: rateLimitCounters.resetsAt });
  return single(rows, 'rate_limit_counters');
}

/** Deletes counters whose window ended before `now`; they would restart from zero anyway. Returns how many. */
export async function sweepRateLimitCounters(db: Database, now: Date): Promise<number> {
  const rows = await db
    .delete(rateLimitCounters)
    .where(lt(rateLimitCounters.resetsAt, now))
    .returning({ key: rateLimitCounters.key });
  return rows.length;
}
