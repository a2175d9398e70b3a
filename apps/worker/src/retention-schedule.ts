import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowNotFoundError,
  type Client,
  type ScheduleHandle,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleSpec,
} from '@temporalio/client';
import type { WorkflowLiveness } from '@voice/activities';
import { RETENTION_WORKFLOW_TYPE, retentionScheduleId, type RetentionWorkflow } from '@voice/shared';

/**
 * Daily at 03:30 UTC plus up to half an hour of jitter, so deployments sharing a cluster do not all scan at once.
 * The UI (Schedules) shows the next run times.
 */
export const RETENTION_SCHEDULE_SPEC: ScheduleSpec = {
  calendars: [{ hour: 3, minute: 30, comment: 'daily retention: expire old job files, release orphaned holds' }],
  jitter: '30 minutes',
};

/**
 * Creates the retention schedule, or brings an existing one's spec, action and policies up to date (a newer
 * release, a moved task queue) while keeping its state: an operator who paused it in the UI keeps it paused.
 * Called by every CPU worker at start: the worker is what runs the workflow, and it needs Temporal up anyway
 * (the API may start before Temporal does). Two workers starting together both end up with the same schedule.
 */
export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<ScheduleHandle> {
  const scheduleId = retentionScheduleId(taskQueue);
  const action: ScheduleOptionsStartWorkflowAction<RetentionWorkflow> = {
    type: 'startWorkflow',
    workflowType: RETENTION_WORKFLOW_TYPE,
    taskQueue,
    // The server appends each run's scheduled time, so runs stay apart and findable.
    workflowId: scheduleId,
    args: [{}],
  };
  // A run still going (a big backlog) makes the next one skip rather than race it; after an outage, one day's
  // missed run is caught up, older ones are not (the next run covers them anyway).
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  try {
    return await client.schedule.create<RetentionWorkflow>({
      scheduleId,
      spec: RETENTION_SCHEDULE_SPEC,
      action,
      policies,
      state: { note: 'Created by the CPU worker; see the README, Operations → Shutdown and retention' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update<RetentionWorkflow>((previous) => ({
      spec: RETENTION_SCHEDULE_SPEC,
      action,
      policies,
      state: previous.state,
    }));
    return handle;
  }
}

/** DescribeWorkflowExecution: running, or not (closed in any way, or unknown: never started, or past retention). */
export function temporalWorkflowLiveness(client: Client): WorkflowLiveness {
  return {
    async isRunning(workflowId) {
      try {
        return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}
