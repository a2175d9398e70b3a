export {
  generateMusic,
  generateMoodMusic,
  generateSfx,
  OUTPUT_SAMPLE_RATE,
  MIN_MUSIC_SECONDS,
  MIN_SFX_SECONDS,
  MAX_SFX_SECONDS,
  MIN_TEMPO,
  MAX_TEMPO,
  MUSIC_LOUDNESS,
  SFX_LOUDNESS,
  type MusicRequest,
  type SfxRequest,
  type MoodMusicRequest,
  type MusicMetadata,
  type MoodMusicMetadata,
  type SfxMetadata,
  type LoudnessReport,
  type GeneratedAudio,
  type MusicEngineOptions,
} from './engine';
export { MusicRequestError, type MusicRequestReason } from './errors';
export {
  GENRES,
  GENRE_STYLES,
  GENRE_ALIASES,
  resolveGenre,
  type Genre,
  type GenreStyle,
  type Instrumentation,
} from './genres';
export {
  MOODS,
  MOOD_PRESETS,
  PLATFORMS,
  PLATFORM_PRESETS,
  MAX_MUSIC_SECONDS,
  resolveMood,
  resolvePlatform,
  type Mood,
  type Platform,
  type PlatformPreset,
  type MoodPreset,
} from './mood';
export { SFX_KEYWORDS, SFX_EFFECTS, planSfx, type SfxPlan } from './sfx';
export {
  compose,
  scoreInstruments,
  type Score,
  type NoteEvent,
  type ChannelSetup,
  type ComposeOptions,
} from './composer';
export {
  renderScore,
  loadSoundBank,
  defaultSoundFontPath,
  type GenerationHooks,
  type RenderOptions,
} from './soundfont';
export { parseKey, type MusicalKey, type Mode } from './theory';
