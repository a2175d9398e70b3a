import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { usageTracking } from '../schema';

export interface UsageQuery {
  userId: string;
  /** First instant counted (inclusive). */
  from: Date;
  /** First instant not counted (exclusive). */
  until: Date;
  /** Only charges of jobs this key submitted. */
  apiKeyId?: string;
}

/** Charges of one UTC day, one feature (job type) and one key (null: jobs from the web app). */
export interface UsageRow {
  /** YYYY-MM-DD, in UTC. */
  day: string;
  feature: string;
  apiKeyId: string | null;
  /** Output seconds delivered. */
  audioSeconds: number;
  /** Credit-seconds charged. */
  credits: number;
  /** Number of charges (first downloads). */
  charges: number;
}

/**
 * The user's charges grouped by UTC day, feature and API key, from usage_tracking (one row per charge, written in
 * the charge's transaction, so these sums are exactly what the ledger's `charge` entries took). Served by the
 * (user_id, created_at) index.
 */
export async function usageByDayFeatureKey(db: Database, query: UsageQuery): Promise<UsageRow[]> {
  const day = sql<string>`to_char(${usageTracking.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const conditions = [
    eq(usageTracking.userId, query.userId),
    gte(usageTracking.createdAt, query.from),
    lt(usageTracking.createdAt, query.until),
  ];
  if (query.apiKeyId !== undefined) conditions.push(eq(usageTracking.apiKeyId, query.apiKeyId));
  return db
    .select({
      day,
      feature: usageTracking.jobType,
      apiKeyId: usageTracking.apiKeyId,
      // real is single precision: sum in double so long totals keep their milliseconds.
      audioSeconds: sql<number>`sum(${usageTracking.audioSeconds}::double precision)`.mapWith(Number),
      credits: sql<number>`sum(${usageTracking.creditsUsed})`.mapWith(Number),
      charges: sql<number>`count(*)`.mapWith(Number),
    })
    .from(usageTracking)
    .where(and(...conditions))
    .groupBy(day, usageTracking.jobType, usageTracking.apiKeyId)
    .orderBy(asc(day), asc(usageTracking.jobType), asc(usageTracking.apiKeyId));
}
