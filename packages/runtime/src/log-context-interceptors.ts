import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory, WorkerInterceptors } from '@temporalio/worker';
import { LOG_CONTEXT_HEADER, jobIdOfWorkflowId, type LogContext } from '@voice/shared';
import { activityMetricsInterceptor, type MetricsRecorder } from '@voice/metrics';

/**
 * Activity interceptors that put the job id and the request id on every activity log line (the SDK's own
 * "Activity started/completed/failed" and the activities' `log` calls), next to the SDK's activityType, workflowId
 * and run id. The request id comes in the header the workflow interceptor (workflows/src/log-interceptors.ts) sets,
 * so it crosses into other worker processes; the job id follows from the workflow id. Activities that end well get
 * one info line, so a job can be followed at the default level.
 */
export const activityLogInterceptors: ActivityInterceptorsFactory = (context) => {
  const { info } = context;
  let fromHeader: LogContext = {};
  return {
    inbound: {
      async execute(input, next) {
        const header = input.headers[LOG_CONTEXT_HEADER];
        if (header) fromHeader = readLogContext(defaultPayloadConverter.fromPayload<unknown>(header));
        const started = Date.now();
        const result = await next(input);
        context.log.info('activity completed', { durationMs: Date.now() - started });
        return result;
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        // The task token completes the activity from outside: it is a credential, and long. One name for the run
        // across workflow and activity lines (the SDK says workflowRunId here, runId on workflow lines).
        const { taskToken: _token, workflowRunId, ...attributes } = input;
        const jobId = info.workflowExecution ? jobIdOfWorkflowId(info.workflowExecution.workflowId) : undefined;
        return next({
          ...attributes,
          ...(workflowRunId !== undefined ? { runId: workflowRunId } : {}),
          ...(jobId ? { jobId } : {}),
          ...fromHeader,
        });
      },
    },
  };
};

function readLogContext(value: unknown): LogContext {
  if (typeof value !== 'object' || value === null) return {};
  const requestId = (value as { requestId?: unknown }).requestId;
  return typeof requestId === 'string' ? { requestId } : {};
}

/** Worker interceptors for a worker that runs activities (the workflow ones are bundled with the workflows). */
export const logContextInterceptors: WorkerInterceptors = { activity: [activityLogInterceptors] };

/** A worker's activity interceptors: the log context always, and the step metrics when the process records them. */
export function workerInterceptors(metrics?: MetricsRecorder): WorkerInterceptors {
  return { activity: [activityLogInterceptors, ...(metrics ? [activityMetricsInterceptor(metrics)] : [])] };
}
