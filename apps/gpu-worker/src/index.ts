export { createGpuWorker } from './gpu-worker';
export type { GpuWorkerOptions } from './gpu-worker';
