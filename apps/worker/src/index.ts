export { createCpuWorker, workflowBundle } from './cpu-worker';
export type { CpuWorkerOptions } from './cpu-worker';
