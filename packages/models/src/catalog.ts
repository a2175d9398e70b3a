import { CORE_MODELS, type ModelManifest } from './manifest';
import { MUSIC_MODELS } from './music-models';
import { SPEECH_MODELS } from './speech-models';
import { TRANSLATE_MODELS } from './translate-models';
import { VOICE_MODELS } from './voice-models';

// Entry files import only types from './manifest', so joining them here creates no import cycle.

/** Every model the platform knows, across all tasks. */
export const MODELS: readonly ModelManifest[] = [
  ...CORE_MODELS,
  ...SPEECH_MODELS,
  ...MUSIC_MODELS,
  ...VOICE_MODELS,
  ...TRANSLATE_MODELS,
];
