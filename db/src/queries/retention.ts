import { and, asc, eq, gt, inArray, isNull, lt, lte, ne, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { processingJobs, type ProcessingJob } from '../schema';
import { jobReleaseKey, releaseCredits } from './credits';
import { markJobFailed } from './jobs';
import { lockJob } from './locks';

// The retention schedule's data side (see workflows/src/retention.workflow.ts). A job's files live for
// RETENTION_DAYS after it ended: then it is *expired* (the API answers 410 and hands out no new link), and once
// every link handed out before that has lapsed its files are *deleted*. Credits go through the ledger functions
// in credits.ts with the same idempotency keys the workflow's compensation uses, so nothing is released twice.

const FINISHED: ProcessingJob['status'][] = ['completed', 'failed', 'cancelled'];

export interface ExpireFinishedJobsArgs {
  /** Jobs that ended (completed_at) before this are expired. */
  endedBefore: Date;
  /** The expiry time recorded on each row. */
  at: Date;
  limit: number;
}

export interface ExpireFinishedJobsResult {
  jobIds: string[];
  /** Credit-seconds returned to balances: holds of completed jobs that were never downloaded. */
  creditsReleased: number;
  /** False when fewer than `limit` jobs were left to look at. */
  more: boolean;
}

/**
 * Expires up to `limit` finished jobs, oldest first. A completed job that was never downloaded still holds its
 * settled credits; it can no longer be downloaded, so never charged, and its hold is released with the job's
 * release key. Each job is its own transaction under the job lock, so a download racing this either charged
 * first or sees the expiry (chargeJobDownload checks it under the same lock); two runs never expire a job twice.
 */
export async function expireFinishedJobs(
  db: Database,
  args: ExpireFinishedJobsArgs,
): Promise<ExpireFinishedJobsResult> {
  const candidates = await db
    .select({ id: processingJobs.id })
    .from(processingJobs)
    .where(
      and(
        inArray(processingJobs.status, FINISHED),
        isNull(processingJobs.filesExpiredAt),
        lt(processingJobs.completedAt, args.endedBefore),
      ),
    )
    .orderBy(asc(processingJobs.completedAt), asc(processingJobs.id))
    .limit(args.limit);
  const jobIds: string[] = [];
  let creditsReleased = 0;
  for (const { id } of candidates) {
    await db.transaction(async (tx) => {
      const job = await lockJob(tx, id);
      // Rechecked under the lock: another run may have expired it since the scan.
      if (!job || job.filesExpiredAt || !FINISHED.includes(job.status)) return;
      if (!job.completedAt || job.completedAt >= args.endedBefore) return;
      if (job.creditsHeld > 0) {
        const released = await releaseCredits(tx, { jobId: id, idempotencyKey: jobReleaseKey(id) });
        creditsReleased += released.released;
      }
      await tx
        .update(processingJobs)
        .set({ filesExpiredAt: args.at, updatedAt: sql`now()` })
        .where(and(eq(processingJobs.id, id), isNull(processingJobs.filesExpiredAt)));
      jobIds.push(id);
    });
  }
  return { jobIds, creditsReleased, more: candidates.length === args.limit };
}

/** What deleting a job's files needs to know. */
export type JobFiles = Pick<ProcessingJob, 'id' | 'inputKey' | 'outputKey'>;

/** Expired jobs (expired at or before `expiredBefore`) whose files are still in storage, longest expired first. */
export async function jobsWithExpiredFiles(
  db: Database,
  args: { expiredBefore: Date; limit: number },
): Promise<JobFiles[]> {
  return db
    .select({ id: processingJobs.id, inputKey: processingJobs.inputKey, outputKey: processingJobs.outputKey })
    .from(processingJobs)
    .where(and(lte(processingJobs.filesExpiredAt, args.expiredBefore), isNull(processingJobs.filesDeletedAt)))
    .orderBy(asc(processingJobs.filesExpiredAt), asc(processingJobs.id))
    .limit(args.limit);
}

/** Records that the job's files are gone. False when another run recorded it first. */
export async function markJobFilesDeleted(db: Database, jobId: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(processingJobs)
    .set({ filesDeletedAt: at, updatedAt: sql`now()` })
    .where(and(eq(processingJobs.id, jobId), isNull(processingJobs.filesDeletedAt)))
    .returning({ id: processingJobs.id });
  return rows.length > 0;
}

export type HeldJob = Pick<ProcessingJob, 'id' | 'workflowId' | 'status' | 'creditsHeld'>;

/**
 * Jobs that hold credits although they are not a completed job waiting for its download (that hold is owned by
 * the download window and ends with expireFinishedJobs), created before `createdBefore` (a job just submitted
 * holds credits a moment before its workflow exists), in id order after `afterId`: the caller asks Temporal
 * whether a running workflow still owns each.
 */
export async function jobsHoldingCredits(
  db: Database,
  args: { createdBefore: Date; afterId?: string; limit: number },
): Promise<HeldJob[]> {
  return db
    .select({
      id: processingJobs.id,
      workflowId: processingJobs.workflowId,
      status: processingJobs.status,
      creditsHeld: processingJobs.creditsHeld,
    })
    .from(processingJobs)
    .where(
      and(
        gt(processingJobs.creditsHeld, 0),
        ne(processingJobs.status, 'completed'),
        lt(processingJobs.createdAt, args.createdBefore),
        args.afterId === undefined ? undefined : gt(processingJobs.id, args.afterId),
      ),
    )
    .orderBy(asc(processingJobs.id))
    .limit(args.limit);
}

export interface ReleaseOrphanedHoldResult {
  /** Credit-seconds returned to the balance; 0 when another run (or the workflow) released them first. */
  released: number;
  /** The job was still pending or running and is now failed with `error`. */
  markedFailed: boolean;
}

/**
 * Ends a hold that no running workflow owns (the caller checked its workflow is closed or gone): releases it
 * exactly as the workflow's compensation would (same function, same `job-<id>:release` key, so a release that
 * already happened is replayed, never repeated) and fails a job the workflow left pending or running.
 */
export async function releaseOrphanedHold(
  db: Database,
  args: { jobId: string; error: string; at: Date },
): Promise<ReleaseOrphanedHoldResult> {
  return db.transaction(async (tx) => {
    const job = await lockJob(tx, args.jobId);
    if (!job || job.creditsHeld === 0 || job.status === 'completed') return { released: 0, markedFailed: false };
    const released = await releaseCredits(tx, { jobId: job.id, idempotencyKey: jobReleaseKey(job.id) });
    const markedFailed = await markJobFailed(tx, job.id, args.error, args.at);
    return { released: released.replayed ? 0 : released.released, markedFailed };
  });
}
