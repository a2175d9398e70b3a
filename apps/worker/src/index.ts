export { createCpuWorker, workflowBundle } from './cpu-worker';
export type { CpuWorkerOptions } from './cpu-worker';
export { createMediaWorker } from './media-worker';
export type { MediaWorkerOptions } from './media-worker';
