import { Context, log } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { withHeartbeats } from '@voice/activity-kit';
import {
  expireFinishedJobs,
  jobsHoldingCredits,
  jobsWithExpiredFiles,
  markJobFilesDeleted,
  releaseOrphanedHold,
  type Database,
  type JobFiles,
} from '@voice/db';
import { jobStorageKeys } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';

/** Whether a workflow execution is still running; closed (any way) and unknown ones are not. */
export interface WorkflowLiveness {
  isRunning(workflowId: string): Promise<boolean>;
}

export interface RetentionActivityDependencies {
  db: Database;
  storage: BlobStorage;
  /** Asks Temporal about a job's workflow (DescribeWorkflowExecution); built over the worker's connection. */
  workflows: WorkflowLiveness;
  /** RETENTION_DAYS: a job's files are kept this long after it ended, which is also its download window. */
  retentionDays: number;
  /** SIGNED_URL_TTL_SECONDS: files outlive their expiry by this much, so no link handed out before it breaks. */
  linkTtlSeconds: number;
  /**
   * A hold younger than this is never treated as orphaned: the API takes it a moment before it starts the job's
   * workflow, and a start can be retried for a while. Default one hour.
   */
  orphanMinAgeMs?: number;
  now?: () => Date;
}

const DAY_MS = 86_400_000;
const DEFAULT_ORPHAN_MIN_AGE_MS = 3_600_000;

/** What the user reads on a job whose workflow ended without closing it (terminated from the UI, or lost). */
export const ORPHANED_JOB_ERROR =
  'The job stopped without finishing (its workflow was terminated or lost); the held credits were released. Please retry.';

/**
 * The retention schedule's activities, on the CPU task queue (they need the database): reconcile credit holds no
 * running workflow owns, expire jobs whose download window ended, and delete the files of expired jobs once no link
 * to them can still be valid. Each call handles one batch and reports whether more is left; every step is
 * idempotent (ledger keys, row marks, deleting a missing file succeeds), so retries and overlapping runs are safe.
 */
export function createRetentionActivities(deps: RetentionActivityDependencies) {
  const now = deps.now ?? (() => new Date());
  const orphanMinAgeMs = deps.orphanMinAgeMs ?? DEFAULT_ORPHAN_MIN_AGE_MS;

  /** Between jobs: a cancelled batch (worker shutdown, run cancelled) stops there; what it did is kept. */
  const stopIfCancelled = (): void => {
    if (Context.current().cancellationSignal.aborted) throw new CancelledFailure('retention batch cancelled');
  };

  return {
    /**
     * Releases the holds of jobs whose workflow is closed or missing, through the same ledger path as the workflow's
     * compensation. Pages by job id: a job whose workflow still runs is skipped and not looked at again this run.
     */
    reconcileHolds: (input: { afterJobId?: string; limit: number }) =>
      // Heartbeats while the batch runs, so a dead worker is noticed and a cancel is delivered.
      withHeartbeats(async () => {
        const jobs = await jobsHoldingCredits(deps.db, {
          createdBefore: new Date(now().getTime() - orphanMinAgeMs),
          limit: input.limit,
          ...(input.afterJobId === undefined ? {} : { afterId: input.afterJobId }),
        });
        let orphanedHoldsReleased = 0;
        let creditsReleased = 0;
        // Jobs this batch moved to failed: their owners hear of it as of any failure (job.failed webhooks).
        const failedJobIds: string[] = [];
        for (const job of jobs) {
          stopIfCancelled();
          if (await deps.workflows.isRunning(job.workflowId)) continue;
          const outcome = await releaseOrphanedHold(deps.db, { jobId: job.id, error: ORPHANED_JOB_ERROR, at: now() });
          if (outcome.released === 0 && !outcome.markedFailed) continue;
          orphanedHoldsReleased += 1;
          creditsReleased += outcome.released;
          if (outcome.markedFailed) failedJobIds.push(job.id);
          log.warn('released an orphaned credit hold', {
            jobId: job.id,
            // Not `workflowId`: the log context already names the retention run's own.
            jobWorkflowId: job.workflowId,
            status: job.status,
            released: outcome.released,
          });
        }
        return {
          holdsChecked: jobs.length,
          orphanedHoldsReleased,
          creditsReleased,
          failedJobIds,
          lastJobId: jobs.at(-1)?.id,
          more: jobs.length === input.limit,
        };
      }),

    /**
     * Expires jobs that ended RETENTION_DAYS before `asOf` (the run's start, so every batch of a run cuts at the same
     * time). Returns how long links handed out until now stay valid: the workflow waits that long before deleting.
     */
    expireJobs: (input: { asOf: string; limit: number }) =>
      withHeartbeats(async () => {
        const endedBefore = new Date(new Date(input.asOf).getTime() - deps.retentionDays * DAY_MS);
        const result = await expireFinishedJobs(deps.db, { endedBefore, at: now(), limit: input.limit });
        return {
          jobsExpired: result.jobIds.length,
          creditsReleased: result.creditsReleased,
          more: result.more,
          linkLifetimeMs: deps.linkTtlSeconds * 1000,
        };
      }),

    /** Deletes every file of jobs expired at least one link lifetime ago, then marks them deleted. */
    deleteExpiredFiles: (input: { limit: number }) =>
      withHeartbeats(async () => {
        const jobs = await jobsWithExpiredFiles(deps.db, {
          expiredBefore: new Date(now().getTime() - deps.linkTtlSeconds * 1000),
          limit: input.limit,
        });
        let filesDeleted = 0;
        for (const job of jobs) {
          stopIfCancelled();
          filesDeleted += await deleteJobFiles(deps.storage, job);
          await markJobFilesDeleted(deps.db, job.id, now());
        }
        return { jobsDeleted: jobs.length, filesDeleted, more: jobs.length === input.limit };
      }),
  };
}

/**
 * Everything a job wrote lives under `jobs/<id>/` (its upload, each step's work file, checkpoints, stream parts, the
 * output; see jobStorageKeys), so the folder is deleted whole. Files outside it that the job only read, such as a
 * voice-library sample a clone step used, are never touched.
 */
function deleteJobFiles(storage: BlobStorage, job: JobFiles): Promise<number> {
  return storage.deletePrefix(`${jobStorageKeys(job.id).root}/`);
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
