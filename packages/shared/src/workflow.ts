/**
 * The part of @voice/shared that workflow code uses at run time (`@voice/shared/workflow`). Nothing here may load
 * zod or the step modules: the workflow bundle is evaluated in a fresh sandbox for every workflow, so each module
 * it pulls in is paid for on every job start. Types can still come from `@voice/shared`.
 */
export { DEFAULT_TARGET_LUFS, overallProgress } from './jobs';
export { FailureTypes } from './errors';
export { JobStatusSearchAttribute } from './search-attributes';
export { gpuPriorityKey } from './tiers';
export { pipelineProgressQuery } from './pipeline-contract';
export { STEP_WEIGHTS, isTranscriptOnly, stepWeight, withFinalNormalize } from './steps/chain';
export { webhookDeliveryWorkflowId } from './webhooks';
export { LOG_CONTEXT_HEADER, REQUEST_ID_MEMO, jobIdOfWorkflowId } from './log-context';
