export { createGpuActivities } from './gpu-activities';
export type { GpuActivities, GpuActivityDependencies, RunDenoiseInput, RunDenoiseResult } from './gpu-activities';
export { ModelSessionCache } from './model-cache';
export * from './engines';
export type { RunGeneratorResult } from './generators';
export * from './speech';
export type { TranscriptArtifacts } from './speech-activities';
export { MAX_TTS_WORD_ERROR_RATE } from './speech-activities';
export type { RevoicedResult } from './dub-activities';
