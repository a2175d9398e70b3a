import { workflowIdForJob } from './task-queues';

/**
 * The ids that let one request be followed from its HTTP log line to the last activity of its job. The API puts
 * the request id in the workflow's memo; the workflow passes it to each activity in a header (workflow code and
 * the workers' interceptors both read these names, so they live here).
 */
export const REQUEST_ID_MEMO = 'requestId';
export const LOG_CONTEXT_HEADER = 'voice-log-context';

/** What the log-context header carries. */
export interface LogContext {
  requestId?: string;
}

const JOB_WORKFLOW_PREFIX = workflowIdForJob('');

/** The job a workflow id belongs to (the inverse of workflowIdForJob), or undefined for other workflows. */
export function jobIdOfWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(JOB_WORKFLOW_PREFIX) ? workflowId.slice(JOB_WORKFLOW_PREFIX.length) : undefined;
}
