import { CLIP_LEVEL, SILENCE_DBFS, SILENCE_LUFS, type AudioAnalysis } from '../analysis';
import { assertSampleRate, toDb } from '../dsp';
import { BLOCK_SEGMENTS, gatedLoudness, kWeightingFilters, type Biquad } from '../loudness';
import { TruePeakScanner } from './true-peak-stream';

/** Growable float64 list: ten values per second of audio, so hours stay in the hundreds of KB. */
class Float64List {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index] ?? 0;
  }
}

/**
 * Block-wise equivalent of {@link analyzeAudio}: push mono blocks of any size, then read
 * {@link result}. Memory is O(block) plus 8 bytes per 100 ms of audio (the K-weighted energy of
 * each gating segment, gated at the end), so an hour costs about 300 KB.
 *
 * The filters, segment boundaries, summation order and true-peak interpolator are those of the
 * whole-array functions, so results agree with `analyzeAudio` on the concatenated signal to
 * floating-point identity in practice.
 */
export class AudioMeter {
  private readonly shelf: Biquad;
  private readonly highPass: Biquad;
  private readonly hop: number;
  private readonly truePeak: TruePeakScanner | undefined;
  private readonly segments = new Float64List();
  // K-weighting state (direct form II transposed, float64 as in gatingBlockPowers).
  private s1 = 0;
  private s2 = 0;
  private h1 = 0;
  private h2 = 0;
  private acc = 0;
  private total = 0;
  private nextBound: number;
  private count = 0;
  private peak = 0;
  private sumSquares = 0;
  private clipped = 0;
  private done: AudioAnalysis | undefined;

  /**
   * @param options.truePeak false skips the 4×-oversampled true-peak scan (about half the meter's cost) for
   *   callers that only need loudness; `truePeakDbtp` then reports the sample peak instead.
   */
  constructor(
    readonly sampleRate: number,
    options: { truePeak?: boolean } = {},
  ) {
    assertSampleRate(sampleRate);
    this.truePeak = options.truePeak === false ? undefined : new TruePeakScanner();
    [this.shelf, this.highPass] = kWeightingFilters(sampleRate);
    this.hop = sampleRate / 10;
    this.nextBound = Math.round(this.hop);
  }

  /** Samples pushed so far. */
  get samples(): number {
    return this.count;
  }

  push(block: Float32Array): void {
    if (this.done) throw new Error('AudioMeter: push after result()');
    this.filter(block);
    this.truePeak?.push(block);
  }

  /**
   * K-weighting, peaks and segment energies of one block. Kept apart from the true-peak scan on purpose: with
   * both in one function, V8 re-optimised the loop badly once meters with and without true peak had shared
   * it (the same worker meters both ways), and every meter ran 3–5× slower from then on.
   */
  private filter(block: Float32Array): void {
    const { b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2 } = this.shelf;
    const { b0: hb0, b1: hb1, b2: hb2, a1: ha1, a2: ha2 } = this.highPass;
    // Locals keep the hot loop free of property writes.
    let { s1, s2, h1, h2, acc, peak, sumSquares, clipped, count, nextBound } = this;
    for (let i = 0; i < block.length; i++) {
      const x = block[i] ?? 0;
      const a = Math.abs(x);
      if (a > peak) peak = a;
      if (a >= CLIP_LEVEL) clipped++;
      sumSquares += x * x;
      const y1 = sb0 * x + s1;
      s1 = sb1 * x - sa1 * y1 + s2;
      s2 = sb2 * x - sa2 * y1;
      const y2 = hb0 * y1 + h1;
      h1 = hb1 * y1 - ha1 * y2 + h2;
      h2 = hb2 * y1 - ha2 * y2;
      acc += y2 * y2;
      count++;
      if (count === nextBound) {
        // A segment closes only once all its samples exist, which is when the whole-array code
        // would count it too (segmentCount = floor(n / hop)).
        this.segments.push(acc);
        this.total += acc;
        acc = 0;
        nextBound = Math.round((this.segments.length + 1) * this.hop);
      }
    }
    this.s1 = s1;
    this.s2 = s2;
    this.h1 = h1;
    this.h2 = h2;
    this.acc = acc;
    this.peak = peak;
    this.sumSquares = sumSquares;
    this.clipped = clipped;
    this.count = count;
    this.nextBound = nextBound;
  }

  /** Integrated loudness (LUFS) of everything pushed so far; cheap enough to call for progress. */
  integratedLufs(): number {
    return gatedLoudness(this.blockPowers());
  }

  /** Ends the measurement (further pushes throw) and returns the same fields as `analyzeAudio`. */
  result(): AudioAnalysis {
    if (this.done) return this.done;
    const n = this.count;
    const truePeak = this.truePeak ? this.truePeak.finish() : this.peak;
    const integratedLufs = this.integratedLufs();
    const rmsDbfs = n > 0 ? toDb(Math.sqrt(this.sumSquares / n)) : -Infinity;
    this.done = {
      durationMs: (n / this.sampleRate) * 1000,
      peakDbfs: toDb(this.peak),
      truePeakDbtp: toDb(truePeak),
      integratedLufs,
      rmsDbfs,
      clippedSampleRatio: n > 0 ? this.clipped / n : 0,
      silent: !(integratedLufs >= SILENCE_LUFS) || !(rmsDbfs >= SILENCE_DBFS),
    };
    return this.done;
  }

  /** Mean square per 400 ms gating block, as `gatingBlockPowers` computes it. */
  private blockPowers(): Float64Array {
    const n = this.count;
    if (n === 0) return new Float64Array(0);
    const segments = this.segments;
    const segmentCount = segments.length;
    if (segmentCount < BLOCK_SEGMENTS) return Float64Array.of((this.total + this.acc) / n);
    const blocks = new Float64Array(segmentCount - BLOCK_SEGMENTS + 1);
    for (let j = 0; j < blocks.length; j++) {
      let sum = 0;
      for (let q = 0; q < BLOCK_SEGMENTS; q++) sum += segments.at(j + q);
      blocks[j] = sum / (Math.round((j + BLOCK_SEGMENTS) * this.hop) - Math.round(j * this.hop));
    }
    return blocks;
  }
}
