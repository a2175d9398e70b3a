import { assertSampleRate } from './dsp';

/** Coefficients of one biquad section, normalised so a0 = 1. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/**
 * The two K-weighting stages of ITU-R BS.1770-4 (high-shelf "pre-filter" and RLB high-pass),
 * derived for any sample rate by the bilinear transform of the analogue prototypes. At 48 kHz
 * this reproduces the coefficient table printed in the recommendation.
 */
export function kWeightingFilters(sampleRate: number): [Biquad, Biquad] {
  assertSampleRate(sampleRate);
  // Analogue prototype parameters fitted to the 48 kHz table (as in libebur128).
  const shelfF0 = 1681.974450955533;
  const shelfGainDb = 3.999843853973347;
  const shelfQ = 0.7071752369554196;
  let k = Math.tan((Math.PI * shelfF0) / sampleRate);
  const vh = Math.pow(10, shelfGainDb / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  let a0 = 1 + k / shelfQ + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / shelfQ + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / shelfQ + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / shelfQ + k * k) / a0,
  };
  const hpF0 = 38.13547087602444;
  const hpQ = 0.5003270373238773;
  k = Math.tan((Math.PI * hpF0) / sampleRate);
  a0 = 1 + k / hpQ + k * k;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / hpQ + k * k) / a0,
  };
  return [shelf, highPass];
}

export const BLOCK_SEGMENTS = 4; // 400 ms gating block = 4 x 100 ms steps (75 % overlap)
const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;
const LOUDNESS_OFFSET = -0.691;

/**
 * Mean square of the K-weighted signal for every 400 ms gating block (100 ms hop). A signal
 * shorter than one block yields a single block over the whole signal, so short clips (a TTS
 * word) still get a finite measurement instead of -Infinity.
 */
export function gatingBlockPowers(samples: Float32Array, sampleRate: number): Float64Array {
  const [s, h] = kWeightingFilters(sampleRate);
  const n = samples.length;
  if (n === 0) return new Float64Array(0);
  const hop = sampleRate / 10;
  const segmentCount = Math.floor(n / hop);
  // Boundaries are rounded per segment so rates like 11025 Hz (1102.5-sample hop) do not drift.
  const bounds = new Float64Array(segmentCount + 1);
  for (let i = 0; i <= segmentCount; i++) bounds[i] = Math.round(i * hop);
  const segmentSums = new Float64Array(Math.max(segmentCount, 1));

  // Direct form II transposed; the state is float64 because the shelf's poles sit near z = 1.
  let s1 = 0;
  let s2 = 0;
  let h1 = 0;
  let h2 = 0;
  let segment = 0;
  let nextBound = segmentCount > 0 ? (bounds[1] ?? n) : n;
  let acc = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    const y1 = s.b0 * x + s1;
    s1 = s.b1 * x - s.a1 * y1 + s2;
    s2 = s.b2 * x - s.a2 * y1;
    const y2 = h.b0 * y1 + h1;
    h1 = h.b1 * y1 - h.a1 * y2 + h2;
    h2 = h.b2 * y1 - h.a2 * y2;
    acc += y2 * y2;
    if (i + 1 === nextBound) {
      if (segment < segmentCount) segmentSums[segment] = acc;
      total += acc;
      acc = 0;
      segment++;
      nextBound = segment < segmentCount ? (bounds[segment + 1] ?? n) : n;
    }
  }
  total += acc;

  if (segmentCount < BLOCK_SEGMENTS) return Float64Array.of(total / n);
  const blocks = new Float64Array(segmentCount - BLOCK_SEGMENTS + 1);
  for (let j = 0; j < blocks.length; j++) {
    let sum = 0;
    for (let q = 0; q < BLOCK_SEGMENTS; q++) sum += segmentSums[j + q] ?? 0;
    blocks[j] = sum / ((bounds[j + BLOCK_SEGMENTS] ?? n) - (bounds[j] ?? 0));
  }
  return blocks;
}

const powerToLufs = (meanSquare: number): number =>
  meanSquare > 0 ? LOUDNESS_OFFSET + 10 * Math.log10(meanSquare) : -Infinity;

/**
 * Integrated loudness of a mono signal in LUFS per ITU-R BS.1770-4 / EBU R128: K-weighting,
 * 400 ms blocks with 75 % overlap, absolute gate at -70 LUFS and relative gate at -10 LU.
 * Returns -Infinity for silence (no block above the absolute gate).
 *
 * Mono is measured as a single channel with weight 1, so a sine reads 3 dB lower than the same
 * sine on both channels of a stereo file (EBU Tech 3341's -23 dBFS stereo tone reads -26 here).
 */
export function integratedLoudness(samples: Float32Array, sampleRate: number): number {
  return gatedLoudness(gatingBlockPowers(samples, sampleRate));
}

/** Applies the two BS.1770 gates to block powers and returns integrated loudness. */
export function gatedLoudness(blocks: Float64Array): number {
  const absoluteGate = Math.pow(10, (ABSOLUTE_GATE_LUFS - LOUDNESS_OFFSET) / 10);
  let sum = 0;
  let count = 0;
  for (const z of blocks) {
    if (z > absoluteGate) {
      sum += z;
      count++;
    }
  }
  if (count === 0) return -Infinity;
  const relativeGate = (sum / count) * Math.pow(10, RELATIVE_GATE_LU / 10);
  const gate = Math.max(absoluteGate, relativeGate);
  sum = 0;
  count = 0;
  for (const z of blocks) {
    if (z > gate) {
      sum += z;
      count++;
    }
  }
  return count === 0 ? -Infinity : powerToLufs(sum / count);
}
