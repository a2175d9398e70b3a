import { kaiser, sinc } from '../dsp';

/** Oversampling factor of the true-peak meter (BS.1770-4 Annex 2 uses 4x at 48 kHz). */
const OVERSAMPLING = 4;
/** Taps per phase; the prototype filter has OVERSAMPLING * TAPS = 64 taps. */
const TAPS = 16;
export const HALF = TAPS / 2;
const BETA = 5;
/** Skip granularity: small enough that quiet gaps between syllables are skipped. */
const BLOCK = 128;

type Taps8 = [number, number, number, number, number, number, number, number];
type Taps16 = [...Taps8, ...Taps8];

/**
 * Taps of the interpolator for the point n + frac, applied to x[n-7] .. x[n+8]. The prototype is
 * a Kaiser-windowed sinc with its cutoff at the input Nyquist; at frac = 0 its taps are a unit
 * impulse, so the sample itself is one of the oversampled points and the true peak can never
 * read below the sample peak.
 */
function phaseTaps(frac: number): Taps16 {
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
const GAIN_BOUND = Math.max(...[Q, H].map((taps) => taps.reduce((sum, c) => sum + Math.abs(c), 0)));

/** Samples of context kept between pushes: output n needs x[n-7] .. x[n+8]. */
const HISTORY = TAPS - 1;
/** Samples before the first output (x[-7..-1] are zeros, as in the whole-array scan). */
const LEAD = HALF - 1;
/** Samples after the last output (x[n..n+7] are zeros). */
const TRAIL = HALF;
const CHUNK = 4096;

/**
 * Receives per-sample true peaks: `peaks[k]` for k in [0, count) is the maximum |x| over the
 * positions (start + k) + {0, 1/4, 1/2, 3/4}. The array is reused after the call returns.
 * An object rather than a callback: V8 specialises a call to a closure on that closure, so every new
 * scanner with a fresh arrow function threw away the optimised scan loop (dozens of deopts per render).
 */
export interface PeakSink {
  onPeaks(peaks: Float32Array, count: number, start: number): void;
}

/**
 * Block-wise 4x true-peak scanner with carried history (polyphase 64-tap Kaiser-windowed sinc,
 * BS.1770-4 Annex 2). Fed any block sizes, its maximum is that of the concatenated signal bit for bit. Outputs lag the input by 8 samples (the
 * interpolator's future taps) until {@link finish} pads the end with zeros.
 */
export class TruePeakScanner {
  private readonly window = new Float64Array(HISTORY + CHUNK + TRAIL);
  /** Valid samples in `window`; window[0] is x[next - 7]. */
  private fill = LEAD;
  private next = 0;
  private best = 0;
  private finished = false;
  private readonly perSample: Float32Array | undefined;

  /**
   * @param sink when given, receives per-sample peaks for every position, in order.
   * @param floor with a sink: blocks whose interpolated values cannot exceed this report |x| only
   *   (exact values are not needed there), as `scanTruePeak(samples, perSample, floor)` does.
   */
  constructor(
    private readonly sink?: PeakSink,
    private readonly floor = 0,
  ) {
    this.perSample = sink ? new Float32Array(CHUNK + TRAIL) : undefined;
  }

  /** Maximum absolute value over all sample and interpolated positions scanned so far. */
  get peak(): number {
    return this.best;
  }

  push(samples: Float32Array): void {
    if (this.finished) throw new Error('TruePeakScanner: push after finish');
    const w = this.window;
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(samples.length - offset, HISTORY + CHUNK - this.fill);
      w.set(samples.subarray(offset, offset + take), this.fill);
      this.fill += take;
      offset += take;
      this.scan();
    }
  }

  /** Scans the last 8 positions against zero padding. Returns the overall peak. */
  finish(): number {
    if (this.finished) return this.best;
    this.finished = true;
    this.window.fill(0, this.fill, this.fill + TRAIL);
    this.fill += TRAIL;
    this.scan();
    return this.best;
  }

  /** Computes every output whose 16-sample window is complete, then keeps the last 15 samples. */
  private scan(): void {
    const w = this.window;
    const outputs = this.fill - HISTORY;
    if (outputs <= 0) return;
    const per = this.perSample;
    // Two loops, not one with `if (per)` inside: a worker scans both ways (meters, limiters), and V8 kept
    // deoptimising the shared loop each time the other kind of scan reached a branch it had not seen yet.
    this.best = per ? scanPeaks(w, outputs, this.best, this.floor, per) : scanMax(w, outputs, this.best);
    if (per && this.sink) this.sink.onPeaks(per, outputs, this.next);
    this.next += outputs;
    w.copyWithin(0, outputs, this.fill);
    this.fill -= outputs;
  }
}

/** Largest |x| over w[start .. end + HISTORY): what bounds the interpolated values of outputs start .. end. */
function localMax(w: Float64Array, start: number, end: number): number {
  let max = 0;
  for (let j = start; j < end + HISTORY; j++) {
    const a = Math.abs(w[j] ?? 0);
    if (a > max) max = a;
  }
  return max;
}

/** The maximum of |interpolated| at o + 1/4, o + 1/2 and o + 3/4 (w[o .. o + 15] around it). Unrolled: this is the hot loop. */
function interpolatedPeak(w: Float64Array, o: number): number {
  const v0 = w[o] ?? 0;
  const v1 = w[o + 1] ?? 0;
  const v2 = w[o + 2] ?? 0;
  const v3 = w[o + 3] ?? 0;
  const v4 = w[o + 4] ?? 0;
  const v5 = w[o + 5] ?? 0;
  const v6 = w[o + 6] ?? 0;
  const v7 = w[o + 7] ?? 0;
  const v8 = w[o + 8] ?? 0;
  const v9 = w[o + 9] ?? 0;
  const v10 = w[o + 10] ?? 0;
  const v11 = w[o + 11] ?? 0;
  const v12 = w[o + 12] ?? 0;
  const v13 = w[o + 13] ?? 0;
  const v14 = w[o + 14] ?? 0;
  const v15 = w[o + 15] ?? 0;
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
  return Math.max(Math.abs(y1), Math.abs(y2), Math.abs(y3));
}

/** Overall peak only: blocks that cannot beat the best so far are skipped. */
function scanMax(w: Float64Array, outputs: number, best: number): number {
  for (let i = 0; i < outputs; i++) {
    const a = Math.abs(w[i + LEAD] ?? 0);
    if (a > best) best = a;
  }
  for (let start = 0; start < outputs; start += BLOCK) {
    const end = Math.min(outputs, start + BLOCK);
    if (localMax(w, start, end) * GAIN_BOUND <= best) continue;
    for (let o = start; o < end; o++) {
      const m = interpolatedPeak(w, o);
      if (m > best) best = m;
    }
  }
  return best;
}

/** Per-sample peaks into `per` (which holds |x|): exact wherever the interpolated values could exceed `floor`. */
function scanPeaks(w: Float64Array, outputs: number, best: number, floor: number, per: Float32Array): number {
  for (let i = 0; i < outputs; i++) {
    const a = Math.abs(w[i + LEAD] ?? 0);
    if (a > best) best = a;
    per[i] = a;
  }
  for (let start = 0; start < outputs; start += BLOCK) {
    const end = Math.min(outputs, start + BLOCK);
    if (localMax(w, start, end) * GAIN_BOUND <= floor) continue;
    for (let o = start; o < end; o++) {
      const m = interpolatedPeak(w, o);
      if (m > best) best = m;
      if (m > (per[o] ?? 0)) per[o] = m;
    }
  }
  return best;
}
