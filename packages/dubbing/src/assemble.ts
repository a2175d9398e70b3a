import { timeStretch } from '@voice/voice-dsp';

import { DubbingError } from './errors';

/** One synthesised utterance and the source slot [start, end) (seconds) it replaces. */
export interface DubSegment {
  readonly start: number;
  readonly end: number;
  /** Mono speech at the assembly's `sampleRate`. */
  readonly audio: Float32Array;
}

export interface AssembleDubOptions {
  /** Output length: exactly round(sourceDurationSeconds · sampleRate) samples. */
  readonly sourceDurationSeconds: number;
  readonly sampleRate: number;
  readonly segments: readonly DubSegment[];
  /** Ambience/music to keep, at `sampleRate` and on the source timeline (see `estimateBackground`). */
  readonly background?: Float32Array;
  /** Gain applied to the background everywhere. Default 0 dB. */
  readonly backgroundGainDb?: number;
  /** Extra background attenuation while dubbed speech plays. Default −12 dB. */
  readonly duckDb?: number;
  /** Ramp into and out of the ducked level. Default 0.08 s. */
  readonly duckRampSeconds?: number;
  /** Stretch factor limits (placed length ÷ synthesised length). Defaults 0.5 (2× faster) and 2 (2× slower). */
  readonly minStretch?: number;
  readonly maxStretch?: number;
  /** Fade applied where speech must be cut short to leave room for the next segment. Default 0.03 s. */
  readonly fadeSeconds?: number;
}

/** Where one segment's speech ended up, in seconds on the output timeline. */
export interface DubPlacement {
  /** Source slot. */
  readonly slotStart: number;
  readonly slotEnd: number;
  /** Placed speech: starts at the slot start, ends where the (stretched, maybe cut) speech ends. */
  readonly start: number;
  readonly end: number;
  /** Applied time-stretch factor (output ÷ input length): < 1 sped up, > 1 slowed down. */
  readonly stretch: number;
  /** Speech that ran past the next segment's start (or the end of the audio) and was faded out. */
  readonly trimmedSeconds: number;
}

export interface DubResult {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  /** One per input segment, in input order. */
  readonly placements: DubPlacement[];
  /** Gain applied to the whole mix so it never clips (1 when no limiting was needed). */
  readonly outputGain: number;
}

const dbToGain = (db: number): number => Math.pow(10, db / 20);

/**
 * Builds the dubbed track: each segment's speech is WSOLA time-stretched (pitch kept) to its source slot
 * length, with the factor clamped to [minStretch, maxStretch]. Speech still too long after clamping may run
 * on into the silence that follows, up to the next segment's slot start, where it is faded out; segments
 * therefore never overlap. The background, when given, plays throughout and is ducked under speech.
 * The output is exactly as long as the source.
 */
export function assembleDub(options: AssembleDubOptions): DubResult {
  const layout = dubLayout(options);
  const { sampleRate, length } = layout;
  const out = new Float32Array(length);
  const order = segmentOrder(options.segments, options.sourceDurationSeconds);
  const placements = new Array<DubPlacement>(options.segments.length);
  const spans: Array<[number, number]> = [];
  for (const [rank, index] of order.entries()) {
    const nextIndex = order[rank + 1];
    const nextStart = nextIndex === undefined ? undefined : options.segments[nextIndex]!.start;
    const placed = placeSegment(options.segments[index]!, nextStart, layout);
    for (let i = 0; i < placed.samples.length; i++)
      out[placed.offset + i] = out[placed.offset + i]! + placed.samples[i]!;
    if (placed.samples.length > 0) spans.push([placed.offset, placed.offset + placed.samples.length]);
    placements[index] = placed.placement;
  }

  if (options.background) {
    const gains = backgroundGains(spans, 0, length, options, sampleRate);
    const n = Math.min(length, options.background.length);
    for (let i = 0; i < n; i++) out[i] = out[i]! + options.background[i]! * gains[i]!;
  }

  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(out[i]!));
  // A plain gain (not a limiter) keeps the speech/background balance; loudness is the caller's next step.
  const outputGain = peak > 0.99 ? 0.99 / peak : 1;
  if (outputGain !== 1) for (let i = 0; i < length; i++) out[i] = out[i]! * outputGain;
  return { samples: out, sampleRate, placements, outputGain };
}

/** The validated, sample-level shape of an assembly (everything but the segments' audio). */
export interface DubLayout {
  readonly sampleRate: number;
  /** Output length in samples: round(sourceDurationSeconds · sampleRate). */
  readonly length: number;
  readonly minStretch: number;
  readonly maxStretch: number;
  readonly fadeLength: number;
}

/** Checks the options and resolves the sample-level layout shared by every segment. */
export function dubLayout(options: Omit<AssembleDubOptions, 'segments' | 'background'>): DubLayout {
  const { sampleRate, sourceDurationSeconds } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000) {
    throw new DubbingError('INVALID_ARGUMENT', `sampleRate must be an integer in 8000–192000 Hz, got ${sampleRate}`);
  }
  if (!(sourceDurationSeconds > 0) || !Number.isFinite(sourceDurationSeconds)) {
    throw new DubbingError('INVALID_ARGUMENT', `sourceDurationSeconds must be > 0, got ${sourceDurationSeconds}`);
  }
  const minStretch = options.minStretch ?? 0.5;
  const maxStretch = options.maxStretch ?? 2;
  // voice-dsp's WSOLA accepts 1/4–4; anything wider would not be speech any more.
  if (!(minStretch >= 0.25 && minStretch <= 1 && maxStretch >= 1 && maxStretch <= 4)) {
    throw new DubbingError('INVALID_ARGUMENT', `stretch limits must satisfy 0.25 ≤ min ≤ 1 ≤ max ≤ 4`);
  }
  return {
    sampleRate,
    length: Math.round(sourceDurationSeconds * sampleRate),
    minStretch,
    maxStretch,
    fadeLength: Math.max(1, Math.round((options.fadeSeconds ?? 0.03) * sampleRate)),
  };
}

/** Indices of `segments` in time order, after checking each slot. */
export function segmentOrder(
  segments: readonly Pick<DubSegment, 'start' | 'end'>[],
  sourceDurationSeconds: number,
): number[] {
  const order = segments.map((segment, index) => {
    if (!Number.isFinite(segment.start) || !Number.isFinite(segment.end) || segment.end <= segment.start) {
      throw new DubbingError('INVALID_ARGUMENT', `segment ${index} needs finite start < end`);
    }
    if (segment.start < 0 || segment.start >= sourceDurationSeconds) {
      throw new DubbingError('INVALID_ARGUMENT', `segment ${index} starts outside the audio (${segment.start} s)`);
    }
    return index;
  });
  return order.sort((a, b) => segments[a]!.start - segments[b]!.start || a - b);
}

/** A segment's speech on the output timeline: `samples` (stretched, maybe cut and faded) start at `offset`. */
export interface PlacedSegment {
  readonly offset: number;
  readonly samples: Float32Array;
  readonly placement: DubPlacement;
}

/**
 * Fits one segment to its slot: WSOLA time-stretch to the slot length within the stretch limits, then cut
 * (with a fade) where the next segment starts (`nextStart`, seconds; the end of the audio when undefined).
 * Placed segments in time order never overlap, so they can be written out one after another.
 */
export function placeSegment(segment: DubSegment, nextStart: number | undefined, layout: DubLayout): PlacedSegment {
  const { sampleRate, length, minStretch, maxStretch, fadeLength } = layout;
  const slotStart = Math.round(segment.start * sampleRate);
  // Speech may use the gap after its slot, but never the next segment's slot.
  const limit = nextStart === undefined ? length : Math.round(nextStart * sampleRate);
  const slotEnd = Math.min(Math.round(segment.end * sampleRate), limit);
  const slotLength = Math.max(1, slotEnd - slotStart);

  let placed = segment.audio;
  let stretch = 1;
  if (segment.audio.length > 0) {
    stretch = Math.min(maxStretch, Math.max(minStretch, slotLength / segment.audio.length));
    // Within half a millisecond of the slot there is nothing audible to gain from running WSOLA.
    if (Math.abs(segment.audio.length * stretch - segment.audio.length) > sampleRate / 2000) {
      placed = timeStretch(segment.audio, sampleRate, stretch);
    } else stretch = 1;
  }
  const room = Math.max(0, limit - slotStart);
  const kept = Math.min(placed.length, room);
  const fade = kept < placed.length ? Math.min(fadeLength, kept) : 0;
  const samples = new Float32Array(kept);
  for (let i = 0; i < kept; i++) samples[i] = placed[i]! * (i >= kept - fade ? (kept - i) / (fade + 1) : 1);
  return {
    offset: slotStart,
    samples,
    placement: {
      slotStart: segment.start,
      slotEnd: segment.end,
      start: slotStart / sampleRate,
      end: (slotStart + kept) / sampleRate,
      stretch,
      trimmedSeconds: (placed.length - kept) / sampleRate,
    },
  };
}

/**
 * Background gain for samples [from, to), ducked under speech `spans` (sample ranges, in order, disjoint).
 * The ramps sit outside the speech so the duck is complete before the first syllable and released only after
 * the last. Only spans within a ramp of the window matter, so a long mix can be computed block by block.
 */
export function backgroundGains(
  spans: ReadonlyArray<readonly [number, number]>,
  from: number,
  to: number,
  options: Pick<AssembleDubOptions, 'backgroundGainDb' | 'duckDb' | 'duckRampSeconds'>,
  sampleRate: number,
): Float32Array {
  const base = dbToGain(options.backgroundGainDb ?? 0);
  const ducked = dbToGain(options.duckDb ?? -12);
  const ramp = Math.max(1, Math.round((options.duckRampSeconds ?? 0.08) * sampleRate));
  // depth in 0..1: how far the background is pulled down (1 = fully ducked).
  const depth = new Float32Array(Math.max(0, to - from));
  // First span whose release could reach `from` (spans are ordered, so ends are too).
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]![1] + ramp <= from) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < spans.length && spans[k]![0] - ramp < to; k++) {
    const [start, end] = spans[k]!;
    for (let i = Math.max(from, start - ramp); i < Math.min(to, end + ramp); i++) {
      const d = i < start ? 1 - (start - i) / ramp : i >= end ? 1 - (i - end + 1) / ramp : 1;
      if (d > depth[i - from]!) depth[i - from] = d;
    }
  }
  const gains = depth;
  for (let i = 0; i < gains.length; i++) gains[i] = base * (1 - depth[i]! * (1 - ducked));
  return gains;
}
