import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromDb, toDb } from '../dsp';
import {
  LIMITER_MARGIN_DB,
  MAX_COMPENSATION_PASSES,
  MAX_COMPENSATION_STEP_DB,
  nextCompensationGainDb,
  type LoudnessAttempt,
  type LoudnessTarget,
} from '../dynamics';
import { AudioMeter } from './audio-meter';
import {
  CHUNK,
  LimiterStage,
  RESUM_MASK,
  limiterParameters,
  type LimiterParameters,
  type LoudnessMeasurement,
  type LoudnessNormalizerStream,
} from './loudness-normalizer-stream';
import { HALF, TruePeakScanner, type PeakSink } from './true-peak-stream';
import { WavStreamWriter } from './wav-stream';

/** How far above a trial's gain the holds stay exact: one full correction step, and 1 dB to spare. */
const REACH_DB = MAX_COMPENSATION_STEP_DB + 1;

/** Result of {@link planLoudnessGain}. */
export interface LoudnessGainPlan {
  /** Gain to pass to {@link LoudnessNormalizerStream} (options.gainDb). */
  gainDb: number;
  /** Integrated loudness the stream's output will have with that gain. */
  integratedLufs: number;
  /** Full rendering passes (normaliser + meter) planning took: 0 when the limiter cannot engage, else usually 1. */
  passes: number;
  /** Trial passes: the limiter's gain curve only, from the stored holds (a fraction of a render each). */
  trials: number;
  /**
   * With `outputPath`, when `passes > 0`: the last pass, which used exactly `gainDb`, was written there as
   * float32 WAV, and this is its deepest limiter reduction in dB; no final render is needed.
   */
  renderedLimitedDb?: number;
}

/**
 * Finds the static gain for which {@link LoudnessNormalizerStream}'s output meets the loudness target despite
 * limiting, with the secant correction of `normalizeLoudness` (within 0.1 LU unless that needs extreme limiting).
 * When the measured true peak shows the limiter cannot engage, the static gain is returned without reading
 * anything. Otherwise:
 *
 * 1. an analysis pass stores the first limiter stage's hold input (the look-ahead window's maximum true peak,
 *    which does not depend on the gain) in a scratch file, 4 bytes per sample;
 * 2. each attempted gain is a trial pass: the first stage's release and attack from those holds, metered. That is
 *    the stage's arithmetic on the same values, so its output bit for bit, at a fraction of a render's cost;
 * 3. one final pass at the chosen gain adds the second stage, meters the result and, with `outputPath`, writes
 *    it: sample for sample the stream's output with that gain. Only if the second stage (idle on all but
 *    pathological input) moved the loudness, and corrections are left, do further corrections render in full.
 *
 * So the corrections, and the gain chosen, are those of rendering every attempt, for one render instead of up
 * to four. Memory O(block).
 *
 * @param source opens the input afresh (e.g. `() => readWavStream(path)`) for each pass.
 * @param options.scratchDir where the holds file goes (default: a temporary directory); removed before returning.
 */
export async function planLoudnessGain(
  source: () => AsyncIterable<Float32Array>,
  sampleRate: number,
  measured: LoudnessMeasurement,
  target: LoudnessTarget,
  options: { signal?: AbortSignal; outputPath?: string; scratchDir?: string } = {},
): Promise<LoudnessGainPlan> {
  const { targetLufs, truePeakCeilingDbtp } = target;
  const initialGainDb = Number.isFinite(measured.integratedLufs) ? targetLufs - measured.integratedLufs : 0;
  if (!Number.isFinite(measured.integratedLufs)) {
    return { gainDb: initialGainDb, integratedLufs: measured.integratedLufs, passes: 0, trials: 0 };
  }
  if (measured.truePeakDbtp + initialGainDb <= truePeakCeilingDbtp - LIMITER_MARGIN_DB) {
    return { gainDb: initialGainDb, integratedLufs: targetLufs, passes: 0, trials: 0 };
  }
  const limiter = limiterParameters(sampleRate, target);
  const { signal, outputPath } = options;
  const scratch = options.scratchDir ?? (await mkdtemp(path.join(tmpdir(), 'loudness-plan-')));
  const holdsPath = path.join(scratch, `holds-${process.pid}-${Date.now().toString(36)}.f32`);
  let holds: HoldsFile | undefined;
  const holdsFor = async (db: number): Promise<HoldsFile> => {
    if (!holds || db > holds.maxGainDb) {
      await holds?.close();
      // Peaks that cannot limit at the gains ahead are stored as 0, which saves most of the scan; a correction
      // past that reach (over 6 dB of loss) analyses again with a lower floor.
      holds = await writeHolds(source, limiter, db + REACH_DB, holdsPath, signal);
    }
    return holds;
  };

  let passes = 0;
  let trials = 0;
  let renderedLimitedDb = 0;
  const attempt = async (db: number, final: boolean): Promise<number> => {
    const file = await holdsFor(db);
    if (final) passes++;
    else trials++;
    const meter = new AudioMeter(sampleRate, { truePeak: false });
    // Each final pass overwrites the file, so it always holds the pass with the gain finally chosen.
    const writer =
      final && outputPath ? await WavStreamWriter.create(outputPath, sampleRate, { format: 'float32' }) : undefined;
    try {
      const limitedDb = await limiterPass(source, limiter, file, db, signal, final, async (samples) => {
        // Only the loudness decides the next gain; the limiter guarantees the peak.
        meter.push(samples);
        await writer?.write(samples);
      });
      if (final) renderedLimitedDb = limitedDb;
    } finally {
      await writer?.close();
    }
    return meter.result().integratedLufs;
  };

  let gainDb = initialGainDb;
  let lufs: number;
  try {
    const attempts: LoudnessAttempt[] = [];
    // Where limiting starts, as normalizeLoudness computes it from the same true peak.
    const limitOnsetGainDb = truePeakCeilingDbtp - LIMITER_MARGIN_DB - measured.truePeakDbtp;
    const correct = async (final: boolean): Promise<void> => {
      while (attempts.length < MAX_COMPENSATION_PASSES) {
        const next = nextCompensationGainDb(targetLufs, { gainDb, lufs }, attempts.at(-1), limitOnsetGainDb);
        if (next === undefined) return;
        attempts.push({ gainDb, lufs });
        gainDb = next;
        lufs = await attempt(gainDb, final);
      }
    };
    lufs = await attempt(gainDb, false);
    await correct(false);
    const predicted = lufs;
    lufs = await attempt(gainDb, true);
    // The second stage moved the loudness: the corrections left go on full renders.
    if (lufs !== predicted) await correct(true);
  } finally {
    await holds?.close();
    await (options.scratchDir ? rm(holdsPath, { force: true }) : rm(scratch, { recursive: true, force: true }));
  }
  return { gainDb, integratedLufs: lufs, passes, trials, ...(outputPath ? { renderedLimitedDb } : {}) };
}

/**
 * Pass 1 of the planner: the first limiter stage's hold input, per envelope step i in [0, n + lookahead - 1): the
 * maximum over steps (i - lookahead, i] of max(p[k-1], p[k]), p the per-sample true peak (0 past the end). The
 * stage's hold is min over the same window of ceiling / (gain * that), i.e. ceiling / (gain * the maximum), since
 * both roundings are monotonic; so the gain is applied later, per trial. Values that cannot limit at any gain up
 * to `maxGainDb` are stored as 0, which lets the scanner skip quiet blocks and keeps the deque short.
 */
async function writeHolds(
  source: () => AsyncIterable<Float32Array>,
  limiter: LimiterParameters,
  maxGainDb: number,
  holdsPath: string,
  signal: AbortSignal | undefined,
): Promise<HoldsFile> {
  // 1 dB below anything that could limit at maxGainDb, so rounding never decides (see SKIP_MARGIN).
  const analysis = new HoldAnalysis(limiter.lookahead, limiter.ceiling / fromDb(maxGainDb + 1));
  const file = await open(holdsPath, 'w');
  try {
    const append = async (values: Float32Array): Promise<void> => {
      if (values.length > 0) await file.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    };
    for await (const block of source()) {
      signal?.throwIfAborted();
      await append(analysis.push(block));
    }
    await append(analysis.finish());
  } finally {
    await file.close();
  }
  return HoldsFile.open(holdsPath, maxGainDb);
}

class HoldAnalysis implements PeakSink {
  private readonly scanner: TruePeakScanner;
  private readonly dqIdx: Float64Array;
  private readonly dqVal: Float64Array;
  private head = 0;
  private size = 0;
  private step = 0;
  private previousPeak = 0;
  private out = new Float32Array(0);
  private outFill = 0;

  constructor(
    private readonly lookahead: number,
    private readonly floor: number,
  ) {
    this.scanner = new TruePeakScanner(this, floor);
    this.dqIdx = new Float64Array(lookahead + 1);
    this.dqVal = new Float64Array(lookahead + 1);
  }

  /** Holds that became final with this block (a view, valid until the next call). */
  push(block: Float32Array): Float32Array {
    this.reserve(block.length + HALF);
    this.scanner.push(finite(block));
    return this.take();
  }

  /** The remaining holds: the scanner's last 8 peaks and lookahead - 1 steps past the end. */
  finish(): Float32Array {
    this.reserve(HALF + this.lookahead);
    this.scanner.finish();
    this.advance(undefined, this.lookahead - 1);
    return this.take();
  }

  /** The scanner's per-sample peaks (only the scanner calls this). */
  onPeaks(peaks: Float32Array, count: number): void {
    this.advance(peaks, count);
  }

  private advance(peaks: Float32Array | undefined, count: number): void {
    const { lookahead, floor, dqIdx, dqVal, out } = this;
    const cap = lookahead + 1;
    let { head, size, step, previousPeak, outFill } = this;
    for (let k = 0; k < count; k++, step++) {
      if (peaks) {
        const p = peaks[k] ?? 0;
        const q = Math.max(previousPeak, p);
        previousPeak = p;
        if (q > floor) {
          // Monotonic deque of decreasing maxima (the limiter's deque of increasing requirements, mirrored).
          let back = head + size - 1;
          if (back >= cap) back -= cap;
          while (size > 0 && (dqVal[back] ?? 0) <= q) {
            size--;
            back = back === 0 ? cap - 1 : back - 1;
          }
          let tail = head + size;
          if (tail >= cap) tail -= cap;
          dqIdx[tail] = step;
          dqVal[tail] = q;
          size++;
        }
      }
      if (size > 0 && (dqIdx[head] ?? 0) <= step - lookahead) {
        head = head + 1 === cap ? 0 : head + 1;
        size--;
      }
      out[outFill++] = size > 0 ? (dqVal[head] ?? 0) : 0;
    }
    this.head = head;
    this.size = size;
    this.step = step;
    this.previousPeak = previousPeak;
    this.outFill = outFill;
  }

  private reserve(extra: number): void {
    if (this.out.length < this.outFill + extra) {
      const grown = new Float32Array(this.outFill + extra);
      grown.set(this.out.subarray(0, this.outFill));
      this.out = grown;
    }
  }

  private take(): Float32Array {
    const values = this.out.subarray(0, this.outFill);
    this.outFill = 0;
    return values;
  }
}

/** The holds file, read back by position (synchronously, a block at a time, as {@link WavFileReader} reads). */
class HoldsFile {
  private buffer = new Float32Array(0);

  private constructor(
    private readonly file: FileHandle,
    readonly length: number,
    /** Trials up to this gain read exact holds. */
    readonly maxGainDb: number,
  ) {}

  static async open(holdsPath: string, maxGainDb: number): Promise<HoldsFile> {
    const file = await open(holdsPath, 'r');
    return new HoldsFile(file, (await file.stat()).size / 4, maxGainDb);
  }

  /** Values [start, start + count) as a view valid until the next read. */
  read(start: number, count: number): Float32Array {
    if (start < 0 || start + count > this.length) {
      throw new Error(`holds file: read [${start}, ${start + count}) of ${this.length}`);
    }
    if (this.buffer.length < count) this.buffer = new Float32Array(count);
    const bytes = new Uint8Array(this.buffer.buffer, 0, count * 4);
    const read = readSync(this.file.fd, bytes, 0, bytes.length, start * 4);
    if (read !== bytes.length) throw new Error(`holds file: short read at ${start}`);
    return this.buffer.subarray(0, count);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/**
 * One pass of the limiter at `gainDb` from the stored holds, handing its output to `take` block by block: the
 * first stage only (a trial), or with `guard` both stages, exactly as {@link LoudnessNormalizerStream} renders.
 * Returns the deepest gain reduction in dB, as the stream's `limitedDb`. The per-sample work is in plain methods
 * ({@link FirstStage.render}, `LimiterStage`), which V8 optimises whole, not in this async loop.
 */
async function limiterPass(
  source: () => AsyncIterable<Float32Array>,
  limiter: LimiterParameters,
  holds: HoldsFile,
  gainDb: number,
  signal: AbortSignal | undefined,
  guard: boolean,
  take: (samples: Float32Array) => Promise<void>,
): Promise<number> {
  const { lookahead, guardCeiling, releaseCoef } = limiter;
  const first = new FirstStage(limiter, fromDb(gainDb));
  const second = guard ? new LimiterStage(1, guardCeiling, lookahead, releaseCoef) : undefined;
  // Step i emits output j = i - lookahead + 1; the first lookahead - 1 steps only fill the attack ring.
  first.warmUp(holds.read(0, lookahead - 1));
  let out = new Float32Array(0);
  let at = 0;
  let guarded = new Float32Array(0);
  let guardedFill = 0;
  const collect = (samples: Float32Array, count: number): void => {
    guarded.set(samples.subarray(0, count), guardedFill);
    guardedFill += count;
  };
  const drain = async (): Promise<void> => {
    const samples = guarded.subarray(0, guardedFill);
    guardedFill = 0;
    await take(samples);
  };
  for await (const block of source()) {
    signal?.throwIfAborted();
    if (out.length < block.length) out = new Float32Array(block.length);
    const rendered = out.subarray(0, block.length);
    first.render(block, holds.read(at + lookahead - 1, block.length), rendered);
    at += block.length;
    if (!second) {
      await take(rendered);
      continue;
    }
    // In pieces the size LoudnessNormalizerStream gives its second stage; its output lags by its latency.
    if (guarded.length < block.length + second.latency) guarded = new Float32Array(block.length + second.latency);
    for (let offset = 0; offset < rendered.length; offset += CHUNK) {
      second.push(rendered.subarray(offset, Math.min(rendered.length, offset + CHUNK)), collect);
    }
    await drain();
  }
  if (!second) return first.minGain < 1 ? -toDb(first.minGain) : 0;
  if (guarded.length < second.latency) guarded = new Float32Array(second.latency);
  second.finish(collect);
  await drain();
  // The stream's limitedDb: the product of both stages' deepest gains.
  const g = first.minGain * second.minGain;
  return g < 1 ? -toDb(g) : 0;
}

/**
 * The first stage of {@link LoudnessNormalizerStream}: the release and attack of `LimiterStage` (the same operations
 * in the same order, so the same float results) at one gain, driven by stored holds instead of its own scanner and
 * deque.
 */
class FirstStage {
  /** Deepest gain applied so far, as `LimiterStage.minGain`. */
  minGain = 1;
  private readonly ceiling: number;
  private readonly lookahead: number;
  private readonly releaseCoef: number;
  private readonly ring: Float64Array;
  private release = 1;
  private ringSum = 0;
  private slot = 0;
  /** Index of the next output sample. */
  private next = 0;

  constructor(
    { ceiling, lookahead, releaseCoef }: LimiterParameters,
    private readonly gain: number,
  ) {
    this.ceiling = ceiling;
    this.lookahead = lookahead;
    this.releaseCoef = releaseCoef;
    this.ring = new Float64Array(lookahead);
  }

  /** Steps 0 .. lookahead - 2, which complete no attack window. */
  warmUp(held: Float32Array): void {
    const { gain, ceiling, releaseCoef, ring, lookahead } = this;
    let { release, ringSum, slot } = this;
    for (let k = 0; k < held.length; k++) {
      const level = gain * (held[k] ?? 0);
      release = Math.min(level > ceiling ? ceiling / level : 1, release + (1 - release) * releaseCoef);
      ringSum += release;
      ring[slot] = release;
      slot = slot + 1 === lookahead ? 0 : slot + 1;
    }
    this.release = release;
    this.ringSum = ringSum;
    this.slot = slot;
  }

  /** Output samples `next .. next + block.length` into `out`; `held[k]` is the hold of step next + k + lookahead - 1. */
  render(block: Float32Array, held: Float32Array, out: Float32Array): void {
    const { gain, ceiling, releaseCoef, ring, lookahead } = this;
    let { release, ringSum, slot, next: j, minGain } = this;
    for (let k = 0; k < block.length; k++, j++) {
      const level = gain * (held[k] ?? 0);
      release = Math.min(level > ceiling ? ceiling / level : 1, release + (1 - release) * releaseCoef);
      // Step i = j + lookahead - 1 reaches i >= lookahead exactly when j > 0.
      ringSum += release - (j > 0 ? (ring[slot] ?? 0) : 0);
      ring[slot] = release;
      slot = slot + 1 === lookahead ? 0 : slot + 1;
      if (j > 0 && (j & RESUM_MASK) === 0) {
        ringSum = 0;
        for (let r = 0; r < lookahead; r++) ringSum += ring[r] ?? 0;
      }
      const g = Math.min(1, ringSum / lookahead);
      if (g < minGain) minGain = g;
      const x = block[k] ?? 0;
      out[k] = (Number.isFinite(x) ? x : 0) * gain * g;
    }
    this.release = release;
    this.ringSum = ringSum;
    this.slot = slot;
    this.next = j;
    this.minGain = minGain;
  }
}

/** The block as the limiter's scanner sees it: non-finite samples zeroed, copied only if needed. */
function finite(block: Float32Array): Float32Array {
  for (let i = 0; i < block.length; i++) {
    if (!Number.isFinite(block[i] ?? 0)) return block.map((x) => (Number.isFinite(x) ? x : 0));
  }
  return block;
}
