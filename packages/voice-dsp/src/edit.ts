import { arraySampleSource, type SampleSource } from '@voice/audio';

import { VoiceDspError, assertFinite, assertRate } from './errors';
import { composeTimeMaps, identityTimeMap, type TimeMapSegment } from './time-map';

/** Result of an edit that can change length: the audio and where original times now sit. */
export interface EditResult {
  readonly samples: Float32Array;
  readonly timeMap: TimeMapSegment[];
}

export interface RemoveRangeOptions {
  readonly startTime: number;
  readonly endTime: number;
  /** Length of the equal-power crossfade centred on the join. Default 10 ms. */
  readonly crossfadeMs?: number;
}

export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

export type MuteMode = 'silence' | 'bleep';

export interface MuteOptions {
  readonly mode?: MuteMode;
  /** Bleep tone frequency. Default 1000 Hz. */
  readonly bleepHz?: number;
  /** Crossfade between the original and the replacement at each edge. Default 5 ms. */
  readonly fadeMs?: number;
}

export interface TrimSilenceOptions {
  /**
   * Silence threshold relative to the loud-speech level (95th percentile of 10 ms frame RMS), never
   * below -80 dBFS. Default -40 dB.
   */
  readonly thresholdDb?: number;
  /** Absolute threshold in dBFS; overrides `thresholdDb` when given. */
  readonly absoluteThresholdDbfs?: number;
  /** Internal pauses at least this long are shortened. Default 300 ms. */
  readonly minSilenceMs?: number;
  /** Pause length left after shortening (half of it is kept at each clip edge). Default 150 ms. */
  readonly keepMs?: number;
  /** Crossfade at each join. Default 10 ms. */
  readonly crossfadeMs?: number;
}

const DEFAULT_CROSSFADE_MS = 10;
const SILENCE_FLOOR_DBFS = -80;

/** Samples per block a renderer yields: about 1.4 s at 48 kHz, so a long file never sits in memory. */
export const EDIT_BLOCK_SAMPLES = 65536;

/**
 * A length-changing edit: keep segments [a, b) (sample indices, sorted, disjoint) and join them with an
 * equal-power crossfade. `halves[i]` is half the width of the fade at the join after segment i.
 */
export interface SplicePlan {
  readonly kind: 'splice';
  readonly segments: readonly (readonly [number, number])[];
  readonly halves: Int32Array;
  /** Output length in samples: the sum of the segment lengths. */
  readonly outputLength: number;
}

/** One muted range, with everything the renderer needs precomputed (sample indices). */
export interface PlannedMute {
  readonly start: number;
  readonly end: number;
  readonly fadeIn: number;
  readonly fadeOut: number;
  /** Bleep amplitude; 0 means silence. */
  readonly amplitude: number;
  readonly omega: number;
}

/** A length-preserving edit: replace each range with silence or a bleep. */
export interface MutePlan {
  readonly kind: 'mute';
  readonly ranges: readonly PlannedMute[];
  readonly outputLength: number;
}

export type EditPlan = SplicePlan | MutePlan;

/**
 * Plans a splice. Each fade of 2h samples blends x[b-h .. b+h) out and x[a'-h .. a'+h) in, so it borrows
 * h samples from either side of the removed material and the output length is exactly the sum of the
 * segment lengths. h shrinks where a segment is too short or the clip edge is too close.
 */
export function planSplice(
  length: number,
  segments: readonly (readonly [number, number])[],
  crossfadeSamples: number,
): SplicePlan {
  const m = segments.length;
  const halves = new Int32Array(Math.max(0, m - 1));
  let outputLength = 0;
  for (let i = 0; i < m; i++) {
    const [a, b] = segments[i]!;
    outputLength += b - a;
    if (i + 1 < m) {
      const [a2, b2] = segments[i + 1]!;
      halves[i] = Math.max(
        0,
        Math.min(Math.floor(crossfadeSamples / 2), Math.floor((b - a) / 2), Math.floor((b2 - a2) / 2), length - b, a2),
      );
    }
  }
  return { kind: 'splice', segments, halves, outputLength };
}

/**
 * Renders a plan over `source` as blocks of at most `blockSamples`. Reads are bounded by the block size
 * (plus one crossfade), so a caller that writes each block out needs O(block) memory for any input length.
 */
export function* renderEdit(
  source: SampleSource,
  plan: EditPlan,
  blockSamples = EDIT_BLOCK_SAMPLES,
): Generator<Float32Array, void, undefined> {
  if (plan.kind === 'splice') yield* renderSplice(source, plan, blockSamples);
  else yield* renderMute(source, plan, blockSamples);
}

function* renderSplice(source: SampleSource, plan: SplicePlan, blockSamples: number): Generator<Float32Array> {
  const { segments, halves } = plan;
  for (let i = 0; i < segments.length; i++) {
    const [a, b] = segments[i]!;
    const left = i > 0 ? halves[i - 1]! : 0;
    const right = i + 1 < segments.length ? halves[i]! : 0;
    for (let p = a + left; p < b - right; p += blockSamples)
      yield source.read(p, Math.min(b - right, p + blockSamples));
    if (right > 0) {
      const width = 2 * right;
      const fadingOut = source.read(b - right, b + right);
      const fadingIn = source.read(segments[i + 1]![0] - right, segments[i + 1]![0] + right);
      const join = new Float32Array(width);
      for (let k = 0; k < width; k++) {
        const t = ((k + 0.5) / width) * (Math.PI / 2);
        join[k] = fadingOut[k]! * Math.cos(t) + fadingIn[k]! * Math.sin(t);
      }
      yield join;
    }
  }
}

function* renderMute(source: SampleSource, plan: MutePlan, blockSamples: number): Generator<Float32Array> {
  const { ranges } = plan;
  let next = 0;
  for (let p = 0; p < plan.outputLength; p += blockSamples) {
    const blockEnd = Math.min(plan.outputLength, p + blockSamples);
    const block = source.read(p, blockEnd).slice();
    // Ranges are sorted and disjoint: skip those that ended before this block, apply those that overlap it.
    while (next < ranges.length && ranges[next]!.end <= p) next++;
    for (let r = next; r < ranges.length && ranges[r]!.start < blockEnd; r++) {
      const { start: s, end: e, fadeIn, fadeOut, amplitude, omega } = ranges[r]!;
      const len = e - s;
      for (let i = Math.max(s, p); i < Math.min(e, blockEnd); i++) {
        const k = i - s;
        // 0 → original, 1 → replacement; quarter-sine ramps give equal power across each fade.
        const ramp = k < fadeIn ? (k + 0.5) / fadeIn : k >= len - fadeOut ? (len - k - 0.5) / fadeOut : 1;
        const replacement = amplitude === 0 ? 0 : amplitude * Math.sin(omega * k);
        if (ramp >= 1) {
          // Exactly nothing of the original (cos(π/2) is 6e-17, not 0).
          block[i - p] = replacement;
        } else {
          const t = ramp * (Math.PI / 2);
          block[i - p] = block[i - p]! * Math.cos(t) + replacement * Math.sin(t);
        }
      }
    }
    yield block;
  }
}

/** Renders a plan into one array (for inputs that already sit in memory). */
export function renderEditToArray(source: SampleSource, plan: EditPlan): Float32Array {
  const out = new Float32Array(plan.outputLength);
  let pos = 0;
  for (const block of renderEdit(source, plan)) {
    out.set(block, pos);
    pos += block.length;
  }
  return out;
}

/** Where original times sit after a plan: kept segments for a splice, the identity for a mute. */
export function timeMapOfPlan(plan: EditPlan, sampleRate: number): TimeMapSegment[] {
  if (plan.kind === 'mute') return identityTimeMap(plan.outputLength / sampleRate);
  const map: TimeMapSegment[] = [];
  let newStart = 0;
  for (const [a, b] of plan.segments) {
    map.push({ originalStart: a / sampleRate, originalEnd: b / sampleRate, newStart: newStart / sampleRate });
    newStart += b - a;
  }
  return map;
}

/** Concatenates kept segments with an equal-power crossfade centred on every join (see {@link planSplice}). */
export function spliceSegments(
  samples: Float32Array,
  segments: readonly (readonly [number, number])[],
  crossfadeSamples: number,
): Float32Array {
  return renderEditToArray(arraySampleSource(samples), planSplice(samples.length, segments, crossfadeSamples));
}

function crossfadeSamplesOf(crossfadeMs: number, sampleRate: number): number {
  assertFinite(crossfadeMs, 'crossfadeMs');
  if (crossfadeMs < 0 || crossfadeMs > 1000) {
    throw new VoiceDspError('INVALID_ARGUMENT', `crossfadeMs must be between 0 and 1000, got ${crossfadeMs}`);
  }
  return Math.round((crossfadeMs / 1000) * sampleRate);
}

function applyPlan(samples: Float32Array, plan: SplicePlan, sampleRate: number): EditResult {
  return { samples: renderEditToArray(arraySampleSource(samples), plan), timeMap: timeMapOfPlan(plan, sampleRate) };
}

/**
 * Plans cutting [startTime, endTime) seconds from a clip of `length` samples, joined with an equal-power
 * crossfade centred on the cut. The result is exactly round(end·rate) − round(start·rate) samples shorter.
 */
export function planRemoveRange(length: number, sampleRate: number, options: RemoveRangeOptions): SplicePlan {
  assertRate(sampleRate);
  const { startTime, endTime } = options;
  assertFinite(startTime, 'startTime');
  assertFinite(endTime, 'endTime');
  const n = length;
  const duration = n / sampleRate;
  // Half a sample of slack so an end time rounded from the clip duration is still accepted.
  const slack = 0.5 / sampleRate;
  if (startTime < 0) throw new VoiceDspError('INVALID_RANGE', `startTime ${startTime}s is negative`);
  if (endTime <= startTime) {
    throw new VoiceDspError('INVALID_RANGE', `endTime ${endTime}s must be after startTime ${startTime}s`);
  }
  if (endTime > duration + slack) {
    throw new VoiceDspError(
      'INVALID_RANGE',
      `endTime ${endTime}s is past the end of the clip (${duration.toFixed(3)}s)`,
    );
  }
  const s = Math.round(startTime * sampleRate);
  const e = Math.min(n, Math.round(endTime * sampleRate));
  if (e <= s) throw new VoiceDspError('INVALID_RANGE', `range ${startTime}s–${endTime}s is shorter than one sample`);
  if (s === 0 && e === n)
    throw new VoiceDspError('INVALID_RANGE', 'the range covers the whole clip; nothing would remain');
  const segments: [number, number][] = [];
  if (s > 0) segments.push([0, s]);
  if (e < n) segments.push([e, n]);
  return planSplice(n, segments, crossfadeSamplesOf(options.crossfadeMs ?? DEFAULT_CROSSFADE_MS, sampleRate));
}

/** Cuts [startTime, endTime) seconds; see {@link planRemoveRange}. */
export function removeRange(samples: Float32Array, sampleRate: number, options: RemoveRangeOptions): EditResult {
  return applyPlan(samples, planRemoveRange(samples.length, sampleRate, options), sampleRate);
}

/** Sorts, clamps to the clip and merges overlapping ranges; returns sample-index pairs. */
function normalizeRanges(ranges: readonly TimeRange[], n: number, sampleRate: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [i, r] of ranges.entries()) {
    assertFinite(r.start, `ranges[${i}].start`);
    assertFinite(r.end, `ranges[${i}].end`);
    if (r.end <= r.start)
      throw new VoiceDspError('INVALID_RANGE', `ranges[${i}]: end ${r.end}s must be after start ${r.start}s`);
    const s = Math.max(0, Math.round(r.start * sampleRate));
    const e = Math.min(n, Math.round(r.end * sampleRate));
    if (e > s) out.push([s, e]);
  }
  out.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Quietest bleep, as RMS: a range that was already near-silent still gets an audible tone. */
const MIN_BLEEP_RMS = 0.01;
const MAX_BLEEP_PEAK = 0.9;

/**
 * Plans replacing each range with silence or a sine bleep whose RMS matches the replaced audio, with
 * equal-power crossfades of `fadeMs` inside each edge so the range itself is fully replaced except for
 * the fades. Ranges are clamped to the clip and merged; the length never changes. Only the ranges are read.
 */
export function planMute(
  source: SampleSource,
  sampleRate: number,
  ranges: readonly TimeRange[],
  options: MuteOptions = {},
): MutePlan {
  assertRate(sampleRate);
  const mode = options.mode ?? 'silence';
  const bleepHz = options.bleepHz ?? 1000;
  const fadeMs = options.fadeMs ?? 5;
  assertFinite(bleepHz, 'bleepHz');
  assertFinite(fadeMs, 'fadeMs');
  if (bleepHz <= 0 || bleepHz >= sampleRate / 2) {
    throw new VoiceDspError('INVALID_ARGUMENT', `bleepHz must be between 0 and ${sampleRate / 2} Hz, got ${bleepHz}`);
  }
  if (fadeMs < 0) throw new VoiceDspError('INVALID_ARGUMENT', `fadeMs must not be negative, got ${fadeMs}`);
  const n = source.length;
  const omega = (2 * Math.PI * bleepHz) / sampleRate;
  const planned = normalizeRanges(ranges, n, sampleRate).map(([s, e]): PlannedMute => {
    const len = e - s;
    const fade = Math.min(Math.round((fadeMs / 1000) * sampleRate), Math.floor(len / 2));
    let amplitude = 0;
    switch (mode) {
      case 'silence':
        break;
      case 'bleep': {
        let sum = 0;
        for (let p = s; p < e; p += EDIT_BLOCK_SAMPLES) {
          for (const x of source.read(p, Math.min(e, p + EDIT_BLOCK_SAMPLES))) sum += x * x;
        }
        amplitude = Math.min(MAX_BLEEP_PEAK, Math.SQRT2 * Math.max(MIN_BLEEP_RMS, Math.sqrt(sum / len)));
        break;
      }
    }
    // No fade back at a clip edge: there is no original audio beyond it to return to.
    return { start: s, end: e, fadeIn: s === 0 ? 0 : fade, fadeOut: e === n ? 0 : fade, amplitude, omega };
  });
  return { kind: 'mute', ranges: planned, outputLength: n };
}

/** Mutes or bleeps ranges; see {@link planMute}. */
export function muteRanges(
  samples: Float32Array,
  sampleRate: number,
  ranges: readonly TimeRange[],
  options: MuteOptions = {},
): Float32Array {
  const source = arraySampleSource(samples);
  return renderEditToArray(source, planMute(source, sampleRate, ranges, options));
}

/**
 * Levels of consecutive 10 ms frames, fed block by block, for {@link planTrimSilence}. Holds one float per
 * frame (1.4 MB per hour), never the audio.
 */
export class FrameLevelMeter {
  private readonly hop: number;
  private levels = new Float32Array(1024);
  private frames = 0;
  private sum = 0;
  private filled = 0;
  private total = 0;

  constructor(sampleRate: number) {
    assertRate(sampleRate);
    this.hop = Math.max(1, Math.round(sampleRate / 100));
  }

  get frameSamples(): number {
    return this.hop;
  }

  push(block: Float32Array): void {
    for (const x of block) {
      this.sum += x * x;
      if (++this.filled === this.hop) this.closeFrame();
    }
    this.total += block.length;
  }

  /** Frame levels in dB (the last frame may be partial); `length` is the samples measured. */
  result(): { levelsDb: Float32Array; length: number } {
    if (this.filled > 0) this.closeFrame();
    return { levelsDb: this.levels.slice(0, this.frames), length: this.total };
  }

  private closeFrame(): void {
    if (this.frames === this.levels.length) {
      const grown = new Float32Array(this.levels.length * 2);
      grown.set(this.levels);
      this.levels = grown;
    }
    this.levels[this.frames++] = 10 * Math.log10(this.sum / this.filled + 1e-20);
    this.sum = 0;
    this.filled = 0;
  }
}

/**
 * Plans removing leading/trailing silence (keeping keepMs/2 at each edge) and shortening every internal
 * pause of at least minSilenceMs to keepMs, with crossfaded joins, from the levels a {@link FrameLevelMeter}
 * measured. A clip with no frame above the threshold is cut to keepMs.
 */
export function planTrimSilence(
  measured: { levelsDb: Float32Array; length: number },
  sampleRate: number,
  options: TrimSilenceOptions = {},
): SplicePlan {
  assertRate(sampleRate);
  const minSilenceMs = options.minSilenceMs ?? 300;
  const keepMs = options.keepMs ?? 150;
  const relativeDb = options.thresholdDb ?? -40;
  for (const [name, v] of [
    ['minSilenceMs', minSilenceMs],
    ['keepMs', keepMs],
    ['thresholdDb', relativeDb],
  ] as const) {
    assertFinite(v, name);
  }
  if (keepMs < 0 || minSilenceMs < keepMs) {
    throw new VoiceDspError('INVALID_ARGUMENT', `need 0 <= keepMs (${keepMs}) <= minSilenceMs (${minSilenceMs})`);
  }
  const { levelsDb: levels, length: n } = measured;
  const hop = Math.max(1, Math.round(sampleRate / 100));
  const frames = levels.length;
  let threshold: number;
  if (options.absoluteThresholdDbfs !== undefined) {
    assertFinite(options.absoluteThresholdDbfs, 'absoluteThresholdDbfs');
    threshold = options.absoluteThresholdDbfs;
  } else {
    const sorted = levels.slice().sort();
    // The floor keeps digital silence silent when there is no speech to be relative to.
    threshold = Math.max(SILENCE_FLOOR_DBFS, (sorted[Math.floor(0.95 * (frames - 1))] ?? -200) + relativeDb);
  }
  const keep = Math.round((keepMs / 1000) * sampleRate);
  const edgeKeep = Math.round(keep / 2);
  let first = -1;
  let last = -1;
  for (let f = 0; f < frames; f++) {
    if (levels[f]! >= threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  const crossfade = crossfadeSamplesOf(options.crossfadeMs ?? DEFAULT_CROSSFADE_MS, sampleRate);
  if (first < 0) return planSplice(n, [[0, Math.min(n, keep)]], crossfade);
  const segments: [number, number][] = [];
  let segStart = Math.max(0, first * hop - edgeKeep);
  const minSilenceFrames = Math.ceil(minSilenceMs / 10);
  let runStart = -1;
  for (let f = first; f <= last; f++) {
    const silent = levels[f]! < threshold;
    if (silent && runStart < 0) runStart = f;
    if (!silent && runStart >= 0) {
      if (f - runStart >= minSilenceFrames) {
        // Keep keep/2 of pause on each side; the join's crossfade then lands in silence.
        const cutFrom = runStart * hop + edgeKeep;
        const cutTo = f * hop - (keep - edgeKeep);
        if (cutTo > cutFrom) {
          segments.push([segStart, cutFrom]);
          segStart = cutTo;
        }
      }
      runStart = -1;
    }
  }
  segments.push([segStart, Math.min(n, (last + 1) * hop + edgeKeep)]);
  return planSplice(n, segments, crossfade);
}

/** Trims and shortens silence; see {@link planTrimSilence}. */
export function trimSilence(samples: Float32Array, sampleRate: number, options: TrimSilenceOptions = {}): EditResult {
  const meter = new FrameLevelMeter(sampleRate);
  meter.push(samples);
  return applyPlan(samples, planTrimSilence(meter.result(), sampleRate, options), sampleRate);
}

/** One step of an edit chain, applied in order on the timeline left by the previous step. */
export type EditOperation =
  | ({ readonly type: 'remove_range' } & RemoveRangeOptions)
  | ({ readonly type: 'mute_ranges'; readonly ranges: readonly TimeRange[] } & MuteOptions)
  | ({ readonly type: 'trim_silence' } & TrimSilenceOptions);

/** Applies operations in order and composes their time maps (original clip → final clip). */
export function applyEdits(
  samples: Float32Array,
  sampleRate: number,
  operations: readonly EditOperation[],
): EditResult {
  assertRate(sampleRate);
  let current = samples;
  let timeMap: TimeMapSegment[] = identityTimeMap(samples.length / sampleRate);
  for (const op of operations) {
    let step: EditResult;
    switch (op.type) {
      case 'remove_range':
        step = removeRange(current, sampleRate, op);
        break;
      case 'mute_ranges':
        step = {
          samples: muteRanges(current, sampleRate, op.ranges, op),
          timeMap: identityTimeMap(current.length / sampleRate),
        };
        break;
      case 'trim_silence':
        step = trimSilence(current, sampleRate, op);
        break;
    }
    timeMap = composeTimeMaps(timeMap, step.timeMap);
    current = step.samples;
  }
  return { samples: current === samples ? samples.slice() : current, timeMap };
}
