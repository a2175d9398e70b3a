import { integratedLoudness, resample } from '@voice/audio';

import { VoiceDspError, assertRate } from './errors';
import { Fft, melFilterbank, type MelFilterbank } from './fft';
import { YinEstimator, APERIODICITY_THRESHOLD } from './pitch';

/** Measured characteristics of a voice sample (JSON-safe: every number is finite). */
export interface VoiceCharacteristics {
  readonly pitch: {
    readonly medianHz: number;
    readonly meanHz: number;
    readonly p10Hz: number;
    readonly p90Hz: number;
    /** Spread of f0 around the median, in semitones. */
    readonly stdSemitones: number;
    /** Voiced frames / active (non-silent) frames. */
    readonly voicedRatio: number;
  };
  /** BS.1770 integrated loudness of the whole sample. */
  readonly loudnessLufs: number;
  readonly speakingRate: { readonly syllablesPerSecond: number; readonly method: string };
  readonly spectral: {
    /** Of the long-term average spectrum (active frames, 50 Hz–8 kHz). */
    readonly centroidHz: number;
    /** Frequency below which 85 % of the long-term energy lies. */
    readonly rolloffHz: number;
    /** Least-squares slope of the band energies against log2(frequency). */
    readonly tiltDbPerOctave: number;
    /** Long-term energy in 24 mel bands (50 Hz–8 kHz), dB, shifted so their mean is 0. */
    readonly bandEnergiesDb: number[];
  };
  /** Mean and standard deviation of MFCC 1–20 over active frames (40 values), L2-normalised. */
  readonly embedding: number[];
  readonly durationSeconds: number;
}

/** All analysis runs at this rate so measurements compare across input rates. */
export const ANALYSIS_RATE = 16000;
const HOP = 160;
const SPECTRAL_WINDOW = 400;
const FFT_SIZE = 512;
export const BAND_COUNT = 24;
export const BAND_LOW_HZ = 50;
export const BAND_HIGH_HZ = 8000;
const MFCC_BANDS = 40;
const MFCC_COUNT = 20;
/** Frames quieter than (95th-percentile level − this) are pauses, not speech. */
const ACTIVE_RANGE_DB = 35;
const ABSOLUTE_FLOOR_DB = -70;
const MIN_DURATION_SECONDS = 0.5;
const MIN_VOICED_FRAMES = 20;
const SPEAKING_RATE_METHOD =
  'intensity peaks with a 2 dB dip between neighbours, voiced only (after de Jong & Wempe 2009), per second of active speech';

/** Per-frame measurements shared by analysis and conversion. */
export interface FrameAnalysis {
  readonly hopSeconds: number;
  /** 25 ms frame RMS in dBFS. */
  readonly levelsDb: Float32Array;
  readonly active: Uint8Array;
  /** f0 in Hz for voiced frames, 0 otherwise. */
  readonly f0: Float32Array;
  /** Long-term average power spectrum over active frames (FFT_SIZE/2+1 bins at 16 kHz). */
  readonly ltas: Float64Array;
  readonly mfccSum: Float64Array;
  readonly mfccSumSquares: Float64Array;
  readonly activeFrames: number;
}

let bandBank: MelFilterbank | undefined;
let mfccBank: MelFilterbank | undefined;
let dct: Float64Array | undefined;
const fft = new Fft(FFT_SIZE);

function banks(): { band: MelFilterbank; mfcc: MelFilterbank; dct: Float64Array } {
  bandBank ??= melFilterbank(BAND_COUNT, FFT_SIZE, ANALYSIS_RATE, BAND_LOW_HZ, BAND_HIGH_HZ);
  mfccBank ??= melFilterbank(MFCC_BANDS, FFT_SIZE, ANALYSIS_RATE, BAND_LOW_HZ, BAND_HIGH_HZ);
  if (!dct) {
    // Orthonormal DCT-II rows 1..MFCC_COUNT (row 0, overall level, is left out on purpose).
    dct = new Float64Array(MFCC_COUNT * MFCC_BANDS);
    for (let c = 0; c < MFCC_COUNT; c++) {
      for (let b = 0; b < MFCC_BANDS; b++) {
        dct[c * MFCC_BANDS + b] = Math.sqrt(2 / MFCC_BANDS) * Math.cos((Math.PI * (c + 1) * (b + 0.5)) / MFCC_BANDS);
      }
    }
  }
  return { band: bandBank, mfcc: mfccBank, dct };
}

function toAnalysisRate(samples: Float32Array, sampleRate: number): Float32Array {
  assertRate(sampleRate);
  return sampleRate === ANALYSIS_RATE ? samples : resample(samples, sampleRate, ANALYSIS_RATE);
}

function percentile(sorted: Float32Array | Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * One pass over 10 ms frames: level, activity, YIN pitch on active frames, and (for active frames)
 * the long-term spectrum and MFCC moments. Memory is a few bytes per frame plus the 16 kHz copy.
 */
export function analyzeFrames(samples: Float32Array, sampleRate: number): FrameAnalysis {
  const x = toAnalysisRate(samples, sampleRate);
  const n = x.length;
  const frames = Math.max(1, Math.ceil(n / HOP));
  const yin = new YinEstimator(ANALYSIS_RATE);
  // Pitch frames start at f·HOP; spectral windows are centred on the same instant.
  const spectralOffset = (yin.frameLength - SPECTRAL_WINDOW) >> 1;
  const levelsDb = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const from = f * HOP + spectralOffset;
    let sum = 0;
    for (let i = from; i < from + SPECTRAL_WINDOW && i < n; i++) sum += x[i]! * x[i]!;
    levelsDb[f] = 10 * Math.log10(sum / SPECTRAL_WINDOW + 1e-20);
  }
  const reference = percentile(levelsDb.slice().sort(), 0.95);
  const gate = Math.max(ABSOLUTE_FLOOR_DB, reference - ACTIVE_RANGE_DB);

  const { mfcc, dct: dctRows } = banks();
  const active = new Uint8Array(frames);
  const f0 = new Float32Array(frames);
  const ltas = new Float64Array(FFT_SIZE / 2 + 1);
  const mfccSum = new Float64Array(MFCC_COUNT);
  const mfccSumSquares = new Float64Array(MFCC_COUNT);
  const pitchFrame = new Float64Array(yin.frameLength + 1);
  const re = new Float64Array(FFT_SIZE);
  const im = new Float64Array(FFT_SIZE);
  const logMel = new Float64Array(MFCC_BANDS);
  const hann = new Float64Array(SPECTRAL_WINDOW);
  for (let i = 0; i < SPECTRAL_WINDOW; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / SPECTRAL_WINDOW);
  let activeFrames = 0;

  for (let f = 0; f < frames; f++) {
    if (!(levelsDb[f]! > gate)) continue;
    active[f] = 1;
    activeFrames++;
    const start = f * HOP;
    for (let i = 0; i < pitchFrame.length; i++) pitchFrame[i] = start + i < n ? x[start + i]! : 0;
    const { hz, aperiodicity } = yin.estimate(pitchFrame);
    if (aperiodicity < APERIODICITY_THRESHOLD) f0[f] = hz;

    re.fill(0);
    im.fill(0);
    for (let i = 0; i < SPECTRAL_WINDOW; i++) re[i] = pitchFrame[spectralOffset + i]! * hann[i]!;
    fft.transform(re, im);
    for (let k = 0; k <= FFT_SIZE / 2; k++) {
      const p = re[k]! * re[k]! + im[k]! * im[k]!;
      re[k] = p;
      ltas[k] = ltas[k]! + p;
    }
    for (let b = 0; b < MFCC_BANDS; b++) {
      const w = mfcc.weights[b]!;
      let e = 0;
      for (let k = mfcc.firstBin[b]!; k <= mfcc.lastBin[b]!; k++) e += w[k]! * re[k]!;
      logMel[b] = Math.log(e + 1e-10);
    }
    for (let c = 0; c < MFCC_COUNT; c++) {
      let v = 0;
      for (let b = 0; b < MFCC_BANDS; b++) v += dctRows[c * MFCC_BANDS + b]! * logMel[b]!;
      mfccSum[c] = mfccSum[c]! + v;
      mfccSumSquares[c] = mfccSumSquares[c]! + v * v;
    }
  }
  if (activeFrames > 0) for (let k = 0; k < ltas.length; k++) ltas[k] = ltas[k]! / activeFrames;
  return { hopSeconds: HOP / ANALYSIS_RATE, levelsDb, active, f0, ltas, mfccSum, mfccSumSquares, activeFrames };
}

/** 24 mel-band energies (dB, mean 0) of a long-term spectrum from {@link analyzeFrames}. */
export function bandEnergiesFromLtas(ltas: Float64Array): number[] {
  const { band } = banks();
  const out: number[] = [];
  for (let b = 0; b < BAND_COUNT; b++) {
    const w = band.weights[b]!;
    let e = 0;
    let norm = 0;
    for (let k = band.firstBin[b]!; k <= band.lastBin[b]!; k++) {
      e += w[k]! * ltas[k]!;
      norm += w[k]!;
    }
    out.push(10 * Math.log10(e / norm + 1e-20));
  }
  const mean = out.reduce((s, v) => s + v, 0) / out.length;
  return out.map((v) => v - mean);
}

/** Centre frequencies of the 24 bands behind `bandEnergiesDb`. */
export function bandCentersHz(): number[] {
  return Array.from(banks().band.centersHz);
}

function spectralShape(ltas: Float64Array): { centroidHz: number; rolloffHz: number } {
  const binHz = ANALYSIS_RATE / FFT_SIZE;
  const lo = Math.ceil(BAND_LOW_HZ / binHz);
  let total = 0;
  let moment = 0;
  for (let k = lo; k < ltas.length; k++) {
    total += ltas[k]!;
    moment += ltas[k]! * k * binHz;
  }
  let cumulative = 0;
  let rolloffHz = BAND_HIGH_HZ;
  for (let k = lo; k < ltas.length; k++) {
    cumulative += ltas[k]!;
    if (cumulative >= 0.85 * total) {
      rolloffHz = k * binHz;
      break;
    }
  }
  return { centroidHz: total > 0 ? moment / total : 0, rolloffHz };
}

function tilt(bandsDb: readonly number[], centersHz: readonly number[]): number {
  const xs = centersHz.map((f) => Math.log2(f));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = bandsDb.reduce((s, v) => s + v, 0) / bandsDb.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (bandsDb[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/**
 * Syllable nuclei: peaks of the smoothed intensity contour that stand ≥ 2 dB above the dip to the
 * previous kept peak, lie within 25 dB of the loud-speech level and have voicing within ±30 ms.
 * Divided by the active (non-pause) time, it is an articulation rate.
 */
function syllableRate(frames: FrameAnalysis): number {
  const { levelsDb, active, f0, activeFrames } = frames;
  const count = levelsDb.length;
  // 50 ms moving average of power smooths over pitch-period ripple inside a vowel.
  const smooth = new Float32Array(count);
  let acc = 0;
  const half = 2;
  const power = (i: number): number => Math.pow(10, levelsDb[i]! / 10);
  for (let i = 0; i < Math.min(count, half + 1); i++) acc += power(i);
  for (let i = 0; i < count; i++) {
    const lo = i - half;
    const windowLen = Math.min(count - 1, i + half) - Math.max(0, lo) + 1;
    smooth[i] = 10 * Math.log10(acc / windowLen + 1e-20);
    if (i + half + 1 < count) acc += power(i + half + 1);
    if (lo >= 0) acc -= power(lo);
  }
  const reference = percentile(smooth.slice().sort(), 0.95);
  const floor = reference - 25;
  let peaks = 0;
  let lastPeak = -1;
  let dip = Infinity;
  const voicedNear = (i: number): boolean => {
    for (let k = Math.max(0, i - 3); k <= Math.min(count - 1, i + 3); k++) if (f0[k]! > 0) return true;
    return false;
  };
  for (let i = 1; i + 1 < count; i++) {
    const v = smooth[i]!;
    dip = Math.min(dip, v);
    if (!(active[i] && v >= floor && v > smooth[i - 1]! && v >= smooth[i + 1]!)) continue;
    if (!voicedNear(i)) continue;
    if (lastPeak < 0 || Math.min(v, smooth[lastPeak]!) - dip >= 2) {
      peaks++;
      lastPeak = i;
      dip = v;
    } else if (v > smooth[lastPeak]!) {
      // Too shallow a dip: the same nucleus, and this maximum is its better estimate.
      lastPeak = i;
      dip = v;
    }
  }
  const activeSeconds = activeFrames * frames.hopSeconds;
  return activeSeconds > 0 ? peaks / activeSeconds : 0;
}

/**
 * Measures a voice sample: YIN pitch statistics, BS.1770 loudness, syllable rate, long-term spectral
 * profile and an MFCC-statistics embedding. Throws AUDIO_TOO_SHORT under 0.5 s and NO_VOICED_SPEECH
 * when fewer than 0.2 s of voiced frames are found.
 */
export function analyzeVoice(samples: Float32Array, sampleRate: number): VoiceCharacteristics {
  assertRate(sampleRate);
  const durationSeconds = samples.length / sampleRate;
  if (durationSeconds < MIN_DURATION_SECONDS) {
    throw new VoiceDspError(
      'AUDIO_TOO_SHORT',
      `voice analysis needs at least ${MIN_DURATION_SECONDS}s of audio, got ${durationSeconds.toFixed(3)}s`,
    );
  }
  const frames = analyzeFrames(samples, sampleRate);
  let voicedCount = 0;
  for (const v of frames.f0) if (v > 0) voicedCount++;
  if (voicedCount < MIN_VOICED_FRAMES) {
    throw new VoiceDspError(
      'NO_VOICED_SPEECH',
      `found ${(voicedCount * frames.hopSeconds).toFixed(2)}s of voiced speech; at least ${MIN_VOICED_FRAMES * frames.hopSeconds}s is needed`,
    );
  }
  const voiced = new Float32Array(voicedCount);
  let j = 0;
  let sum = 0;
  for (const v of frames.f0) {
    if (v > 0) {
      voiced[j++] = v;
      sum += v;
    }
  }
  voiced.sort();
  const medianHz = percentile(voiced, 0.5);
  let squares = 0;
  for (const v of voiced) squares += (12 * Math.log2(v / medianHz)) ** 2;

  const bandEnergiesDb = bandEnergiesFromLtas(frames.ltas);
  const { centroidHz, rolloffHz } = spectralShape(frames.ltas);
  const embedding: number[] = [];
  for (let c = 0; c < MFCC_COUNT; c++) embedding.push(frames.mfccSum[c]! / frames.activeFrames);
  for (let c = 0; c < MFCC_COUNT; c++) {
    const mean = embedding[c]!;
    embedding.push(Math.sqrt(Math.max(0, frames.mfccSumSquares[c]! / frames.activeFrames - mean * mean)));
  }
  const norm = Math.sqrt(embedding.reduce((s, v) => s + v * v, 0)) || 1;
  const loudness = integratedLoudness(samples, sampleRate);

  return {
    pitch: {
      medianHz,
      meanHz: sum / voicedCount,
      p10Hz: percentile(voiced, 0.1),
      p90Hz: percentile(voiced, 0.9),
      stdSemitones: Math.sqrt(squares / voicedCount),
      voicedRatio: voicedCount / Math.max(1, frames.activeFrames),
    },
    loudnessLufs: Number.isFinite(loudness) ? loudness : -70,
    speakingRate: { syllablesPerSecond: syllableRate(frames), method: SPEAKING_RATE_METHOD },
    spectral: { centroidHz, rolloffHz, tiltDbPerOctave: tilt(bandEnergiesDb, bandCentersHz()), bandEnergiesDb },
    embedding: embedding.map((v) => v / norm),
    durationSeconds,
  };
}

/** Weights of {@link voiceDistance}; see there. */
export const VOICE_DISTANCE_SEMITONES_PER_UNIT = 12;
export const VOICE_DISTANCE_COSINE_PER_UNIT = 0.1;

export interface VoiceDistanceDetail {
  readonly distance: number;
  /** |12·log2(medianA / medianB)|. */
  readonly pitchSemitones: number;
  /** 1 − cosine similarity of the embeddings. */
  readonly embeddingCosineDistance: number;
}

/** {@link voiceDistance} with its two components. */
export function voiceDistanceDetail(a: VoiceCharacteristics, b: VoiceCharacteristics): VoiceDistanceDetail {
  const pitchSemitones = Math.abs(12 * Math.log2(a.pitch.medianHz / b.pitch.medianHz));
  let dot = 0;
  let na = 0;
  let nb = 0;
  const len = Math.min(a.embedding.length, b.embedding.length);
  for (let i = 0; i < len; i++) {
    dot += a.embedding[i]! * b.embedding[i]!;
    na += a.embedding[i]! ** 2;
    nb += b.embedding[i]! ** 2;
  }
  const cosine = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
  const embeddingCosineDistance = Math.max(0, 1 - cosine);
  return {
    distance:
      0.5 * (pitchSemitones / VOICE_DISTANCE_SEMITONES_PER_UNIT) +
      0.5 * (embeddingCosineDistance / VOICE_DISTANCE_COSINE_PER_UNIT),
    pitchSemitones,
    embeddingCosineDistance,
  };
}

/**
 * Dissimilarity of two voices, 0 for identical measurements:
 * 0.5·(|Δ median pitch| / 12 semitones) + 0.5·((1 − cos(embeddings)) / 0.1).
 * One unit on either term is "clearly a different voice" (an octave apart, or an embedding cosine
 * distance of 0.1). Symmetric; not a metric in the strict sense.
 */
export function voiceDistance(a: VoiceCharacteristics, b: VoiceCharacteristics): number {
  return voiceDistanceDetail(a, b).distance;
}
