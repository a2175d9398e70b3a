import type { SampleSource } from '@voice/audio';

import type { TimeRange } from './edit';
import { VoiceDspError, assertFinite, assertRate } from './errors';

/** A range to refine, with how far it may move without reaching a neighbouring word. */
export interface SnappableRange extends TimeRange {
  readonly earliestStart?: number;
  readonly latestEnd?: number;
}

export interface SnapToQuietOptions {
  /** How far each edge may move, either way. Default 50 ms. */
  readonly windowMs?: number;
  /** Length of the frames whose level is compared. Default 10 ms. */
  readonly frameMs?: number;
}

/**
 * What moving an edge across the whole window costs, in dB of frame level: an edge leaves its estimate only
 * for a real dip, not for the ±1 dB ripple inside a vowel.
 */
const MOVE_PENALTY_DB = 6;
/** Candidate edge positions are this far apart. */
const STEP_SECONDS = 0.001;

/**
 * Moves each edge of each range to the quietest short frame within ±windowMs of it, never before
 * `earliestStart`, after `latestEnd` or outside the clip, and never past the range's other edge. Word
 * timestamps from a recogniser are coarse (Whisper's sit on a 20 ms grid, from attention, not acoustics), so
 * a mute taken straight from them can start inside the previous word's last sound; the quietest point
 * nearby is where one sound gives way to the next, and a fade placed there clips nothing. Only audio near
 * the edges is read.
 */
export function snapRangesToQuiet<R extends SnappableRange>(
  source: SampleSource,
  sampleRate: number,
  ranges: readonly R[],
  options: SnapToQuietOptions = {},
): R[] {
  assertRate(sampleRate);
  const windowMs = options.windowMs ?? 50;
  const frameMs = options.frameMs ?? 10;
  assertFinite(windowMs, 'windowMs');
  assertFinite(frameMs, 'frameMs');
  if (windowMs < 0) throw new VoiceDspError('INVALID_ARGUMENT', `windowMs must not be negative, got ${windowMs}`);
  if (frameMs <= 0) throw new VoiceDspError('INVALID_ARGUMENT', `frameMs must be positive, got ${frameMs}`);
  const duration = source.length / sampleRate;
  const window = windowMs / 1000;
  const frame = frameMs / 1000;
  return ranges.map((range) => {
    const earliest = Math.max(0, range.earliestStart ?? 0);
    const latest = Math.min(duration, range.latestEnd ?? duration);
    // A range already shorter than a frame has no inside to search; leave it as it is.
    if (range.end - range.start <= frame) return range;
    const start = quietestNear(source, sampleRate, range.start, earliest, range.end - frame, window, frame);
    const end = quietestNear(source, sampleRate, range.end, start + frame, latest, window, frame);
    return { ...range, start, end };
  });
}

/** The candidate within [t − window, t + window] ∩ [lo, hi] whose frame is quietest, counting the move. */
function quietestNear(
  source: SampleSource,
  sampleRate: number,
  t: number,
  lo: number,
  hi: number,
  window: number,
  frame: number,
): number {
  const from = Math.max(lo, t - window);
  const to = Math.min(hi, t + window);
  if (to <= from) return Math.min(hi, Math.max(lo, t));
  const half = Math.max(1, Math.round((frame * sampleRate) / 2));
  const first = Math.max(0, Math.floor(from * sampleRate) - half);
  const last = Math.min(source.length, Math.ceil(to * sampleRate) + half);
  const x = source.read(first, last);
  // Prefix sums of squares: each candidate frame's energy is one subtraction.
  const energy = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) energy[i + 1] = energy[i]! + x[i]! * x[i]!;
  let best = t;
  let bestCost = Infinity;
  for (let c = from; c <= to + 1e-9; c += STEP_SECONDS) {
    const centre = Math.round(c * sampleRate) - first;
    const a = Math.max(0, centre - half);
    const b = Math.min(x.length, centre + half);
    if (b <= a) continue;
    const levelDb = 10 * Math.log10((energy[b]! - energy[a]!) / (b - a) + 1e-12);
    const cost = levelDb + (MOVE_PENALTY_DB * Math.abs(c - t)) / Math.max(window, STEP_SECONDS);
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return Math.min(to, best);
}
