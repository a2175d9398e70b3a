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

/**
 * Concatenates kept segments [a, b) (sample indices, sorted, disjoint) with an equal-power crossfade
 * centred on every join. Each fade of 2h samples blends x[b-h .. b+h) out and x[a'-h .. a'+h) in, so it
 * borrows h samples from either side of the removed material and the output length is exactly the sum
 * of the segment lengths. h shrinks where a segment is too short or the clip edge is too close.
 */
export function spliceSegments(
  samples: Float32Array,
  segments: readonly (readonly [number, number])[],
  crossfadeSamples: number,
): Float32Array {
  const n = samples.length;
  const m = segments.length;
  const halves = new Int32Array(Math.max(0, m - 1));
  let total = 0;
  for (let i = 0; i < m; i++) {
    const [a, b] = segments[i]!;
    total += b - a;
    if (i + 1 < m) {
      const [a2, b2] = segments[i + 1]!;
      halves[i] = Math.max(
        0,
        Math.min(Math.floor(crossfadeSamples / 2), Math.floor((b - a) / 2), Math.floor((b2 - a2) / 2), n - b, a2),
      );
    }
  }
  const out = new Float32Array(total);
  let pos = 0;
  for (let i = 0; i < m; i++) {
    const [a, b] = segments[i]!;
    const left = i > 0 ? halves[i - 1]! : 0;
    const right = i + 1 < m ? halves[i]! : 0;
    out.set(samples.subarray(a + left, b - right), pos);
    pos += b - right - (a + left);
    if (right > 0) {
      const next = segments[i + 1]![0];
      const width = 2 * right;
      const outFrom = b - right;
      const inFrom = next - right;
      for (let k = 0; k < width; k++) {
        const t = ((k + 0.5) / width) * (Math.PI / 2);
        out[pos + k] = samples[outFrom + k]! * Math.cos(t) + samples[inFrom + k]! * Math.sin(t);
      }
      pos += width;
    }
  }
  return out;
}

function timeMapOf(segments: readonly (readonly [number, number])[], sampleRate: number): TimeMapSegment[] {
  const map: TimeMapSegment[] = [];
  let newStart = 0;
  for (const [a, b] of segments) {
    map.push({ originalStart: a / sampleRate, originalEnd: b / sampleRate, newStart: newStart / sampleRate });
    newStart += b - a;
  }
  return map;
}

function crossfadeSamplesOf(crossfadeMs: number, sampleRate: number): number {
  assertFinite(crossfadeMs, 'crossfadeMs');
  if (crossfadeMs < 0 || crossfadeMs > 1000) {
    throw new VoiceDspError('INVALID_ARGUMENT', `crossfadeMs must be between 0 and 1000, got ${crossfadeMs}`);
  }
  return Math.round((crossfadeMs / 1000) * sampleRate);
}

/**
 * Cuts [startTime, endTime) seconds and joins the two sides with an equal-power crossfade centred on
 * the cut. The result is exactly round(end·rate) − round(start·rate) samples shorter.
 */
export function removeRange(samples: Float32Array, sampleRate: number, options: RemoveRangeOptions): EditResult {
  assertRate(sampleRate);
  const { startTime, endTime } = options;
  assertFinite(startTime, 'startTime');
  assertFinite(endTime, 'endTime');
  const n = samples.length;
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
  const crossfade = crossfadeSamplesOf(options.crossfadeMs ?? DEFAULT_CROSSFADE_MS, sampleRate);
  return { samples: spliceSegments(samples, segments, crossfade), timeMap: timeMapOf(segments, sampleRate) };
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
 * Replaces each range with silence or a sine bleep whose RMS matches the replaced audio, with
 * equal-power crossfades of `fadeMs` inside each edge so the range itself is fully replaced except
 * for the fades. Ranges are clamped to the clip and merged; the length never changes.
 */
export function muteRanges(
  samples: Float32Array,
  sampleRate: number,
  ranges: readonly TimeRange[],
  options: MuteOptions = {},
): Float32Array {
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
  const out = samples.slice();
  const omega = (2 * Math.PI * bleepHz) / sampleRate;
  for (const [s, e] of normalizeRanges(ranges, samples.length, sampleRate)) {
    const len = e - s;
    const fade = Math.min(Math.round((fadeMs / 1000) * sampleRate), Math.floor(len / 2));
    // No fade back at a clip edge: there is no original audio beyond it to return to.
    const fadeIn = s === 0 ? 0 : fade;
    const fadeOut = e === samples.length ? 0 : fade;
    let amplitude = 0;
    switch (mode) {
      case 'silence':
        break;
      case 'bleep': {
        let sum = 0;
        for (let i = s; i < e; i++) sum += samples[i]! * samples[i]!;
        amplitude = Math.min(MAX_BLEEP_PEAK, Math.SQRT2 * Math.max(MIN_BLEEP_RMS, Math.sqrt(sum / len)));
        break;
      }
    }
    for (let k = 0; k < len; k++) {
      // 0 → original, 1 → replacement; quarter-sine ramps give equal power across each fade.
      const ramp = k < fadeIn ? (k + 0.5) / fadeIn : k >= len - fadeOut ? (len - k - 0.5) / fadeOut : 1;
      const replacement = amplitude === 0 ? 0 : amplitude * Math.sin(omega * k);
      if (ramp >= 1) {
        // Exactly nothing of the original (cos(π/2) is 6e-17, not 0).
        out[s + k] = replacement;
      } else {
        const t = ramp * (Math.PI / 2);
        out[s + k] = samples[s + k]! * Math.cos(t) + replacement * Math.sin(t);
      }
    }
  }
  return out;
}

/**
 * Removes leading/trailing silence (keeping keepMs/2 at each edge) and shortens every internal pause
 * of at least minSilenceMs to keepMs, with crossfaded joins. Silence is judged on 10 ms frames. A clip
 * with no frame above the threshold is returned cut to keepMs.
 */
export function trimSilence(samples: Float32Array, sampleRate: number, options: TrimSilenceOptions = {}): EditResult {
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
  const n = samples.length;
  const hop = Math.max(1, Math.round(sampleRate / 100));
  const frames = Math.ceil(n / hop);
  const levels = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const end = Math.min(n, (f + 1) * hop);
    for (let i = f * hop; i < end; i++) sum += samples[i]! * samples[i]!;
    levels[f] = 10 * Math.log10(sum / (end - f * hop) + 1e-20);
  }
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
  if (first < 0) {
    const segments: [number, number][] = [[0, Math.min(n, keep)]];
    return { samples: samples.slice(0, Math.min(n, keep)), timeMap: timeMapOf(segments, sampleRate) };
  }
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
  return { samples: spliceSegments(samples, segments, crossfade), timeMap: timeMapOf(segments, sampleRate) };
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
