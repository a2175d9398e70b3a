import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { log } from '@temporalio/activity';
import type { ProgressHeartbeat } from '@voice/activity-kit';
import { AudioMeter, WavFileReader, WavStreamWriter, readWavInfo, readWavStream } from '@voice/audio';
import type { BlobStorage } from '@voice/storage';
import type { DenoiseStream } from '@voice/denoise';

/**
 * Where a retried denoise resumes: the first `segments` output parts are in storage (`<outputKey>.part-<k>`)
 * and together hold output frames [0, frames). Never a local path: the worker that wrote them may be gone.
 */
export interface DenoiseCheckpoint {
  segments: number;
  frames: number;
}

/** How often a long denoise saves its output so far; the defaults suit inputs from a minute to hours. */
export interface DenoiseCheckpointOptions {
  /** No checkpoints below this input length: starting again is cheaper than the uploads and the join (default 60 s). */
  minInputSeconds?: number;
  /** Audio seconds between checkpoints, at least (default 10 s). */
  minSpacingSeconds?: number;
  /** At most about this many parts; the spacing grows with the input (default 20, so a crash loses ≤ 5%). */
  maxParts?: number;
  /**
   * Input fed before the resume point so the stateful model settles; its output is discarded (default 2 s,
   * well past the recurrent models' memory).
   */
  preRollSeconds?: number;
}

export function isDenoiseCheckpoint(value: unknown): value is DenoiseCheckpoint {
  if (typeof value !== 'object' || value === null) return false;
  const { segments, frames } = value as Partial<DenoiseCheckpoint>;
  return Number.isSafeInteger(segments) && Number.isSafeInteger(frames) && segments! > 0 && frames! > 0;
}

/** Storage key of output part `index` of the step whose final output is `outputKey`. */
export const denoisePartKey = (outputKey: string, index: number): string => `${outputKey}.part-${index}`;

/** Samples per read of the input: one second at 48 kHz, as readWavStream reads. */
const BLOCK = 48_000;

export interface ResumableDenoiseResult {
  /** Local file holding the whole output (sample-exact: as many frames as the input). */
  rendered: string;
  /** Share of the input the previous attempts had finished (0 for a first or restarted run). */
  resumedFromFraction: number;
  /** Output parts saved to storage by this attempt. */
  checkpointsSaved: number;
  /** Parts in storage under `<outputKey>.part-<k>` (earlier attempts' and this one's), for cleanup. */
  parts: number;
  /** The whole output's integrated loudness and true peak (non-finite for silence), metered as it was written. */
  loudness: { integratedLufs: number; truePeakDbtp: number };
}

/**
 * Denoises `source` (a local WAV) into `<dir>/out.wav`, saving the output so far to storage every checkpoint
 * spacing and heartbeating `{checkpoint: {segments, frames}}` once each part is durable. On a retry it reads the
 * previous attempt's checkpoint, checks the parts are there, skips the input up to the checkpoint (less a pre-roll
 * whose output it discards), and joins the stored parts and the new output. The caller uploads `rendered` to
 * `outputKey` and then calls {@link deleteDenoiseParts}.
 */
export async function denoiseResumable(args: {
  storage: BlobStorage;
  dir: string;
  source: string;
  outputKey: string;
  openStream: () => Promise<DenoiseStream>;
  /** This attempt's heartbeat, made with `resumedFrom: lastCheckpoint(isDenoiseCheckpoint)`. */
  heartbeat: ProgressHeartbeat<DenoiseCheckpoint>;
  options?: DenoiseCheckpointOptions;
}): Promise<ResumableDenoiseResult> {
  const { storage, dir, source, outputKey, heartbeat } = args;
  const minInputSeconds = args.options?.minInputSeconds ?? 60;
  const minSpacingSeconds = args.options?.minSpacingSeconds ?? 10;
  const maxParts = args.options?.maxParts ?? 20;
  const preRollSeconds = args.options?.preRollSeconds ?? 2;

  const { sampleRate, frames } = await readWavInfo(source);
  const totalSeconds = frames / sampleRate;
  const fractionOf = (frame: number) => frame / Math.max(frames, 1);
  const checkpointing = totalSeconds >= minInputSeconds;
  const spacing = checkpointing
    ? Math.max(1, Math.round(Math.max(minSpacingSeconds, totalSeconds / maxParts) * sampleRate))
    : Infinity;

  const parts: string[] = [];
  const partFile = (index: number) => path.join(dir, `part-${index}.wav`);
  const previous = heartbeat.checkpoint;
  const resumed =
    checkpointing && previous ? await fetchParts(storage, outputKey, previous, frames, partFile) : undefined;
  if (resumed) parts.push(...resumed.files);
  const start = resumed?.checkpoint.frames ?? 0;
  // The next step (normalize) needs the output's loudness: measured here as it streams by, it costs no extra read
  // of the output (only a resumed attempt reads the earlier attempts' parts once more).
  const meter = new AudioMeter(sampleRate);
  for (const file of parts) for await (const block of readWavStream(file)) meter.push(block);

  heartbeat.setTotalSeconds(totalSeconds);
  heartbeat.report(fractionOf(start));

  const preRoll = Math.min(start, Math.round(preRollSeconds * sampleRate));
  let discard = preRoll;
  let written = start;
  let checkpointsSaved = 0;
  // Opened last, inside the try below, so that nothing opened before it can be left to the GC if it fails.
  let part: WavStreamWriter | undefined;
  let partEnd = start + spacing;

  const closePart = async (): Promise<void> => {
    await part?.close();
    parts.push(partFile(parts.length));
  };
  /** Appends denoised output, cutting a part (and a checkpoint) at every spacing boundary. */
  const emit = async (output: Float32Array): Promise<void> => {
    let rest = output;
    if (discard > 0) {
      const dropped = Math.min(discard, rest.length);
      rest = rest.subarray(dropped);
      discard -= dropped;
    }
    if (rest.length > 0) meter.push(rest);
    while (rest.length > 0) {
      const take = Math.min(rest.length, partEnd - written);
      await part?.write(rest.subarray(0, take));
      rest = rest.subarray(take);
      written += take;
      if (written === partEnd && written < frames) {
        await closePart();
        const index = parts.length - 1;
        await storage.putFile(denoisePartKey(outputKey, index), parts[index]!, 'audio/wav');
        // Only now is the part durable: a checkpoint must never point at state a crash could lose.
        heartbeat.save(fractionOf(written), { segments: parts.length, frames: written });
        checkpointsSaved += 1;
        part = await WavStreamWriter.create(partFile(parts.length), sampleRate, { format: 'float32' });
        partEnd = written + spacing;
      }
    }
  };

  const stream = await args.openStream();
  const reader = await WavFileReader.open(source).catch((error: unknown) => {
    stream.close();
    throw error;
  });
  try {
    part = await WavStreamWriter.create(partFile(parts.length), sampleRate, { format: 'float32' });
    for (let at = start - preRoll; at < frames; at += BLOCK) {
      const block = reader.read(at, Math.min(frames, at + BLOCK));
      await emit(await stream.push(block));
      // Never below the resume point: the pre-roll is not progress.
      heartbeat.progress(fractionOf(Math.max(start, Math.min(frames, at + BLOCK))));
    }
    await emit(await stream.flush());
    await closePart();
  } catch (error) {
    await part?.close().catch(() => undefined);
    throw error;
  } finally {
    stream.close();
    await reader.close();
  }

  if (written !== frames) throw new Error(`denoise wrote ${written} frames for ${frames} input frames`);
  const rendered = parts.length === 1 ? parts[0]! : await concatenate(parts, path.join(dir, 'out.wav'), sampleRate);
  const stored = (resumed?.checkpoint.segments ?? 0) + checkpointsSaved;
  const { integratedLufs, truePeakDbtp } = meter.result();
  return {
    rendered,
    resumedFromFraction: fractionOf(start),
    checkpointsSaved,
    parts: stored,
    loudness: { integratedLufs, truePeakDbtp },
  };
}

/** Removes the stored parts once the whole output is stored (idempotent: deleting a missing key succeeds). */
export async function deleteDenoiseParts(storage: BlobStorage, outputKey: string, upTo: number): Promise<void> {
  for (let index = 0; index < upTo; index++) await storage.delete(denoisePartKey(outputKey, index));
}

/** The previous attempt's parts, downloaded and checked against its checkpoint; undefined means start from zero. */
async function fetchParts(
  storage: BlobStorage,
  outputKey: string,
  checkpoint: DenoiseCheckpoint,
  inputFrames: number,
  partFile: (index: number) => string,
): Promise<{ checkpoint: DenoiseCheckpoint; files: string[] } | undefined> {
  try {
    if (checkpoint.frames >= inputFrames) throw new Error('checkpoint is past the end of the input');
    const files: string[] = [];
    let frames = 0;
    for (let index = 0; index < checkpoint.segments; index++) {
      const file = partFile(index);
      await storage.downloadToFile(denoisePartKey(outputKey, index), file);
      frames += (await readWavInfo(file)).frames;
      files.push(file);
    }
    if (frames !== checkpoint.frames)
      throw new Error(`parts hold ${frames} frames, checkpoint says ${checkpoint.frames}`);
    return { checkpoint, files };
  } catch (error) {
    // Parts removed after a completed upload, or a different input: correct output matters more than speed.
    log.warn('denoise checkpoint unusable, starting from the beginning', { checkpoint, error: String(error) });
    for (let index = 0; index < checkpoint.segments; index++) await rm(partFile(index), { force: true });
    return undefined;
  }
}

async function concatenate(files: readonly string[], target: string, sampleRate: number): Promise<string> {
  const writer = await WavStreamWriter.create(target, sampleRate, { format: 'float32' });
  try {
    for (const file of files) {
      for await (const block of readWavStream(file)) await writer.write(block);
      // Scratch disk stays near one copy of the output, not two.
      await rm(file, { force: true });
    }
  } finally {
    await writer.close();
  }
  return target;
}
