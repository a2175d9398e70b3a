import { CORE_MODELS, type ModelManifest } from './manifest';

// TODO(speech, music): when `speech-models.ts` (SPEECH_MODELS) and `music-models.ts` (MUSIC_MODELS) land,
// import them here and spread them into MODELS. They import only types from './manifest', so no cycle.

/** Every model the platform knows, across all tasks. */
export const MODELS: readonly ModelManifest[] = [...CORE_MODELS];
