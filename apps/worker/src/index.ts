export { createCpuWorker, webhookOptionsFromEnv, workflowBundle } from './cpu-worker';
export type { CpuWorkerWebhookOptions } from './cpu-worker';
export type { CpuWorkerOptions } from './cpu-worker';
export { createMediaWorker } from './media-worker';
export type { MediaWorkerOptions } from './media-worker';
