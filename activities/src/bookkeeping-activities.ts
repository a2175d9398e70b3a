import { failureRule, withFailureRules } from '@voice/activity-kit';
import {
  getFinishedJobFacts,
  InsufficientCreditsError,
  JobNotActiveError,
  JobNotFoundError,
  jobHoldKey,
  jobReleaseKey,
  markJobCancelled,
  markJobCompleted,
  markJobFailed,
  markJobRunning,
  recordJobInput,
  releaseCredits,
  reserveCredits,
  settleCredits,
  updateJobProgress,
  type Database,
} from '@voice/db';
import type { JobOutcome, MetricsRecorder } from '@voice/metrics';
import { FailureTypes, creditsForDurationMs, type JobResult } from '@voice/shared';

const RESERVE_FAILURES = [
  failureRule(InsufficientCreditsError, FailureTypes.InsufficientCredits, {
    message: (error) =>
      `Insufficient credits: this job needs ${error.required} credit-seconds but ${error.available} are available`,
  }),
  // The job was already cancelled or failed: holding credits for it would strand them.
  failureRule(JobNotActiveError, FailureTypes.JobNotActive),
  // The API undid the job because its start timed out, yet Temporal did start it: nothing may run for it.
  failureRule(JobNotFoundError, FailureTypes.JobNotActive),
];

export interface BookkeepingActivityDependencies {
  db: Database;
  /** Job outcomes; nothing is recorded without it (metrics off). */
  metrics?: MetricsRecorder;
}

/**
 * Job-row and credit activities: quick database writes, run next to the workflows on the CPU task queue.
 * Each is safe to retry: every credit mutation carries an idempotency key derived from the job id and the step.
 */
export function createBookkeepingActivities({ db, metrics }: BookkeepingActivityDependencies) {
  /**
   * Counts a job's end once: only the attempt whose write moved the row to its terminal state records it, so a
   * retried activity (or a second terminal write that lost the race) never counts twice.
   */
  const recordFinished = async (jobId: string, status: JobOutcome, applied: boolean) => {
    if (!metrics || !applied) return;
    const facts = await getFinishedJobFacts(db, jobId);
    if (facts)
      metrics.jobFinished({ jobType: facts.jobType, tier: facts.tier, status, seconds: facts.durationSeconds });
  };

  return {
    /** Baseline for the benchmark: what a bare activity round trip costs. */
    async noop(): Promise<void> {},

    async markJobRunning({ jobId }: { jobId: string; workflowRunId: string }): Promise<void> {
      await markJobRunning(db, jobId, new Date());
    },

    async updateJobProgress({ jobId, progress }: { jobId: string; progress: number }): Promise<void> {
      await updateJobProgress(db, jobId, progress);
    },

    /** What preprocessing measured, on the job row (the media activities have no database). */
    async recordJobInput(input: { jobId: string; inputDurationMs: number; inputFormat: string }): Promise<void> {
      await recordJobInput(db, input.jobId, { inputDurationMs: input.inputDurationMs, inputFormat: input.inputFormat });
    },

    /**
     * Hold credits for the input's length before any inference runs. The API takes this hold at submit, with the
     * row; here it is replayed (adopted), so a job never holds twice.
     */
    async reserveCredits({ jobId, userId, durationMs }: { jobId: string; userId: string; durationMs: number }) {
      const amount = creditsForDurationMs(durationMs);
      return withFailureRules(RESERVE_FAILURES, () =>
        reserveCredits(db, { userId, jobId, amount, idempotencyKey: jobHoldKey(jobId) }),
      );
    },

    /** Move the hold from the input's length to the output's: that is what the first download charges. */
    async settleCredits({ jobId, outputDurationMs }: { jobId: string; outputDurationMs: number }) {
      const settled = await settleCredits(db, {
        jobId,
        amount: creditsForDurationMs(outputDurationMs),
        idempotencyKey: `job-${jobId}:settle`,
      });
      return settled;
    },

    async releaseCredits({ jobId }: { jobId: string }): Promise<void> {
      try {
        await releaseCredits(db, { jobId, idempotencyKey: jobReleaseKey(jobId) });
      } catch (error) {
        // A job the API undid (start timed out) has neither row nor hold: there is nothing to release.
        if (!(error instanceof JobNotFoundError)) throw error;
      }
    },

    async markJobCompleted(input: {
      jobId: string;
      outputKey: string;
      outputDurationMs: number;
      result: JobResult;
    }): Promise<void> {
      const applied = await markJobCompleted(db, input.jobId, {
        outputKey: input.outputKey,
        outputDurationMs: input.outputDurationMs,
        result: input.result,
        at: new Date(),
      });
      await recordFinished(input.jobId, 'completed', applied);
    },

    async markJobFailed({ jobId, error }: { jobId: string; error: string }): Promise<void> {
      await recordFinished(jobId, 'failed', await markJobFailed(db, jobId, error, new Date()));
    },

    async markJobCancelled({ jobId }: { jobId: string }): Promise<void> {
      await recordFinished(jobId, 'cancelled', await markJobCancelled(db, jobId, new Date()));
    },
  };
}

export type BookkeepingActivities = ReturnType<typeof createBookkeepingActivities>;
