import type { Genre, Instrumentation } from './genres';
import type { Mode } from './theory';

export const MOODS = [
  'happy',
  'sad',
  'calm',
  'energetic',
  'tense',
  'romantic',
  'mysterious',
  'inspiring',
  'playful',
  'chill',
  'epic',
  'dark',
] as const;
export type Mood = (typeof MOODS)[number];

export const MOOD_ALIASES: Readonly<Record<string, Mood>> = {
  joyful: 'happy',
  cheerful: 'happy',
  upbeat: 'happy',
  melancholic: 'sad',
  melancholy: 'sad',
  peaceful: 'calm',
  relaxing: 'calm',
  serene: 'calm',
  relaxed: 'chill',
  lofi: 'chill',
  exciting: 'energetic',
  powerful: 'energetic',
  suspense: 'tense',
  suspenseful: 'tense',
  anxious: 'tense',
  love: 'romantic',
  dreamy: 'mysterious',
  eerie: 'mysterious',
  uplifting: 'inspiring',
  motivational: 'inspiring',
  hopeful: 'inspiring',
  fun: 'playful',
  quirky: 'playful',
  heroic: 'epic',
  dramatic: 'epic',
  sinister: 'dark',
  ominous: 'dark',
};

/** How a mood is realised by the composer. */
export interface MoodPreset {
  readonly genre: Genre;
  readonly mode: Mode;
  readonly tempo: { readonly min: number; readonly max: number };
  readonly instruments?: Partial<Instrumentation>;
  /** Velocity and melody-density scale (see ComposeOptions.intensity). */
  readonly intensity: number;
  readonly drums: boolean;
}

export const MOOD_PRESETS: Readonly<Record<Mood, MoodPreset>> = {
  happy: {
    genre: 'corporate',
    mode: 'major',
    tempo: { min: 112, max: 126 },
    instruments: { melody: 12 },
    intensity: 1.05,
    drums: true,
  },
  sad: {
    genre: 'cinematic',
    mode: 'minor',
    tempo: { min: 62, max: 74 },
    instruments: { chords: 49, melody: 0, layer: 48 },
    intensity: 0.75,
    drums: false,
  },
  calm: {
    genre: 'ambient',
    mode: 'major',
    tempo: { min: 58, max: 68 },
    instruments: { chords: 89, arp: 46 },
    intensity: 0.8,
    drums: false,
  },
  energetic: { genre: 'electronic', mode: 'minor', tempo: { min: 126, max: 132 }, intensity: 1.2, drums: true },
  tense: {
    genre: 'cinematic',
    mode: 'minor',
    tempo: { min: 96, max: 112 },
    instruments: { melody: 42, layer: 50 },
    intensity: 1.05,
    drums: true,
  },
  romantic: {
    genre: 'acoustic',
    mode: 'major',
    tempo: { min: 70, max: 84 },
    instruments: { chords: 24, melody: 40 },
    intensity: 0.85,
    drums: false,
  },
  mysterious: {
    genre: 'ambient',
    mode: 'minor',
    tempo: { min: 62, max: 74 },
    instruments: { chords: 94, layer: 91, arp: 8 },
    intensity: 0.85,
    drums: false,
  },
  inspiring: {
    genre: 'cinematic',
    mode: 'major',
    tempo: { min: 92, max: 108 },
    instruments: { melody: 60 },
    intensity: 1.1,
    drums: true,
  },
  playful: {
    genre: 'corporate',
    mode: 'major',
    tempo: { min: 116, max: 126 },
    instruments: { melody: 45, arp: 12 },
    intensity: 1,
    drums: true,
  },
  chill: { genre: 'lofi', mode: 'minor', tempo: { min: 74, max: 86 }, intensity: 0.9, drums: true },
  epic: {
    genre: 'cinematic',
    mode: 'minor',
    tempo: { min: 100, max: 112 },
    instruments: { layer: 52, melody: 61 },
    intensity: 1.25,
    drums: true,
  },
  dark: {
    genre: 'cinematic',
    mode: 'minor',
    tempo: { min: 64, max: 78 },
    instruments: { melody: 42, layer: 52 },
    intensity: 0.9,
    drums: true,
  },
};

export const PLATFORMS = ['instagram', 'tiktok', 'youtube', 'podcast'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Delivery targets of a platform. */
export interface PlatformPreset {
  /** Integrated loudness the output is normalised to (ITU-R BS.1770). */
  readonly targetLufs: number;
  readonly truePeakCeilingDbtp: number;
  /** Longest output accepted for the platform, in seconds. */
  readonly maxDurationSeconds: number;
  /** Why these numbers, for the API docs. */
  readonly note: string;
}

/** Longest piece the composer renders in one job (bounds memory to ~4 float arrays of this length). */
export const MAX_MUSIC_SECONDS = 300;

/**
 * Platform delivery presets. Loudness follows what the platforms normalise playback to
 * (−14 LUFS for streaming and social, −16 LUFS for podcasts) with a −1 dBTP ceiling for lossy
 * transcoding headroom. Length limits are the conservative common ones: Instagram Reels accept
 * 90 s of added music, TikTok sounds are at most 60 s; YouTube and podcasts are bounded only by
 * the engine limit.
 */
export const PLATFORM_PRESETS: Readonly<Record<Platform, PlatformPreset>> = {
  instagram: {
    targetLufs: -14,
    truePeakCeilingDbtp: -1,
    maxDurationSeconds: 90,
    note: 'Reels: music up to 90 s; −14 LUFS',
  },
  tiktok: {
    targetLufs: -14,
    truePeakCeilingDbtp: -1,
    maxDurationSeconds: 60,
    note: 'TikTok sounds: up to 60 s; −14 LUFS',
  },
  youtube: {
    targetLufs: -14,
    truePeakCeilingDbtp: -1,
    maxDurationSeconds: MAX_MUSIC_SECONDS,
    note: 'YouTube normalises to about −14 LUFS; long pieces allowed',
  },
  podcast: {
    targetLufs: -16,
    truePeakCeilingDbtp: -1,
    maxDurationSeconds: MAX_MUSIC_SECONDS,
    note: 'Podcast beds, intros and outros: −16 LUFS',
  },
};

export function resolveMood(name: string): Mood | undefined {
  const key = name.trim().toLowerCase();
  if ((MOODS as readonly string[]).includes(key)) return key as Mood;
  return MOOD_ALIASES[key];
}

export function resolvePlatform(name: string): Platform | undefined {
  const key = name.trim().toLowerCase();
  if (key === 'instagram-reels' || key === 'reels' || key === 'ig') return 'instagram';
  if (key === 'yt') return 'youtube';
  return (PLATFORMS as readonly string[]).includes(key) ? (key as Platform) : undefined;
}
