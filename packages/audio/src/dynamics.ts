import { assertSampleRate, fromDb, toDb } from './dsp';
import { integratedLoudness } from './loudness';
import { scanTruePeak } from './peak';

/** Targets for {@link normalizeLoudness}. */
export interface LoudnessTarget {
  /** Integrated loudness to reach, e.g. -16 (podcast), -23 (EBU R128). */
  targetLufs: number;
  /** Maximum true peak of the output, e.g. -1. */
  truePeakCeilingDbtp: number;
}

/** Result of {@link normalizeLoudness}. */
export interface NormalizeResult {
  samples: Float32Array;
  /** Static gain applied before limiting. */
  gainDb: number;
  /** Deepest gain reduction applied by the limiter, in dB (0 when it did not engage). */
  limitedDb: number;
  /** Measured integrated loudness of the output. */
  integratedLufs: number;
  /** Measured true peak of the output. */
  truePeakDbtp: number;
}

/** Look-ahead (= attack ramp) of the limiter; short enough to keep plosives intact. */
export const LOOKAHEAD_SECONDS = 0.002;
/** Release time constant; long enough not to pump on voiced speech. */
export const RELEASE_SECONDS = 0.08;
/**
 * The limiter aims this far below the ceiling, because applying a gain curve at the base rate
 * modulates the signal and moves inter-sample peaks slightly.
 */
export const LIMITER_MARGIN_DB = 0.1;
/** Exact per-sample peaks are kept wherever up to this much extra gain could reach the ceiling. */
const ITERATION_HEADROOM_DB = 6;
/** Loudness error (LU) that triggers a gain correction. */
const LOUDNESS_TOLERANCE_LU = 0.1;
/** Gain corrections are bounded so heavily clipped input cannot loop or explode. */
export const MAX_COMPENSATION_PASSES = 3;
export const MAX_COMPENSATION_STEP_DB = 6;
const MIN_SLOPE = 0.25;

/** A static gain tried and the integrated loudness it gave. */
export interface LoudnessAttempt {
  readonly gainDb: number;
  readonly lufs: number;
}

/**
 * One loudness correction, shared by the whole-array and streaming normalisers: the next static gain, or
 * undefined when `current` is within 0.1 LU of the target (or unmeasurable). The static gain misses the target
 * when limiting costs loudness (raising the gain then causes more limiting, so the loudness-vs-gain slope is
 * below 1), or when gating changes with level (material near the -70 LUFS absolute gate). Steps are bounded
 * to ±6 dB; after the first, each uses the measured (secant) slope.
 *
 * The first correction, when the first attempt (at the static gain) was short and `limitOnsetGainDb` says where
 * the limiter starts to act (the ceiling less the margin less the input's true peak), models the loudness lost to
 * limiting as growing with the square of the gain above that onset, fitted to the loss just measured: on speech it
 * follows the measured loss within a few per cent over the whole range, so this step usually lands within the
 * tolerance where assuming slope 1 needed a second correction. Without the onset, or when the model has no
 * solution, it assumes the model's slope there (slope 1 without an onset).
 */
export function nextCompensationGainDb(
  targetLufs: number,
  current: LoudnessAttempt,
  previous: LoudnessAttempt | undefined,
  limitOnsetGainDb?: number,
): number | undefined {
  const shortfall = targetLufs - current.lufs;
  if (Math.abs(shortfall) <= LOUDNESS_TOLERANCE_LU || !Number.isFinite(current.lufs)) return undefined;
  const bounded = (step: number) =>
    current.gainDb + Math.max(-MAX_COMPENSATION_STEP_DB, Math.min(MAX_COMPENSATION_STEP_DB, step));
  const aboveOnset = limitOnsetGainDb === undefined ? 0 : current.gainDb - limitOnsetGainDb;
  if (!previous && shortfall > 0 && aboveOnset > 0) {
    // The first attempt used the static gain, so its shortfall is the loss: loss(g) = shortfall * ((g - onset) / d)^2.
    // The gain that makes up for its own extra loss solves step = loss(gain + step) - 0: a quadratic whose
    // discriminant is 1 - 4u with u = shortfall / d.
    const u = shortfall / aboveOnset;
    if (u <= 0.25) return bounded((2 * shortfall) / (1 - 2 * u + Math.sqrt(1 - 4 * u)));
    return bounded(shortfall / Math.max(MIN_SLOPE, 1 - 2 * u));
  }
  let slope = 1;
  if (previous && current.gainDb !== previous.gainDb)
    slope = (current.lufs - previous.lufs) / (current.gainDb - previous.gainDb);
  return bounded(shortfall / Math.max(MIN_SLOPE, Math.min(1, slope)));
}

/**
 * Computes a smooth limiter gain into `env[0..n)` such that env[i] * gain * peaks(i) <= ceiling
 * for every base-rate sample and the interpolated points on both sides of it. Returns the
 * smallest gain factor. `env` needs `lookahead` spare elements after n.
 *
 * The curve is: required gain -> running minimum over the look-ahead window (hold) -> one-pole
 * release -> moving average over the same window. Each average includes only values that are
 * <= the requirement at its centre sample, so the ramps never overshoot the requirement.
 */
function limiterEnvelope(
  peaks: Float32Array,
  n: number,
  gain: number,
  ceiling: number,
  env: Float32Array,
  lookahead: number,
  releaseCoef: number,
): number {
  const total = n + lookahead;
  // 1. Required gain per sample; an interpolated peak between n-1 and n constrains both.
  let previous = 0;
  let limited = false;
  for (let i = 0; i < n; i++) {
    const p = peaks[i] ?? 0;
    const level = gain * Math.max(previous, p);
    previous = p;
    const r = level > ceiling ? ceiling / level : 1;
    if (r < 1) limited = true;
    env[i] = r;
  }
  if (!limited) {
    env.fill(1, 0, total);
    return 1;
  }
  env.fill(1, n, total);

  // 2. Running minimum over the past `lookahead` samples (monotonic deque, values copied so the
  //    array can be overwritten in place).
  const cap = lookahead + 1;
  const dqIdx = new Int32Array(cap);
  const dqVal = new Float64Array(cap);
  let head = 0;
  let size = 0;
  for (let i = 0; i < total; i++) {
    const v = env[i] ?? 1;
    while (size > 0 && (dqVal[(head + size - 1) % cap] ?? 0) >= v) size--;
    dqIdx[(head + size) % cap] = i;
    dqVal[(head + size) % cap] = v;
    size++;
    while ((dqIdx[head] ?? 0) <= i - lookahead) {
      head = (head + 1) % cap;
      size--;
    }
    env[i] = dqVal[head] ?? 1;
  }

  // 3. Release: gain may fall instantly but recovers exponentially.
  let e = 1;
  for (let i = 0; i < total; i++) {
    const h = env[i] ?? 1;
    e = Math.min(h, e + (1 - e) * releaseCoef);
    env[i] = e;
  }

  // 4. Attack: average over the next `lookahead` samples. Recomputing the sum periodically keeps
  //    float drift from pushing the average above a requirement on hour-long inputs.
  const inv = 1 / lookahead;
  let sum = 0;
  for (let j = 0; j < lookahead; j++) sum += env[j] ?? 1;
  let minGain = 1;
  for (let i = 0; i < n; i++) {
    if ((i & 0xffff) === 0 && i > 0) {
      sum = 0;
      for (let j = i; j < i + lookahead; j++) sum += env[j] ?? 1;
    }
    const old = env[i] ?? 1;
    const g = Math.min(1, sum * inv);
    env[i] = g;
    if (g < minGain) minGain = g;
    sum += (env[i + lookahead] ?? 1) - old;
  }
  return minGain;
}

/** Returns the input itself when every sample is finite, otherwise a copy with non-finite samples zeroed. */
function finiteSamples(samples: Float32Array): Float32Array {
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i] ?? 0)) {
      const copy = samples.slice();
      for (let j = i; j < copy.length; j++) if (!Number.isFinite(copy[j] ?? 0)) copy[j] = 0;
      return copy;
    }
  }
  return samples;
}

/**
 * Normalises a mono signal to an integrated loudness target (BS.1770) and keeps its true peak
 * under a ceiling with a look-ahead limiter driven by the 4x oversampled signal (2 ms attack,
 * 80 ms release).
 *
 * Gain is applied first; if the result misses the target (limiting cost loudness, or gating
 * changed with level) the gain is corrected, at most three times. The output's true peak is
 * always <= the ceiling: it is verified on the output and, if gain modulation pushed a peak over,
 * limited again (or, as a last resort, trimmed). Loudness lands within 0.1 LU of the target
 * unless reaching it would need more than ~20 dB of limiting. Silence is returned as a copy with
 * gainDb 0. Non-finite input samples are treated as 0; the input array is never modified.
 * Memory: three temporaries the size of the input.
 */
export function normalizeLoudness(samples: Float32Array, sampleRate: number, target: LoudnessTarget): NormalizeResult {
  assertSampleRate(sampleRate);
  const { targetLufs, truePeakCeilingDbtp } = target;
  if (!Number.isFinite(targetLufs) || !Number.isFinite(truePeakCeilingDbtp)) {
    throw new RangeError('targetLufs and truePeakCeilingDbtp must be finite numbers');
  }
  const input = finiteSamples(samples);
  const inputLufs = integratedLoudness(input, sampleRate);
  if (!Number.isFinite(inputLufs)) {
    const copy = input === samples ? input.slice() : input;
    return {
      samples: copy,
      gainDb: 0,
      limitedDb: 0,
      integratedLufs: inputLufs,
      truePeakDbtp: toDb(scanTruePeak(copy)),
    };
  }

  const n = input.length;
  const ceiling = fromDb(truePeakCeilingDbtp);
  const limiterCeiling = fromDb(truePeakCeilingDbtp - LIMITER_MARGIN_DB);
  const lookahead = Math.max(1, Math.round(LOOKAHEAD_SECONDS * sampleRate));
  const releaseCoef = 1 - Math.exp(-1 / (RELEASE_SECONDS * sampleRate));

  // The three full-length temporaries: per-sample true peaks, limiter gain, output.
  const peaks = new Float32Array(n);
  const env = new Float32Array(n + lookahead);
  const out = new Float32Array(n);

  let gainDb = targetLufs - inputLufs;
  let exactUpToGain = 0;
  let inputPeak = 0;
  const render = (db: number): number => {
    const g = fromDb(db);
    if (g > exactUpToGain) {
      exactUpToGain = g * fromDb(ITERATION_HEADROOM_DB);
      inputPeak = scanTruePeak(input, peaks, limiterCeiling / exactUpToGain);
    }
    if (inputPeak * g <= limiterCeiling) {
      for (let i = 0; i < n; i++) out[i] = (input[i] ?? 0) * g;
      return 1;
    }
    const minGain = limiterEnvelope(peaks, n, g, limiterCeiling, env, lookahead, releaseCoef);
    for (let i = 0; i < n; i++) out[i] = (input[i] ?? 0) * g * (env[i] ?? 1);
    return minGain;
  };

  let minGain = render(gainDb);
  let lufs = integratedLoudness(out, sampleRate);
  // Where limiting starts; the first render scanned the input's true peak (exactly, wherever it could limit).
  const limitOnsetGainDb = truePeakCeilingDbtp - LIMITER_MARGIN_DB - toDb(inputPeak);
  // See nextCompensationGainDb for why the static gain can miss the target.
  let previous: LoudnessAttempt | undefined;
  for (let pass = 0; pass < MAX_COMPENSATION_PASSES; pass++) {
    const next = nextCompensationGainDb(targetLufs, { gainDb, lufs }, previous, limitOnsetGainDb);
    if (next === undefined) break;
    previous = { gainDb, lufs };
    gainDb = next;
    minGain = render(gainDb);
    lufs = integratedLoudness(out, sampleRate);
  }

  // Verify on the output itself; the limiter's estimate ignores gain modulation.
  let truePeak = scanTruePeak(out);
  let changed = false;
  for (let attempt = 1; attempt <= 2 && truePeak > ceiling; attempt++) {
    const extraCeiling = fromDb(truePeakCeilingDbtp - LIMITER_MARGIN_DB * (attempt + 1));
    scanTruePeak(out, peaks, extraCeiling);
    const extra = limiterEnvelope(peaks, n, 1, extraCeiling, env, lookahead, releaseCoef);
    for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) * (env[i] ?? 1);
    minGain *= extra;
    truePeak = scanTruePeak(out);
    changed = true;
  }
  if (truePeak > ceiling) {
    // Last resort, never expected in practice: a uniform trim guarantees the ceiling.
    const trim = (ceiling / truePeak) * (1 - 1e-6);
    for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) * trim;
    gainDb += toDb(trim);
    truePeak = scanTruePeak(out);
    changed = true;
  }
  if (changed) lufs = integratedLoudness(out, sampleRate);

  return {
    samples: out,
    gainDb,
    limitedDb: minGain < 1 ? -toDb(minGain) : 0,
    integratedLufs: lufs,
    truePeakDbtp: toDb(truePeak),
  };
}
