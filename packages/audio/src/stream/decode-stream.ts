import { spawn } from 'node:child_process';

import { FfmpegError } from '../errors';
import { MONO_DOWNMIX, STDERR_TAIL_CHARS, ffmpegBinary, type FfmpegOptions } from '../ffmpeg';

/** Options of {@link decodeStream}. */
export interface DecodeStreamOptions extends FfmpegOptions {
  /** Samples per yielded block (the last block may be shorter). Default 48000. */
  blockSamples?: number;
}

const abortError = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');

/**
 * Decodes the first audio stream of any ffmpeg-readable file to mono float blocks at
 * `sampleRate` (same downmix as {@link decodeToMonoFloat}), holding one block plus the pipe's
 * buffer in memory. ffmpeg is paused by backpressure while the consumer works on a block, and
 * killed when the consumer stops early (`break`, an exception) or `signal` aborts.
 *
 * @throws FfmpegError with ffmpeg's stderr tail when ffmpeg cannot run or exits non-zero; the
 *   signal's reason (or an AbortError) when aborted.
 */
export async function* decodeStream(
  filePath: string,
  sampleRate: number,
  options: DecodeStreamOptions = {},
): AsyncGenerator<Float32Array, void, undefined> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`Invalid sample rate ${sampleRate}`);
  const blockSamples = options.blockSamples ?? 48000;
  if (!Number.isInteger(blockSamples) || blockSamples <= 0)
    throw new RangeError(`Invalid blockSamples ${blockSamples}`);
  const { signal } = options;
  signal?.throwIfAborted();
  const binary = await ffmpegBinary(options);
  signal?.throwIfAborted();

  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', filePath, '-map', '0:a:0', '-vn'];
  args.push(...MONO_DOWNMIX, '-ar', String(sampleRate), '-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:1');
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  let spawnError: Error | undefined;
  // 'close' follows 'error' too (ENOENT gives code -2), so awaiting it never hangs.
  const closed = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code) => resolve(code));
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });

  try {
    let block = new Float32Array(blockSamples);
    let bytes = new Uint8Array(block.buffer);
    let filled = 0; // bytes
    // Async iteration reads on demand, so an unhurried consumer pauses ffmpeg through the pipe.
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      // Pipe chunks need not be 4-byte aligned, so blocks are assembled byte-wise.
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, bytes.length - filled);
        bytes.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === bytes.length) {
          yield block;
          block = new Float32Array(blockSamples);
          bytes = new Uint8Array(block.buffer);
          filled = 0;
        }
      }
    }
    const code = await closed;
    if (signal?.aborted) throw abortError(signal);
    if (spawnError) throw new FfmpegError(`Could not run ffmpeg: ${spawnError.message}`, null, '');
    if (code !== 0) {
      const tail = stderrTail.trim().split('\n').slice(-5).join('\n');
      throw new FfmpegError(`ffmpeg failed to decode audio (exit ${code ?? 'signal'}): ${tail}`, code, tail);
    }
    const samples = Math.floor(filled / 4);
    if (samples > 0) yield block.subarray(0, samples);
  } finally {
    signal?.removeEventListener('abort', kill);
    kill();
  }
}
