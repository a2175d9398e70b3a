import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

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
  const steps = assembling(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link assembleDub} for long recordings: yields to the event loop after every segment (time-stretching a
 * half-hour dub takes seconds of CPU, during which heartbeats and cancellation must still get through) and
 * reports the fraction of segments placed.
 */
export async function assembleDubYielding(
  options: AssembleDubOptions,
  onProgress?: (fraction: number) => void,
): Promise<DubResult> {
  const steps = assembling(options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress?.(step.value / Math.max(1, options.segments.length));
    await yieldToEventLoop();
  }
}

/** The assembly, yielding the number of segments placed so far after each one. */
function* assembling(options: AssembleDubOptions): Generator<number, DubResult, undefined> {
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
  const length = Math.round(sourceDurationSeconds * sampleRate);
  const out = new Float32Array(length);
  const fadeLength = Math.max(1, Math.round((options.fadeSeconds ?? 0.03) * sampleRate));

  const order = options.segments.map((segment, index) => {
    if (!Number.isFinite(segment.start) || !Number.isFinite(segment.end) || segment.end <= segment.start) {
      throw new DubbingError('INVALID_ARGUMENT', `segment ${index} needs finite start < end`);
    }
    if (segment.start < 0 || segment.start >= sourceDurationSeconds) {
      throw new DubbingError('INVALID_ARGUMENT', `segment ${index} starts outside the audio (${segment.start} s)`);
    }
    return index;
  });
  order.sort((a, b) => options.segments[a]!.start - options.segments[b]!.start || a - b);

  const placements = new Array<DubPlacement>(options.segments.length);
  const speaking: Array<[number, number]> = [];
  for (const [rank, index] of order.entries()) {
    const segment = options.segments[index]!;
    const slotStart = Math.round(segment.start * sampleRate);
    const nextIndex = order[rank + 1];
    // Speech may use the gap after its slot, but never the next segment's slot.
    const limit = nextIndex === undefined ? length : Math.round(options.segments[nextIndex]!.start * sampleRate);
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
    for (let i = 0; i < kept; i++) {
      const fadeGain = i >= kept - fade ? (kept - i) / (fade + 1) : 1;
      out[slotStart + i] = out[slotStart + i]! + placed[i]! * fadeGain;
    }
    if (kept > 0) speaking.push([slotStart, slotStart + kept]);
    placements[index] = {
      slotStart: segment.start,
      slotEnd: segment.end,
      start: slotStart / sampleRate,
      end: (slotStart + kept) / sampleRate,
      stretch,
      trimmedSeconds: (placed.length - kept) / sampleRate,
    };
    yield rank + 1;
  }

  if (options.background) mixDuckedBackground(out, options.background, speaking, options, sampleRate);

  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(out[i]!));
  // A plain gain (not a limiter) keeps the speech/background balance; loudness is the caller's next step.
  const outputGain = peak > 0.99 ? 0.99 / peak : 1;
  if (outputGain !== 1) for (let i = 0; i < length; i++) out[i] = out[i]! * outputGain;
  return { samples: out, sampleRate, placements, outputGain };
}

function mixDuckedBackground(
  out: Float32Array,
  background: Float32Array,
  speaking: ReadonlyArray<readonly [number, number]>,
  options: AssembleDubOptions,
  sampleRate: number,
): void {
  const base = dbToGain(options.backgroundGainDb ?? 0);
  const ducked = dbToGain(options.duckDb ?? -12);
  const ramp = Math.max(1, Math.round((options.duckRampSeconds ?? 0.08) * sampleRate));
  // depth[i] in 0..1: how far the background is pulled down at i (1 = fully ducked). The ramps sit outside the
  // speech so the duck is complete before the first syllable and released only after the last.
  const depth = new Float32Array(out.length);
  for (const [start, end] of speaking) {
    for (let i = Math.max(0, start - ramp); i < Math.min(out.length, end + ramp); i++) {
      const d = i < start ? 1 - (start - i) / ramp : i >= end ? 1 - (i - end + 1) / ramp : 1;
      if (d > depth[i]!) depth[i] = d;
    }
  }
  const n = Math.min(out.length, background.length);
  for (let i = 0; i < n; i++) {
    const gain = base * (1 - depth[i]! * (1 - ducked));
    out[i] = out[i]! + background[i]! * gain;
  }
}
