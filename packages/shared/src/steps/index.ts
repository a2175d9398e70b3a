export * from './step-definition';
export * from './fields';
export * from './registry';
export * from './chain';
export {
  MAX_PITCH_SEMITONES,
  MAX_TTS_CHARS,
  MIN_WORDS_FOR_LARGE_PITCH_SHIFT,
  SHORT_TEXT_MAX_PITCH_SEMITONES,
  ttsParameterProblem,
  ttsStep,
  ttsTextSchema,
  type TtsStep,
} from './tts.step';
export { sttStep, type SttStep } from './stt.step';
export { denoiseStep, type DenoiseStep } from './denoise.step';
export { normalizeStep, type NormalizeStep } from './normalize.step';
export { editStep, editOperationSchema, editOperationsSchema, type EditStep, type EditOperation } from './edit.step';
export { voiceCloneStep, type VoiceCloneStep } from './voice-clone.step';
export { dubStep, type DubStep } from './dub.step';
export { accentChangeStep, type AccentChangeStep } from './accent-change.step';
export { generateMusicStep, MUSIC_LIMITS, type GenerateMusicStep } from './generate-music.step';
export { generateSfxStep, SFX_LIMITS, type GenerateSfxStep } from './generate-sfx.step';
export { moodMusicStep, type MoodMusicStep } from './mood-music.step';
