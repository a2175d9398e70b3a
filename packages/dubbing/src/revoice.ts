import { resample } from '@voice/audio';

import { backgroundGains, placeSegment, type DubLayout } from './assemble';
import { BackgroundGainFit } from './background';

/** Mono samples readable at any position (a WAV file reader, or an array). */
export interface SampleReader {
  readonly length: number;
  read(start: number, end: number): Float32Array;
}

/** Where rendered samples go, block by block (a streamed WAV writer). */
export interface SampleWriter {
  /** Samples written so far. */
  readonly length: number;
  write(block: Float32Array): Promise<void>;
}

/** A delay-compensated block denoiser: the concatenated output is time-aligned with the input. */
export interface BlockDenoiser {
  push(block: Float32Array): Promise<Float32Array>;
  flush(): Promise<Float32Array>;
}

/** Samples per block of the mix: about 1.4 s at 48 kHz. */
export const MIX_BLOCK = 65536;
/** The mix is scaled once, down to this peak, if it would clip (not a limiter: it keeps the balance). */
const MIX_PEAK = 0.99;

/**
 * Step 1 of a re-voice: the strongest denoiser's output is the speech estimate; the least-squares gain that leaves
 * the least speech in `original − gain · enhanced` makes that residual the background (noise, room, music, with
 * some speech leakage that the mix ducks under the new voice). Streams `blocks` (the input, in order) through the
 * denoiser into `enhanced`; returns the gain.
 */
export async function denoiseForBackground(args: {
  blocks: AsyncIterable<Float32Array>;
  original: SampleReader;
  denoiser: BlockDenoiser;
  enhanced: SampleWriter;
  onProgress?: (fraction: number) => void;
}): Promise<number> {
  const { original, denoiser, enhanced } = args;
  const fit = new BackgroundGainFit();
  let denoised = 0;
  const keep = async (block: Float32Array) => {
    fit.push(original.read(denoised, denoised + block.length), block);
    denoised += block.length;
    await enhanced.write(block);
    args.onProgress?.(denoised / Math.max(1, original.length));
  };
  for await (const block of args.blocks) await keep(await denoiser.push(block));
  await keep(await denoiser.flush());
  return fit.gain;
}

/**
 * Step 2: the new speech track, built line by line in time order (see `segmentOrder`), each line fitted to its
 * source slot by `placeSegment` and written at its offset with silence between lines, so placed lines never
 * overlap and memory holds one line at a time.
 */
export class SpeechTrack {
  /** Sample ranges [start, end) of the placed speech, in order: where the background is ducked. */
  readonly spans: Array<[number, number]> = [];

  constructor(
    private readonly layout: DubLayout,
    private readonly writer: SampleWriter,
  ) {}

  /** Places one synthesised line (at any rate) in its slot [start, end) s; `nextStart` bounds how far it may run. */
  async place(
    line: { start: number; end: number },
    voice: { samples: Float32Array; sampleRate: number },
    nextStart: number | undefined,
  ): Promise<void> {
    const audio = resample(voice.samples, voice.sampleRate, this.layout.sampleRate);
    const placed = placeSegment({ start: line.start, end: line.end, audio }, nextStart, this.layout);
    await writeSilence(this.writer, placed.offset - this.writer.length);
    await this.writer.write(placed.samples);
    if (placed.samples.length > 0) this.spans.push([placed.offset, placed.offset + placed.samples.length]);
  }

  /** Pads the track with silence to the layout's length. */
  async finish(): Promise<void> {
    await writeSilence(this.writer, this.layout.length - this.writer.length);
  }
}

/**
 * Step 3: speech plus the ducked background (`original − backgroundGain · enhanced`), block by block into `out`.
 * Returns the mix's peak; pass it to {@link clipSafeScale} for the one gain that keeps the mix from clipping.
 */
export async function mixRevoiced(args: {
  speech: SampleReader;
  original: SampleReader;
  enhanced: SampleReader;
  spans: ReadonlyArray<readonly [number, number]>;
  backgroundGain: number;
  layout: DubLayout;
  out: SampleWriter;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}): Promise<{ peak: number }> {
  const { layout, backgroundGain } = args;
  let peak = 0;
  for (let from = 0; from < layout.length; from += MIX_BLOCK) {
    args.signal?.throwIfAborted();
    const to = Math.min(layout.length, from + MIX_BLOCK);
    const voiceBlock = args.speech.read(from, to);
    const sourceBlock = args.original.read(from, to);
    const enhancedBlock = args.enhanced.read(from, to);
    const gains = backgroundGains(args.spans, from, to, {}, layout.sampleRate);
    const mixed = new Float32Array(to - from);
    for (let i = 0; i < mixed.length; i++) {
      const background = (sourceBlock[i] ?? 0) - backgroundGain * (enhancedBlock[i] ?? 0);
      mixed[i] = (voiceBlock[i] ?? 0) + background * gains[i]!;
      peak = Math.max(peak, Math.abs(mixed[i]!));
    }
    await args.out.write(mixed);
    args.onProgress?.(to / layout.length);
  }
  return { peak };
}

/** The gain that brings a mix peaking at `peak` just under full scale, or undefined when it does not clip. */
export function clipSafeScale(peak: number): number | undefined {
  return peak > MIX_PEAK ? MIX_PEAK / peak : undefined;
}

/** Multiplies `block` by `scale` in place and returns it. */
export function scaleBlock(block: Float32Array, scale: number): Float32Array {
  for (let i = 0; i < block.length; i++) block[i] = block[i]! * scale;
  return block;
}

/** Appends `count` zeros (the speech track between lines) a block at a time. */
async function writeSilence(writer: SampleWriter, count: number): Promise<void> {
  for (let left = count; left > 0; left -= MIX_BLOCK) await writer.write(new Float32Array(Math.min(MIX_BLOCK, left)));
}
