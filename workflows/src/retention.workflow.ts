import { continueAsNew, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { RetentionActivities } from '@voice/activities';
import type { RetentionInput, RetentionPhase, RetentionReport, RetentionWorkflow } from '@voice/shared';
import { emitWebhookEvent } from './webhook.workflow';

// Batches are database scans and storage deletes: minutes at most. They heartbeat per job, so a worker that dies
// mid-batch is noticed in a minute and the batch (idempotent) runs again elsewhere.
const retention = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

const DEFAULT_BATCH_SIZE = 100;
/** About three history events per activity call: 200 calls stay far below the history limits. */
const DEFAULT_CALLS_PER_RUN = 200;

const EMPTY_REPORT: RetentionReport = {
  holdsChecked: 0,
  orphanedHoldsReleased: 0,
  creditsReleased: 0,
  jobsExpired: 0,
  jobsDeleted: 0,
  filesDeleted: 0,
};

/**
 * The daily retention run (started by the `<TASK_QUEUE_CPU>-retention` schedule):
 * 1. holds: credits held by jobs whose workflow is closed or gone are released, and those jobs fail (job.failed to
 *    their webhooks, as any failure);
 * 2. expire: jobs that ended RETENTION_DAYS ago leave their download window; the API answers 410 for them;
 * 3. wait one signed-link lifetime, a durable timer, so a link handed out just before the expiry still works;
 * 4. delete: the expired jobs' inputs, outputs and work files go from storage.
 * A big backlog is worked through in batches and continues as new now and then, carrying its totals.
 */
export async function retentionWorkflow(input: RetentionInput = {}): Promise<RetentionReport> {
  const limit = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const callsPerRun = input.callsPerRun ?? DEFAULT_CALLS_PER_RUN;
  const asOf = input.resume?.asOf ?? new Date().toISOString();
  const report: RetentionReport = { ...EMPTY_REPORT, ...input.resume?.carried };
  let phase: RetentionPhase = input.resume?.phase ?? 'holds';
  let afterJobId = input.resume?.afterJobId;
  let deleteAfter = input.resume?.deleteAfter;
  let calls = 0;

  /** Before each activity call: past the budget, this run hands over to a fresh one where it stands. */
  const budget = async (): Promise<void> => {
    if (calls++ < callsPerRun) return;
    await continueAsNew<RetentionWorkflow>({
      ...input,
      resume: {
        phase,
        asOf,
        ...(afterJobId === undefined ? {} : { afterJobId }),
        ...(deleteAfter === undefined ? {} : { deleteAfter }),
        carried: report,
      },
    });
  };

  if (phase === 'holds') {
    for (;;) {
      await budget();
      const batch = await retention.reconcileHolds({ limit, ...(afterJobId === undefined ? {} : { afterJobId }) });
      report.holdsChecked += batch.holdsChecked;
      report.orphanedHoldsReleased += batch.orphanedHoldsReleased;
      report.creditsReleased += batch.creditsReleased;
      // Announced in full before any hand-over (those jobs hold nothing now, so no later batch finds them again);
      // each counts towards the run's history budget.
      for (const jobId of batch.failedJobIds) {
        await emitWebhookEvent({ type: 'job.failed', subject: jobId, occurredAt: new Date().toISOString() });
      }
      calls += batch.failedJobIds.length;
      afterJobId = batch.lastJobId ?? afterJobId;
      if (!batch.more) break;
    }
    phase = 'expire';
  }

  if (phase === 'expire') {
    for (;;) {
      await budget();
      const batch = await retention.expireJobs({ asOf, limit });
      report.jobsExpired += batch.jobsExpired;
      report.creditsReleased += batch.creditsReleased;
      if (batch.jobsExpired > 0) deleteAfter = new Date(Date.now() + batch.linkLifetimeMs).toISOString();
      if (!batch.more) break;
    }
    phase = 'delete';
  }

  // Only when this run expired something: files expired by earlier runs are past their wait already.
  const wait = deleteAfter === undefined ? 0 : new Date(deleteAfter).getTime() - Date.now();
  if (wait > 0) await sleep(wait);

  for (;;) {
    await budget();
    const batch = await retention.deleteExpiredFiles({ limit });
    report.jobsDeleted += batch.jobsDeleted;
    report.filesDeleted += batch.filesDeleted;
    if (!batch.more) break;
  }

  log.info('retention run finished', { ...report, asOf });
  return report;
}
retentionWorkflow satisfies RetentionWorkflow;
