export { createGpuActivities } from './gpu-activities';
export type { GpuActivities, GpuActivityDependencies, RunDenoiseInput, RunDenoiseResult } from './gpu-activities';
export type { RunGeneratorResult } from './generators';
// The engines moved to their own packages; re-exported so existing importers keep working. New code imports
// @voice/denoise, @voice/speech and @voice/model-cache directly.
export { ModelSessionCache } from '@voice/model-cache';
export * from '@voice/denoise';
export * from '@voice/speech';
export type { TranscriptArtifacts } from './speech-activities';
export type { RevoicedResult } from './dub-activities';
export { denoisePartKey, isDenoiseCheckpoint } from './resumable-denoise';
export type { DenoiseCheckpoint, DenoiseCheckpointOptions } from './resumable-denoise';
