import { integratedLoudness, resample, type SampleSource } from '@voice/audio';

import { VoiceDspError, assertFinite, assertRate } from './errors';
import { Fft, hannPeriodic, hzToMel } from './fft';
import {
  BAND_COUNT,
  analyzeFrames,
  bandCentersHz,
  bandEnergiesFromLtas,
  type VoiceCharacteristics,
} from './voice-characteristics';

/** WSOLA frame: 40 ms holds two periods of a 50 Hz voice, so every frame carries whole periods. */
const WSOLA_FRAME_SECONDS = 0.04;
/** ±10 ms search: at least half the longest pitch period, enough to find an in-phase continuation. */
const WSOLA_TOLERANCE_SECONDS = 0.01;
/** The coarse search runs on every d-th sample, d = rate / 8 kHz: speech periodicity is below 4 kHz. */
const COARSE_RATE = 8000;
const MAX_STRETCH = 4;

/**
 * WSOLA time-scale modification (Verhelst & Roelands 1993): Hann frames at a fixed synthesis hop, each
 * taken from within ±10 ms of its ideal analysis position where it best continues the previous frame
 * (normalised cross-correlation, coarse-to-fine), so periods are never cut mid-cycle and pitch is kept.
 * Output length is round(n·factor); factor > 1 is slower/longer. Memory: the output plus O(frame).
 */
export function timeStretch(samples: Float32Array, sampleRate: number, factor: number): Float32Array {
  assertRate(sampleRate);
  assertFinite(factor, 'factor');
  if (factor < 1 / MAX_STRETCH || factor > MAX_STRETCH) {
    throw new VoiceDspError(
      'INVALID_ARGUMENT',
      `stretch factor must be between ${1 / MAX_STRETCH} and ${MAX_STRETCH}, got ${factor}`,
    );
  }
  const n = samples.length;
  const outLength = Math.round(n * factor);
  const out = new Float32Array(outLength);
  if (n === 0 || outLength === 0) return out;
  if (factor === 1) return samples.slice();

  const frame = 2 * Math.round((WSOLA_FRAME_SECONDS * sampleRate) / 2);
  const hop = frame / 2;
  const tolerance = Math.round(WSOLA_TOLERANCE_SECONDS * sampleRate);
  const step = Math.max(1, Math.round(sampleRate / COARSE_RATE));
  const window = hannPeriodic(frame);
  const lastStart = n - frame;

  // Normalised cross-correlation of x[p .. p+frame) with x[t .. t+frame), sampled every `stride`.
  const similarity = (t: number, p: number, stride: number): number => {
    let dot = 0;
    let energy = 1e-12;
    for (let i = 0; i < frame; i += stride) {
      const v = samples[p + i]!;
      dot += samples[t + i]! * v;
      energy += v * v;
    }
    return dot / Math.sqrt(energy);
  };

  let previous = Number.NaN;
  for (let k = 0; ; k++) {
    // The first frame starts a hop before 0 so the output's first samples get full window weight.
    const outStart = k * hop - hop;
    if (outStart >= outLength) break;
    const ideal = Math.round((outStart + hop) / factor - hop);
    let position = ideal;
    const template = previous + hop;
    if (!Number.isNaN(previous) && template >= 0 && template <= lastStart) {
      const lo = Math.max(0, ideal - tolerance);
      const hi = Math.min(lastStart, ideal + tolerance);
      if (lo <= hi) {
        let best = lo;
        let bestScore = -Infinity;
        for (let p = lo; p <= hi; p += step) {
          const score = similarity(template, p, step);
          if (score > bestScore) {
            bestScore = score;
            best = p;
          }
        }
        if (step > 1) {
          const coarse = best;
          bestScore = -Infinity;
          for (let p = Math.max(lo, coarse - step); p <= Math.min(hi, coarse + step); p++) {
            const score = similarity(template, p, 1);
            if (score > bestScore) {
              bestScore = score;
              best = p;
            }
          }
        }
        position = best;
      }
    }
    for (let i = 0; i < frame; i++) {
      const o = outStart + i;
      const s = position + i;
      if (o >= 0 && o < outLength && s >= 0 && s < n) out[o] = out[o]! + window[i]! * samples[s]!;
    }
    previous = position;
  }
  return out;
}

/** Resamples to exactly `length` samples by treating the input as running at rate·len/length. */
function resampleToLength(samples: Float32Array, sampleRate: number, length: number): Float32Array {
  const fromRate = Math.max(1, Math.round((sampleRate * samples.length) / length));
  const converted = resample(samples, fromRate, sampleRate);
  if (converted.length === length) return converted;
  const out = new Float32Array(length);
  out.set(converted.subarray(0, Math.min(length, converted.length)));
  return out;
}

/**
 * Shifts pitch by `semitones` keeping the duration: WSOLA-stretch by r = 2^(st/12), then band-limited
 * resampling by 1/r back to the original length. Formants move with the pitch (as in a tape-speed
 * change); `matchTimbre` can pull the spectral envelope back toward a target. Range ±24 semitones.
 */
export function pitchShift(samples: Float32Array, sampleRate: number, semitones: number): Float32Array {
  assertRate(sampleRate);
  assertFinite(semitones, 'semitones');
  if (Math.abs(semitones) > 24) {
    throw new VoiceDspError('INVALID_ARGUMENT', `pitch shift must be within ±24 semitones, got ${semitones}`);
  }
  if (semitones === 0 || samples.length === 0) return samples.slice();
  const ratio = Math.pow(2, semitones / 12);
  const stretched = timeStretch(samples, sampleRate, ratio);
  return resampleToLength(stretched, sampleRate, samples.length);
}

export interface MatchTimbreOptions {
  /** Per-band gain limit. Default 12 dB. */
  readonly maxDb?: number;
  /** The input's band energies when already measured (else measured here). */
  readonly sourceBandEnergiesDb?: readonly number[];
}

export interface MatchTimbreResult {
  readonly samples: Float32Array;
  /** Gain applied per band (same bands as `bandEnergiesDb`), after smoothing and limiting. */
  readonly appliedDb: number[];
}

/** Filter design resolution: ~16–25 Hz bins resolve the lowest (≈70 Hz wide) mel bands. */
function designSize(sampleRate: number): number {
  let k = 256;
  while (k < sampleRate / 25) k *= 2;
  return k;
}

/**
 * Linear-phase FIR with the given band gains (dB at the band centres, interpolated on the mel scale,
 * held flat beyond the first and last centre), windowed to `size − 1` taps.
 */
function designEq(gainsDb: readonly number[], centersHz: readonly number[], sampleRate: number): Float64Array {
  const size = designSize(sampleRate);
  const fft = new Fft(size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const centersMel = centersHz.map(hzToMel);
  for (let k = 0; k <= size / 2; k++) {
    const mel = hzToMel((k * sampleRate) / size);
    let db: number;
    if (mel <= centersMel[0]!) db = gainsDb[0]!;
    else if (mel >= centersMel[centersMel.length - 1]!) db = gainsDb[gainsDb.length - 1]!;
    else {
      let b = 0;
      while (centersMel[b + 1]! < mel) b++;
      const t = (mel - centersMel[b]!) / (centersMel[b + 1]! - centersMel[b]!);
      db = gainsDb[b]! + t * (gainsDb[b + 1]! - gainsDb[b]!);
    }
    re[k] = Math.pow(10, db / 20);
    if (k > 0 && k < size / 2) re[size - k] = re[k]!;
  }
  fft.transform(re, im, true);
  const taps = size - 1;
  const centre = (taps - 1) / 2;
  const h = new Float64Array(taps);
  for (let j = 0; j < taps; j++) {
    const lag = j - centre;
    const w = 0.5 + 0.5 * Math.cos((Math.PI * lag) / (centre + 1));
    h[j] = re[(lag + size) % size]! * w;
  }
  return h;
}

/** Zero-delay linear-phase FIR filtering by FFT overlap-add; output length equals input length. */
function applyFir(samples: Float32Array, h: Float64Array): Float32Array {
  const n = samples.length;
  const taps = h.length;
  const delay = (taps - 1) / 2;
  let size = 1;
  while (size < 4 * taps) size *= 2;
  const block = size - taps + 1;
  const fft = new Fft(size);
  const hRe = new Float64Array(size);
  const hIm = new Float64Array(size);
  hRe.set(h);
  fft.transform(hRe, hIm);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += block) {
    re.fill(0);
    im.fill(0);
    const end = Math.min(n, start + block);
    for (let i = start; i < end; i++) re[i - start] = samples[i]!;
    fft.transform(re, im);
    for (let k = 0; k < size; k++) {
      const a = re[k]!;
      const b = im[k]!;
      re[k] = a * hRe[k]! - b * hIm[k]!;
      im[k] = a * hIm[k]! + b * hRe[k]!;
    }
    fft.transform(re, im, true);
    // Convolution sample start+i lands at output start+i−delay (removes the linear-phase delay).
    for (let i = 0; i < end - start + taps - 1; i++) {
      const o = start + i - delay;
      if (o >= 0 && o < n) out[o] = out[o]! + re[i]!;
    }
  }
  return out;
}

/** Scales `out` to the integrated loudness of `reference` (never above a 0.99 sample peak). */
function matchLevel(out: Float32Array, reference: Float32Array, sampleRate: number): void {
  const want = integratedLoudness(reference, sampleRate);
  const have = integratedLoudness(out, sampleRate);
  let gain = Number.isFinite(want) && Number.isFinite(have) ? Math.pow(10, (want - have) / 20) : 1;
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  if (peak * gain > 0.99) gain = 0.99 / peak;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * gain;
}

/**
 * Equalises the long-term spectrum toward `targetBandEnergiesDb` (the 24 mel bands of
 * `analyzeVoice`): per-band differences, smoothed over neighbouring bands and limited to ±maxDb,
 * become a linear-phase FIR (zero net delay). Loudness is restored to the input's afterwards.
 */
export function matchTimbre(
  samples: Float32Array,
  sampleRate: number,
  targetBandEnergiesDb: readonly number[],
  options: MatchTimbreOptions = {},
): MatchTimbreResult {
  assertRate(sampleRate);
  const maxDb = options.maxDb ?? 12;
  assertFinite(maxDb, 'maxDb');
  if (targetBandEnergiesDb.length !== BAND_COUNT || !targetBandEnergiesDb.every(Number.isFinite)) {
    throw new VoiceDspError('INVALID_ARGUMENT', `targetBandEnergiesDb must hold ${BAND_COUNT} finite numbers`);
  }
  let source = options.sourceBandEnergiesDb;
  if (!source) {
    const frames = analyzeFrames(samples, sampleRate);
    if (frames.activeFrames === 0)
      return { samples: samples.slice(), appliedDb: new Array<number>(BAND_COUNT).fill(0) };
    source = bandEnergiesFromLtas(frames.ltas);
  }
  if (source.length !== BAND_COUNT) {
    throw new VoiceDspError('INVALID_ARGUMENT', `sourceBandEnergiesDb must hold ${BAND_COUNT} numbers`);
  }
  const appliedDb = eqGainsDb(targetBandEnergiesDb, source, maxDb);
  const out = applyFir(samples, designEq(appliedDb, bandCentersHz(), sampleRate));
  matchLevel(out, samples, sampleRate);
  return { samples: out, appliedDb };
}

/** Per-band EQ from the source toward the target profile: smoothed, limited to ±maxDb. */
function eqGainsDb(
  targetBandEnergiesDb: readonly number[],
  sourceBandEnergiesDb: readonly number[],
  maxDb: number,
): number[] {
  // Both profiles are mean-0, so the EQ reshapes the spectrum without a net level change.
  const meanOf = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
  const targetMean = meanOf(targetBandEnergiesDb);
  const sourceMean = meanOf(sourceBandEnergiesDb);
  const raw = targetBandEnergiesDb.map((t, b) => t - targetMean - (sourceBandEnergiesDb[b]! - sourceMean));
  // A [¼ ½ ¼] smoothing keeps the EQ to envelope shape, not harmonic-by-harmonic detail.
  return raw.map((v, b) => {
    const left = raw[Math.max(0, b - 1)]!;
    const right = raw[Math.min(BAND_COUNT - 1, b + 1)]!;
    return Math.max(-maxDb, Math.min(maxDb, 0.25 * left + 0.5 * v + 0.25 * right));
  });
}

export interface ConvertVoiceOptions {
  /** Pitch shift limit. Default 12 semitones. */
  readonly maxSemitones?: number;
  /** EQ limit per band. Default 12 dB. */
  readonly maxEqDb?: number;
}

export interface ConvertVoiceResult {
  readonly samples: Float32Array;
  readonly applied: { readonly pitchShiftSemitones: number; readonly eqBandsDb: number[] };
  /** What was done, for the job output: this is signal processing, not a neural voice model. */
  readonly method: string;
}

export const VOICE_CONVERSION_METHOD =
  'dsp: WSOLA+resampling pitch shift by the median-f0 difference, then a linear-phase mel-band EQ toward the target long-term spectrum';

/**
 * What a conversion does, decided once from the whole clip or a representative excerpt of it, then applied
 * to any stretch of the recording: the pitch shift and the EQ filter (none when nothing was audible).
 */
export interface VoiceConversionPlan {
  readonly sampleRate: number;
  readonly semitones: number;
  readonly eqBandsDb: number[];
  readonly eqTaps: Float64Array | undefined;
}

/**
 * Plans moving speech toward a target voice without a neural model: a pitch shift by the median-f0
 * difference (clamped to ±maxSemitones), then an EQ matching the long-term spectral envelope, measured
 * after the shift since the shift moves formants too. `excerpt` is the clip or a sample of it; the shifted
 * excerpt is returned so a caller converting just that clip need not shift it twice.
 */
export function planVoiceConversion(
  excerpt: Float32Array,
  sampleRate: number,
  source: VoiceCharacteristics,
  target: VoiceCharacteristics,
  options: ConvertVoiceOptions = {},
): { plan: VoiceConversionPlan; shiftedExcerpt: Float32Array } {
  assertRate(sampleRate);
  const maxSemitones = options.maxSemitones ?? 12;
  const maxEqDb = options.maxEqDb ?? 12;
  assertFinite(maxSemitones, 'maxSemitones');
  assertFinite(maxEqDb, 'maxEqDb');
  if (!(source.pitch.medianHz > 0) || !(target.pitch.medianHz > 0)) {
    throw new VoiceDspError('INVALID_ARGUMENT', 'source and target characteristics need a positive median pitch');
  }
  const targetBands = target.spectral.bandEnergiesDb;
  if (targetBands.length !== BAND_COUNT || !targetBands.every(Number.isFinite)) {
    throw new VoiceDspError('INVALID_ARGUMENT', `targetBandEnergiesDb must hold ${BAND_COUNT} finite numbers`);
  }
  const wanted = 12 * Math.log2(target.pitch.medianHz / source.pitch.medianHz);
  // Sub-cent shifts are inaudible; skip the resampling pass.
  const semitones = Math.abs(wanted) < 0.01 ? 0 : Math.max(-maxSemitones, Math.min(maxSemitones, wanted));
  const shiftedExcerpt = semitones === 0 ? excerpt.slice() : pitchShift(excerpt, sampleRate, semitones);
  const frames = analyzeFrames(shiftedExcerpt, sampleRate);
  if (frames.activeFrames === 0) {
    return {
      plan: { sampleRate, semitones, eqBandsDb: new Array<number>(BAND_COUNT).fill(0), eqTaps: undefined },
      shiftedExcerpt,
    };
  }
  const eqBandsDb = eqGainsDb(targetBands, bandEnergiesFromLtas(frames.ltas), maxEqDb);
  return {
    plan: { sampleRate, semitones, eqBandsDb, eqTaps: designEq(eqBandsDb, bandCentersHz(), sampleRate) },
    shiftedExcerpt,
  };
}

function applyPlanAfterShift(shifted: Float32Array, plan: VoiceConversionPlan): Float32Array {
  return plan.eqTaps ? applyFir(shifted, plan.eqTaps) : shifted;
}

/** Where a long recording is cut into chunks, and how much context each chunk is converted with. */
export interface ChunkedConversionOptions {
  /** Nominal chunk length. Default 20 s. */
  readonly chunkSeconds?: number;
  /** Each boundary moves to the quietest 10 ms within this distance, so joins land in pauses. Default 1 s. */
  readonly searchSeconds?: number;
}

/** Context converted on each side of a chunk (WSOLA and the EQ filter need it), and the crossfade at joins. */
const CHUNK_MARGIN_SECONDS = 0.25;
const CHUNK_CROSSFADE_SECONDS = 0.02;

/**
 * Applies a plan to a recording of any length in chunks, yielding the converted samples in order (exactly
 * the input's length). Chunk boundaries sit in the quietest 10 ms near every `chunkSeconds`; each chunk is
 * converted with a margin of context, and neighbours are crossfaded over 20 ms at the boundary. Memory is
 * one chunk, whatever the input's length.
 */
export function* renderVoiceConversion(
  source: SampleSource,
  plan: VoiceConversionPlan,
  options: ChunkedConversionOptions = {},
): Generator<Float32Array, void, undefined> {
  const rate = plan.sampleRate;
  const n = source.length;
  const chunk = Math.max(rate, Math.round((options.chunkSeconds ?? 20) * rate));
  // At most a quarter chunk either way, so every chunk moves forward by at least half its nominal length.
  const search = Math.min(Math.floor(chunk / 4), Math.round((options.searchSeconds ?? 1) * rate));
  const margin = Math.round(CHUNK_MARGIN_SECONDS * rate);
  const half = Math.round((CHUNK_CROSSFADE_SECONDS * rate) / 2);
  const convert = (from: number, to: number): { samples: Float32Array; offset: number } => {
    const start = Math.max(0, from - margin);
    const input = source.read(start, Math.min(n, to + margin));
    const shifted = plan.semitones === 0 ? input.slice() : pitchShift(input, rate, plan.semitones);
    return { samples: applyPlanAfterShift(shifted, plan), offset: start };
  };
  // The output of the previous chunk over [boundary − half, boundary + half), waiting to be crossfaded.
  let pendingTail: Float32Array | undefined;
  let from = 0;
  while (from < n) {
    const to = n - from <= chunk + search ? n : quietestPoint(source, from + chunk, search, rate);
    const converted = convert(from, to);
    const at = (position: number): number => converted.samples[position - converted.offset] ?? 0;
    let emitFrom = from;
    if (pendingTail) {
      const width = pendingTail.length;
      const join = new Float32Array(width);
      for (let k = 0; k < width; k++) {
        // sin²/cos² weights sum to one: the two versions of the same audio are correlated, so keep their sum flat.
        const w = Math.sin(((k + 0.5) / width) * (Math.PI / 2)) ** 2;
        join[k] = pendingTail[k]! * (1 - w) + at(from - width / 2 + k) * w;
      }
      yield join;
      emitFrom = from + width / 2;
    }
    const tailWidth = to < n ? Math.min(2 * half, 2 * Math.floor((to - emitFrom) / 2)) : 0;
    const body = new Float32Array(to - tailWidth / 2 - emitFrom);
    for (let i = 0; i < body.length; i++) body[i] = at(emitFrom + i);
    yield body;
    pendingTail = undefined;
    if (tailWidth > 0) {
      pendingTail = new Float32Array(tailWidth);
      for (let k = 0; k < tailWidth; k++) pendingTail[k] = at(to - tailWidth / 2 + k);
    }
    from = to;
  }
}

/** The start of the quietest 10 ms frame within ±search of `around` (a good place to cut speech). */
function quietestPoint(source: SampleSource, around: number, search: number, rate: number): number {
  const hop = Math.max(1, Math.round(rate / 100));
  const from = Math.max(hop, around - search);
  const window = source.read(from, around + search);
  let best = around;
  let bestEnergy = Infinity;
  for (let start = 0; start + hop <= window.length; start += hop) {
    let energy = 0;
    for (let i = start; i < start + hop; i++) energy += window[i]! * window[i]!;
    if (energy < bestEnergy) {
      bestEnergy = energy;
      best = from + start + Math.floor(hop / 2);
    }
  }
  return best;
}

/**
 * Evenly spaced pieces of a long recording, concatenated: a representative sample for measuring the voice
 * and planning the conversion, at most `maxSeconds` long (the whole recording when it is shorter).
 */
export function sampleExcerpts(
  source: SampleSource,
  sampleRate: number,
  maxSeconds = 60,
  pieceSeconds = 5,
): Float32Array {
  const n = source.length;
  const budget = Math.round(maxSeconds * sampleRate);
  if (n <= budget) return source.read(0, n).slice();
  const piece = Math.round(pieceSeconds * sampleRate);
  const pieces = Math.max(1, Math.floor(budget / piece));
  const out = new Float32Array(pieces * piece);
  const stride = (n - piece) / Math.max(1, pieces - 1);
  for (let k = 0; k < pieces; k++) {
    const start = Math.round(k * stride);
    out.set(source.read(start, start + piece), k * piece);
  }
  return out;
}

/**
 * Moves speech toward a target voice without a neural model (see {@link planVoiceConversion}), for a clip
 * in memory. Duration and integrated loudness are preserved.
 */
export function convertVoiceToward(
  samples: Float32Array,
  sampleRate: number,
  source: VoiceCharacteristics,
  target: VoiceCharacteristics,
  options: ConvertVoiceOptions = {},
): ConvertVoiceResult {
  const { plan, shiftedExcerpt } = planVoiceConversion(samples, sampleRate, source, target, options);
  const out = applyPlanAfterShift(shiftedExcerpt, plan);
  if (plan.eqTaps) matchLevel(out, shiftedExcerpt, sampleRate);
  return {
    samples: out,
    applied: { pitchShiftSemitones: plan.semitones, eqBandsDb: plan.eqBandsDb },
    method: VOICE_CONVERSION_METHOD,
  };
}
