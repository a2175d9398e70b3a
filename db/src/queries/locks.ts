import { eq } from 'drizzle-orm';
import type { Database } from '../client';
import { UserNotFoundError } from '../errors';
import { processingJobs, users, type ProcessingJob } from '../schema';

// FOR NO KEY UPDATE excludes every other ledger writer exactly like FOR UPDATE, but does not block
// unrelated inserts whose foreign keys point at the row (new jobs, refresh tokens, usage rows).
// Lock order is always job, then user, so two credit operations can never deadlock.

/** Locks a job row for the rest of the transaction. */
export async function lockJob(tx: Database, jobId: string): Promise<ProcessingJob | undefined> {
  const [job] = await tx.select().from(processingJobs).where(eq(processingJobs.id, jobId)).for('no key update');
  return job;
}

/** Locks a user row and returns its available balance. */
export async function lockUserBalance(tx: Database, userId: string): Promise<number> {
  const [row] = await tx
    .select({ balance: users.creditsBalance })
    .from(users)
    .where(eq(users.id, userId))
    .for('no key update');
  if (!row) throw new UserNotFoundError(userId);
  return row.balance;
}

/** The single row a `returning()` or keyed lookup must produce. */
export function single<T>(rows: T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`Expected a ${what} row`);
  return row;
}
