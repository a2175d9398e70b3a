export { createCpuActivities, qualityProblems, NORMALIZE_METHOD } from './cpu-activities';
export type { CpuActivities, CpuActivityDependencies, PreprocessResult, QualityResult } from './cpu-activities';
export { withHeartbeats, finiteOrNull } from './heartbeat';
