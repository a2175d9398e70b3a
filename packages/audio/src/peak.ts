import { assertSampleRate, kaiser, sinc, toDb } from './dsp';

/** Oversampling factor of the true-peak meter (BS.1770-4 Annex 2 uses 4x at 48 kHz). */
export const OVERSAMPLING = 4;
/** Taps per phase; the prototype filter has OVERSAMPLING * TAPS = 64 taps. */
export const TAPS = 16;
export const HALF = TAPS / 2;
const BETA = 5;
/** Skip granularity: small enough that quiet gaps between syllables are skipped. */
export const BLOCK = 128;

type Taps8 = [number, number, number, number, number, number, number, number];
type Taps16 = [...Taps8, ...Taps8];

/**
 * Taps of the interpolator for the point n + frac, applied to x[n-7] .. x[n+8]. The prototype is
 * a Kaiser-windowed sinc with its cutoff at the input Nyquist; at frac = 0 its taps are a unit
 * impulse, so the sample itself is one of the oversampled points and the true peak can never
 * read below the sample peak.
 */
export function phaseTaps(frac: number): Taps16 {
  const taps: number[] = [];
  for (let k = 0; k < TAPS; k++) {
    const t = frac - (k - HALF + 1); // distance from tap k's sample to the interpolated point
    taps.push(sinc(t) * kaiser(t / HALF, BETA));
  }
  return taps as Taps16;
}

// Phase 3/4 is phase 1/4 mirrored and phase 1/2 is symmetric, so two tap sets cover all three.
const Q = phaseTaps(1 / OVERSAMPLING);
const H = phaseTaps(2 / OVERSAMPLING);
const [q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15] = Q;
const [h0, h1, h2, h3, h4, h5, h6, h7] = H;

/**
 * Upper bound of |interpolated| / max|x| over a tap window: lets blocks that cannot matter be
 * skipped without running the filter.
 */
export const GAIN_BOUND = Math.max(...[Q, H].map((taps) => taps.reduce((sum, c) => sum + Math.abs(c), 0)));

/**
 * Scans `samples` with the 4x interpolator. Returns the maximum absolute value over all sample
 * and interpolated positions. When `perSample` is given, `perSample[n]` receives the maximum over
 * positions n, n+1/4, n+1/2 and n+3/4; blocks whose bound cannot exceed `floor` are filled with
 * |x[n]| only (exact values are not needed there).
 */
export function scanTruePeak(samples: Float32Array, perSample?: Float32Array, floor = 0): number {
  const n = samples.length;
  let best = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(samples[i] ?? 0);
    if (a > best) best = a;
    if (perSample) perSample[i] = a;
  }
  if (best === 0) return 0;
  const scratch = new Float64Array(BLOCK + TAPS);
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    // Window x[start - 7] .. x[end + 8), zero outside the signal.
    const winStart = start - HALF + 1;
    let localMax = 0;
    for (let j = 0; j < end - start + TAPS - 1; j++) {
      const idx = winStart + j;
      const v = idx >= 0 && idx < n ? (samples[idx] ?? 0) : 0;
      scratch[j] = v;
      const a = Math.abs(v);
      if (a > localMax) localMax = a;
    }
    const threshold = perSample ? floor : best;
    if (localMax * GAIN_BOUND <= threshold) continue;
    for (let i = start; i < end; i++) {
      const o = i - start; // scratch[o + k] = x[i - 7 + k]
      // Unrolled: this loop dominates analysis and limiting time.
      const v0 = scratch[o] ?? 0;
      const v1 = scratch[o + 1] ?? 0;
      const v2 = scratch[o + 2] ?? 0;
      const v3 = scratch[o + 3] ?? 0;
      const v4 = scratch[o + 4] ?? 0;
      const v5 = scratch[o + 5] ?? 0;
      const v6 = scratch[o + 6] ?? 0;
      const v7 = scratch[o + 7] ?? 0;
      const v8 = scratch[o + 8] ?? 0;
      const v9 = scratch[o + 9] ?? 0;
      const v10 = scratch[o + 10] ?? 0;
      const v11 = scratch[o + 11] ?? 0;
      const v12 = scratch[o + 12] ?? 0;
      const v13 = scratch[o + 13] ?? 0;
      const v14 = scratch[o + 14] ?? 0;
      const v15 = scratch[o + 15] ?? 0;
      // prettier-ignore
      const y1 =
        q0 * v0 + q1 * v1 + q2 * v2 + q3 * v3 + q4 * v4 + q5 * v5 + q6 * v6 + q7 * v7 +
        q8 * v8 + q9 * v9 + q10 * v10 + q11 * v11 + q12 * v12 + q13 * v13 + q14 * v14 + q15 * v15;
      // prettier-ignore
      const y3 =
        q0 * v15 + q1 * v14 + q2 * v13 + q3 * v12 + q4 * v11 + q5 * v10 + q6 * v9 + q7 * v8 +
        q8 * v7 + q9 * v6 + q10 * v5 + q11 * v4 + q12 * v3 + q13 * v2 + q14 * v1 + q15 * v0;
      // prettier-ignore
      const y2 =
        h0 * (v0 + v15) + h1 * (v1 + v14) + h2 * (v2 + v13) + h3 * (v3 + v12) +
        h4 * (v4 + v11) + h5 * (v5 + v10) + h6 * (v6 + v9) + h7 * (v7 + v8);
      const m = Math.max(Math.abs(y1), Math.abs(y2), Math.abs(y3));
      if (m > best) best = m;
      if (perSample && m > (perSample[i] ?? 0)) perSample[i] = m;
    }
  }
  return best;
}

/**
 * True peak in dBTP: maximum of the 4x oversampled signal (polyphase 64-tap Kaiser-windowed
 * sinc, BS.1770-4 Annex 2 method). -Infinity for silence.
 */
export function truePeakDbtp(samples: Float32Array, sampleRate: number): number {
  // The interpolator works in normalised frequency, so the rate only needs to be valid.
  assertSampleRate(sampleRate);
  return toDb(scanTruePeak(samples));
}

/** Sample peak in dBFS. -Infinity for silence. */
export function samplePeakDbfs(samples: Float32Array): number {
  let best = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i] ?? 0);
    if (a > best) best = a;
  }
  return toDb(best);
}
