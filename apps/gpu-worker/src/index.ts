export { createGpuWorker } from './gpu-worker';
export type { GpuWorker, GpuWorkerOptions } from './gpu-worker';
