export { startPlatform } from './platform';
export type { PlatformOptions, RunningPlatform } from './platform';
export { WorkerHostSupervisor, findWorkerHostPid } from './worker-host-supervisor';
export type { WorkerHostOptions } from './worker-host-supervisor';
export type { WorkerRole } from './worker-host-protocol';
