import {
  defaultPayloadConverter,
  workflowInfo,
  type Headers,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { LogContext } from '@voice/shared';
import { LOG_CONTEXT_HEADER, REQUEST_ID_MEMO, jobIdOfWorkflowId } from '@voice/shared/workflow';

/**
 * Workflow interceptors (bundled through `workflowInterceptorModules`) that tie log lines to their job and request:
 * every `log` line of a workflow gets `jobId` (from the workflow id) and `requestId` (from the memo the API set at
 * start), every activity it schedules gets the request id in a header, which the workers' activity interceptor
 * (packages/runtime) adds to the activity's log lines, and every child gets it in its memo. The SDK already adds workflowId, runId and workflowType.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  const outbound: WorkflowOutboundCallsInterceptor = {
    getLogAttributes: (input, next) => next({ ...input, ...correlationIds() }),
    scheduleActivity: (input, next) => next({ ...input, headers: withLogContext(input.headers) }),
    scheduleLocalActivity: (input, next) => next({ ...input, headers: withLogContext(input.headers) }),
    // A child (a webhook delivery) belongs to the same request: its lines carry the id too.
    startChildWorkflowExecution: (input, next) => {
      const { requestId } = correlationIds();
      if (!requestId) return next(input);
      return next({
        ...input,
        options: { ...input.options, memo: { ...input.options.memo, [REQUEST_ID_MEMO]: requestId } },
      });
    },
  };
  return { outbound: [outbound] };
};

function correlationIds(): { jobId?: string; requestId?: string } {
  const info = workflowInfo();
  const jobId = jobIdOfWorkflowId(info.workflowId);
  const requestId = info.memo?.[REQUEST_ID_MEMO];
  return { ...(jobId ? { jobId } : {}), ...(typeof requestId === 'string' ? { requestId } : {}) };
}

function withLogContext(headers: Headers): Headers {
  const { requestId } = correlationIds();
  if (!requestId) return headers;
  const context: LogContext = { requestId };
  return { ...headers, [LOG_CONTEXT_HEADER]: defaultPayloadConverter.toPayload(context) };
}
