export { createGpuActivities } from './gpu-activities';
export type { GpuActivities, GpuActivityDependencies, RunDenoiseInput, RunDenoiseResult } from './gpu-activities';
export { ModelSessionCache } from './model-cache';
export * from './engines';
export type { RunGeneratorResult } from './generators';
export * from './speech';
