/** Workflow type name of the daily retention run; the schedule starts it by this name, typed by {@link RetentionWorkflow}. */
export const RETENTION_WORKFLOW_TYPE = 'retentionWorkflow';

/** The phase a retention run resumes in after continue-as-new. */
export type RetentionPhase = 'holds' | 'expire' | 'delete';

export interface RetentionInput {
  /** Jobs per activity call (default 100). */
  batchSize?: number;
  /** Activity calls per run before it continues as new, which keeps each history short (default 200). */
  callsPerRun?: number;
  /** Where a continued run picks up; absent for a run the schedule starts. */
  resume?: {
    phase: RetentionPhase;
    /** The run's reference time (ISO): jobs that ended RETENTION_DAYS before it expire. */
    asOf: string;
    /** Hold reconciliation's cursor: the last job id looked at. */
    afterJobId?: string;
    /** Files are deleted only after this (ISO): the last link handed out before the expiry has lapsed by then. */
    deleteAfter?: string;
    carried: RetentionReport;
  };
}

/** What one retention run did, summed over its continued runs. */
export interface RetentionReport {
  /** Jobs holding credits outside a download window that were checked against Temporal. */
  holdsChecked: number;
  /** Of those, jobs whose workflow was closed or gone: their hold was released and the job failed. */
  orphanedHoldsReleased: number;
  /** Credit-seconds returned to balances, by orphaned holds and by expired jobs nobody downloaded. */
  creditsReleased: number;
  /** Jobs whose download window ended in this run (the API answers 410 for their files from then). */
  jobsExpired: number;
  /** Jobs whose files were deleted. */
  jobsDeleted: number;
  /** Storage objects deleted: inputs, outputs and the work files of every step. */
  filesDeleted: number;
}

/** The retention workflow's signature, so the schedule names it with checked arguments without importing workflow code. */
export type RetentionWorkflow = (input?: RetentionInput) => Promise<RetentionReport>;

/**
 * The retention schedule's id. One per deployment, named after its CPU task queue, so platforms sharing a Temporal
 * namespace (the test suite's, say) each keep their own; `voice-cpu-retention` by default.
 */
export function retentionScheduleId(cpuTaskQueue: string): string {
  return `${cpuTaskQueue}-retention`;
}
