import { assertSampleRate, fromDb, toDb } from '../dsp';
import { LIMITER_MARGIN_DB, LOOKAHEAD_SECONDS, RELEASE_SECONDS, type LoudnessTarget } from '../dynamics';
import { HALF, TruePeakScanner, type PeakSink } from './true-peak-stream';

/** What pass 1 (an {@link AudioMeter} over the same signal) measured. */
export interface LoudnessMeasurement {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** Largest block a {@link LimiterStage} takes per push. */
export const CHUNK = 4096;
/** Attack sums are recomputed this often so float drift cannot accumulate over hours. */
export const RESUM_MASK = 0xffff;

/** The limiter's constants at a sample rate, shared with the planner (loudness-plan.ts), which must match it. */
export interface LimiterParameters {
  /** Linear ceiling the first stage limits to (the true-peak ceiling less the margin). */
  ceiling: number;
  /**
   * The second stage's ceiling: it catches what gain modulation of the first stage pushed over, and aims a hair
   * below the ceiling because its own (tiny) modulation has no further stage behind it.
   */
  guardCeiling: number;
  lookahead: number;
  releaseCoef: number;
}

export function limiterParameters(sampleRate: number, target: LoudnessTarget): LimiterParameters {
  return {
    ceiling: fromDb(target.truePeakCeilingDbtp - LIMITER_MARGIN_DB),
    guardCeiling: fromDb(target.truePeakCeilingDbtp - LIMITER_MARGIN_DB / 5),
    lookahead: Math.max(1, Math.round(LOOKAHEAD_SECONDS * sampleRate)),
    releaseCoef: 1 - Math.exp(-1 / (RELEASE_SECONDS * sampleRate)),
  };
}

/**
 * Scanner blocks whose interpolated peaks stay below `ceiling / gain` by this factor report sample values only.
 * The margin makes "cannot limit" hold after rounding too (gain * peak < ceiling, strictly), so a limiter fed exact
 * peaks everywhere, as the planner's, computes bit for bit the same gain.
 */
export const SKIP_MARGIN = 1 - 2 ** -20;

const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

/**
 * Second pass of a two-pass loudness normalisation, block by block: applies the static gain
 * `targetLufs - measured.integratedLufs` and the look-ahead true-peak limiter of
 * `normalizeLoudness` (same 2 ms hold/attack, 80 ms release, 0.1 dB margin, driven by the 4x
 * oversampled signal) with all state carried between blocks.
 *
 * The limiter needs to see 8 + lookahead - 1 samples ahead ({@link latency}), so the first pushes
 * return fewer samples than they take; {@link flush} returns the rest, and the total output length
 * always equals the input length, sample-aligned with the input.
 *
 * On its own it cannot iterate like `normalizeLoudness`: loudness lost to limiting (about 1 LU on
 * peaky speech brought to -16 LUFS) is not made up unless the gain comes from
 * {@link planLoudnessGain}. Peaks that the first stage's gain modulation nudges over the ceiling
 * are caught by a second limiter stage a hair below the ceiling (idle otherwise) instead of a
 * verification pass.
 * Silence (non-finite measured loudness) gets 0 dB gain; the limiter still guards the ceiling.
 * Non-finite samples become 0.
 */
export class LoudnessNormalizerStream {
  /** Static gain applied before limiting, dB. */
  readonly gainDb: number;
  /** Samples by which output trails input until {@link flush}. */
  readonly latency: number;
  private readonly stages: LimiterStage[];
  private readonly gain: number;
  private inCount = 0;
  private outCount = 0;
  private flushed = false;

  /**
   * @param measured pass 1's measurement of the same signal.
   * @param options.gainDb overrides the static gain (from {@link planLoudnessGain}, which makes up
   *   loudness that limiting costs).
   */
  constructor(
    sampleRate: number,
    measured: LoudnessMeasurement,
    target: LoudnessTarget,
    options: { gainDb?: number } = {},
  ) {
    assertSampleRate(sampleRate);
    const { targetLufs, truePeakCeilingDbtp } = target;
    if (!Number.isFinite(targetLufs) || !Number.isFinite(truePeakCeilingDbtp)) {
      throw new RangeError('targetLufs and truePeakCeilingDbtp must be finite numbers');
    }
    this.gainDb =
      options.gainDb ?? (Number.isFinite(measured.integratedLufs) ? targetLufs - measured.integratedLufs : 0);
    if (!Number.isFinite(this.gainDb)) throw new RangeError('gainDb must be a finite number');
    this.gain = fromDb(this.gainDb);
    const { ceiling, guardCeiling, lookahead, releaseCoef } = limiterParameters(sampleRate, target);
    this.stages = [
      new LimiterStage(this.gain, ceiling, lookahead, releaseCoef),
      // Idle but for peaks the first stage's gain modulation pushed over.
      new LimiterStage(1, guardCeiling, lookahead, releaseCoef),
    ];
    this.latency = this.stages.reduce((sum, s) => sum + s.latency, 0);
  }

  /** Deepest gain reduction applied by the limiter so far, dB (0 when it has not engaged). */
  get limitedDb(): number {
    const g = this.stages.reduce((product, s) => product * s.minGain, 1);
    return g < 1 ? -toDb(g) : 0;
  }

  /** Processes one block; returns the output samples that became final (possibly none). */
  push(block: Float32Array): Float32Array {
    if (this.flushed) throw new Error('LoudnessNormalizerStream: push after flush');
    this.inCount += block.length;
    const ready = Math.max(0, this.inCount - this.latency) - this.outCount;
    return this.run(block, ready, false);
  }

  /** Returns the remaining `latency` samples (fewer if less input was pushed). */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    return this.run(new Float32Array(0), this.inCount - this.outCount, true);
  }

  private run(block: Float32Array, expected: number, end: boolean): Float32Array {
    const out = new Float32Array(expected);
    let written = 0;
    const [first, second] = this.stages as [LimiterStage, LimiterStage];
    const emit = (samples: Float32Array, count: number): void => {
      out.set(samples.subarray(0, count), written);
      written += count;
    };
    const toSecond = (samples: Float32Array, count: number): void => second.push(samples.subarray(0, count), emit);
    for (let offset = 0; offset < block.length; offset += CHUNK) {
      first.push(block.subarray(offset, Math.min(block.length, offset + CHUNK)), toSecond);
    }
    if (end) {
      first.finish(toSecond);
      second.finish(emit);
    }
    if (written !== expected) throw new Error(`LoudnessNormalizerStream: produced ${written} of ${expected} samples`);
    this.outCount += written;
    return out;
  }
}

/** Receives a stage's output samples `samples[0 .. count)`; the array is reused after the call. */
export type Emit = (samples: Float32Array, count: number) => void;

/**
 * One streaming look-ahead limiter: per-sample true peaks -> required gain -> running minimum
 * over the look-ahead (hold) -> one-pole release -> moving average over the look-ahead (attack),
 * exactly the chain of `limiterEnvelope` in dynamics.ts, evaluated sample by sample.
 */
export class LimiterStage implements PeakSink {
  readonly latency: number;
  minGain = 1;
  private readonly scanner: TruePeakScanner;
  /** Delay line of (gain-applied) input, indexed by absolute sample position. */
  private readonly delay: Float32Array;
  private readonly delayMask: number;
  private written = 0;
  // Hold: monotonic deque of (index, value), capacity lookahead + 1.
  private readonly dqIdx: Float64Array;
  private readonly dqVal: Float64Array;
  private head = 0;
  private size = 0;
  private release = 1;
  // Attack: ring of the last `lookahead` released values and their sum.
  private readonly ring: Float64Array;
  private ringSum = 0;
  private ringSlot = 0;
  private envIndex = 0;
  private previousPeak = 0;
  /** Consecutive envelope steps whose released gain was exactly 1 (see the settled path in {@link advance}). */
  private settledSteps = 0;
  private readonly out: Float32Array;
  /** Scratch: the hold stage's output for the steps of one {@link advance}. */
  private readonly held: Float64Array;
  private outFill = 0;
  private emit: Emit | undefined;

  constructor(
    private readonly gain: number,
    private readonly ceiling: number,
    private readonly lookahead: number,
    private readonly releaseCoef: number,
  ) {
    // Peaks need 8 samples of future; the attack average needs lookahead - 1 more.
    this.latency = HALF + lookahead - 1;
    this.scanner = new TruePeakScanner(this, (ceiling / gain) * SKIP_MARGIN);
    this.delay = new Float32Array(nextPowerOfTwo(this.latency + CHUNK + HALF + 1));
    this.delayMask = this.delay.length - 1;
    this.dqIdx = new Float64Array(lookahead + 1);
    this.dqVal = new Float64Array(lookahead + 1);
    this.ring = new Float64Array(lookahead);
    // One scanner callback (<= CHUNK + 8 peaks) or the final lookahead - 1 steps fit before a drain.
    this.out = new Float32Array(CHUNK + HALF + lookahead);
    this.held = new Float64Array(CHUNK + HALF + lookahead);
  }

  /** `block` must hold at most CHUNK + 8 samples (the delay line is sized for that). */
  push(block: Float32Array, emit: Emit): void {
    const finite = this.finiteView(block);
    // Into the delay ring in at most two copies (it is a power of two longer than any block).
    const at = this.written & this.delayMask;
    const first = Math.min(finite.length, this.delay.length - at);
    this.delay.set(finite.subarray(0, first), at);
    this.delay.set(finite.subarray(first), 0);
    this.written += block.length;
    this.emit = emit;
    this.scanner.push(finite);
    this.drain();
  }

  /** Pads the end as `limiterEnvelope` does (zeros for the interpolator, gain 1 beyond n). */
  finish(emit: Emit): void {
    this.emit = emit;
    this.scanner.finish();
    this.advance(undefined, this.lookahead - 1);
    this.drain();
  }

  /** The block as the scanner must see it: non-finite samples zeroed, copied only if needed. */
  private finiteView(block: Float32Array): Float32Array {
    for (let i = 0; i < block.length; i++) {
      if (!Number.isFinite(block[i] ?? 0)) return block.map((x) => (Number.isFinite(x) ? x : 0));
    }
    return block;
  }

  /** The scanner's per-sample peaks of the input (only the scanner calls this). */
  onPeaks(peaks: Float32Array, count: number): void {
    this.advance(peaks, count);
    this.drain();
  }

  /**
   * Advances the envelope by `count` required-gain values (from per-sample peaks, or 1 when
   * `peaks` is undefined) and appends the output samples whose attack window became complete.
   * Two tight loops (hold, then release/attack/output) with locals and explicit ring wraps: this is
   * the stream's hot path. Both take a shortcut while the limiter is settled at gain 1 that computes
   * exactly what the full chain would.
   */
  private advance(peaks: Float32Array | undefined, count: number): void {
    const { gain, ceiling, lookahead, releaseCoef, dqIdx, dqVal, ring, delay, delayMask, out, held } = this;
    const cap = lookahead + 1;
    const start = this.envIndex;
    // Hold: running minimum over the last `lookahead` requirements. The monotonic deque keeps only
    // requirements below 1: a 1 can never be the minimum while one of those is in the window, so
    // leaving the 1s out changes no value and makes the common unlimited sample a compare and a store.
    let { head, size, previousPeak } = this;
    for (let k = 0, i = start; k < count; k++, i++) {
      if (peaks) {
        const p = peaks[k] ?? 0;
        // An interpolated peak between n-1 and n constrains both samples.
        const level = gain * Math.max(previousPeak, p);
        previousPeak = p;
        if (level > ceiling) {
          const required = ceiling / level;
          let back = head + size - 1;
          if (back >= cap) back -= cap;
          while (size > 0 && (dqVal[back] ?? 0) >= required) {
            size--;
            back = back === 0 ? cap - 1 : back - 1;
          }
          let tail = head + size;
          if (tail >= cap) tail -= cap;
          dqIdx[tail] = i;
          dqVal[tail] = required;
          size++;
        }
      }
      if (size === 0) {
        held[k] = 1;
        continue;
      }
      // Indices advance by one per step, so at most one entry expires.
      if ((dqIdx[head] ?? 0) <= i - lookahead) {
        head = head + 1 === cap ? 0 : head + 1;
        size--;
      }
      held[k] = size > 0 ? (dqVal[head] ?? 1) : 1;
    }
    this.head = head;
    this.size = size;
    this.previousPeak = previousPeak;

    let { release, ringSum, ringSlot: slot, outFill, minGain, settledSteps } = this;
    for (let k = 0, i = start; k < count; k++, i++) {
      const hold = held[k] ?? 1;
      if (hold === 1 && settledSteps >= lookahead && ringSum === lookahead) {
        // Settled: release and the whole attack ring are exactly 1, so the chain below would give gain 1.
        slot = slot + 1 === lookahead ? 0 : slot + 1;
        out[outFill++] = (delay[(i - lookahead + 1) & delayMask] ?? 0) * gain;
        continue;
      }
      // Release: instant fall, exponential recovery.
      release = Math.min(hold, release + (1 - release) * releaseCoef);
      settledSteps = release === 1 ? settledSteps + 1 : 0;
      // Attack: output j = i - lookahead + 1 uses the mean of released values j .. i.
      ringSum += release - (i >= lookahead ? (ring[slot] ?? 0) : 0);
      ring[slot] = release;
      slot = slot + 1 === lookahead ? 0 : slot + 1;
      const j = i - lookahead + 1;
      if (j < 0) continue;
      if (j > 0 && (j & RESUM_MASK) === 0) {
        ringSum = 0;
        for (let r = 0; r < lookahead; r++) ringSum += ring[r] ?? 0;
      }
      const g = Math.min(1, ringSum / lookahead);
      if (g < minGain) minGain = g;
      out[outFill++] = (delay[j & delayMask] ?? 0) * gain * g;
    }
    this.release = release;
    this.ringSum = ringSum;
    this.ringSlot = slot;
    this.envIndex = start + count;
    this.outFill = outFill;
    this.minGain = minGain;
    this.settledSteps = settledSteps;
  }

  private drain(): void {
    if (this.outFill === 0 || !this.emit) return;
    this.emit(this.out, this.outFill);
    this.outFill = 0;
  }
}
