import type { SubscriptionTier } from '@voice/shared';
import { eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { processingJobs, users } from '../schema';

/** Every credit hold open right now: jobs running, and completed jobs whose output was not downloaded yet. */
export interface HeldCreditsSummary {
  /** Credit-seconds held over all jobs. */
  held: number;
  /** Open holds (jobs with credits held). */
  holds: number;
  /**
   * Age (since the submit, when the API took it) of the oldest hold whose job has not completed, in seconds; 0 when
   * none. A completed job's hold waits for its download, which may rightly take days; a pending or running job's hold
   * a day old, or a failed or cancelled job's at all, means a workflow did not settle it.
   */
  oldestAgeSeconds: number;
}

/**
 * The platform-wide hold figures for the operations page and the voice_credits_held gauges. One aggregate over the
 * jobs that hold anything; ages are measured by the database clock, so API hosts with skewed clocks agree.
 */
export async function getHeldCreditsSummary(db: Database): Promise<HeldCreditsSummary> {
  const [row] = await db
    .select({
      held: sql<number>`coalesce(sum(${processingJobs.creditsHeld}), 0)`.mapWith(Number),
      holds: sql<number>`count(*)`.mapWith(Number),
      oldestAgeSeconds:
        sql<number>`coalesce(extract(epoch from now() - min(${processingJobs.createdAt}) filter (where ${processingJobs.status} <> 'completed')), 0)`.mapWith(
          Number,
        ),
    })
    .from(processingJobs)
    .where(gt(processingJobs.creditsHeld, 0));
  return {
    held: row?.held ?? 0,
    holds: row?.holds ?? 0,
    oldestAgeSeconds: Math.max(0, row?.oldestAgeSeconds ?? 0),
  };
}

/** What the job metrics label a finished job with, and how long it took from submit to its end. */
export interface FinishedJobFacts {
  jobType: string;
  /** The owner's tier now (the tier at submit lives only in the workflow's input). */
  tier: SubscriptionTier;
  /** From the row's creation (the submit) to its completion time, or to now when that is not set. */
  durationSeconds: number;
}

export async function getFinishedJobFacts(db: Database, jobId: string): Promise<FinishedJobFacts | undefined> {
  const [row] = await db
    .select({
      jobType: processingJobs.jobType,
      tier: users.subscriptionTier,
      durationSeconds:
        sql<number>`extract(epoch from coalesce(${processingJobs.completedAt}, now()) - ${processingJobs.createdAt})`.mapWith(
          Number,
        ),
    })
    .from(processingJobs)
    .innerJoin(users, eq(users.id, processingJobs.userId))
    .where(eq(processingJobs.id, jobId));
  return row;
}
