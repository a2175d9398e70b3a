export { createCpuWorker, retentionOptionsFromEnv, webhookOptionsFromEnv, workflowBundle } from './cpu-worker';
export { shutdownTimes } from './shutdown';
export type { CpuWorkerWebhookOptions } from './cpu-worker';
export type { CpuWorkerOptions, CpuWorkerRetentionOptions } from './cpu-worker';
export { ensureRetentionSchedule, RETENTION_SCHEDULE_SPEC, temporalWorkflowLiveness } from './retention-schedule';
export { createMediaWorker } from './media-worker';
export type { MediaWorkerOptions } from './media-worker';
