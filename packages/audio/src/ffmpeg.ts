import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';

import { AudioValidationError, FfmpegError } from './errors';
import { checkContainerIntegrity } from './integrity';
import { readWavInfo, type WavStreamInfo } from './stream/wav-stream';
import {
  CONTAINER_LABELS,
  SUPPORTED_FORMATS_TEXT,
  sniffAudioContainer,
  sniffUnsupportedAudioFormat,
  type AudioContainer,
} from './sniff';
import type { WavSampleFormat } from './wav';

/** Options shared by every function that runs ffmpeg. */
export interface FfmpegOptions {
  /** ffmpeg binary; defaults to the one shipped by `@ffmpeg-installer/ffmpeg`. */
  ffmpegPath?: string;
  /** Kills ffmpeg when aborted (wire it to Temporal activity cancellation). */
  signal?: AbortSignal;
}

/** What {@link probeAudioFile} learned about a valid file. */
export interface AudioProbe {
  container: AudioContainer;
  /** Duration of the decoded audio (not the header's claim). */
  durationMs: number;
  sampleRate: number;
  channels: number;
}

/**
 * Most channels an input may have. Every input is mixed down to mono by ffmpeg, which knows a layout for at
 * most 8 channels (7.1): a 9-channel or larger file with no channel mask fails to decode inside the job.
 */
export const MAX_INPUT_CHANNELS = 8;

const SNIFF_BYTES = 64 * 1024;
/** The header's duration may exceed the decoded one by this much (encoder padding, estimates). */
const DURATION_SLACK_MS = 500;
const DURATION_SLACK_RATIO = 0.05;
const STDERR_HEAD_CHARS = 256 * 1024;
export const STDERR_TAIL_CHARS = 16 * 1024;

/**
 * ffmpeg's default stereo-to-mono matrix adds both channels at -3 dB, so identical channels come
 * out 3 dB louder (and can exceed full scale). Capping the matrix at 1 makes it an average, which
 * preserves level and matches {@link decodeWav}'s mixdown.
 */
export const MONO_DOWNMIX = ['-rematrix_maxval', '1', '-ac', '1'];

let installerPath: string | undefined;

/** Resolves the ffmpeg binary lazily: the installer package throws on unsupported platforms at import time. */
export async function ffmpegBinary(options: FfmpegOptions | undefined): Promise<string> {
  if (options?.ffmpegPath) return options.ffmpegPath;
  if (installerPath === undefined) {
    const installer = await import('@ffmpeg-installer/ffmpeg');
    installerPath = installer.path;
  }
  return installerPath;
}

interface FfmpegRun {
  code: number | null;
  /** The first 256 KiB of stderr: banner-free stream info and early errors. */
  stderr: string;
  /** The last 16 KiB of stderr: the final errors and progress. */
  stderrTail: string;
  stdout: Buffer[];
  stdoutBytes: number;
}

function runFfmpeg(
  binary: string,
  args: string[],
  options: { signal?: AbortSignal; onStderr?: (head: string, kill: () => void) => void },
): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let head = '';
    let tail = '';
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Warnings can repeat for every packet of a damaged hour-long file; keep memory bounded.
      if (head.length < STDERR_HEAD_CHARS) head += chunk;
      tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
      options.onStderr?.(head, kill);
    });
    let settled = false;
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      // Aborts keep their AbortError identity; anything else (ENOENT, EACCES) is an ffmpeg problem.
      reject(err.name === 'AbortError' ? err : new FfmpegError(`Could not run ffmpeg: ${err.message}`, null, ''));
    });
    child.on('close', (code) => {
      if (settled) return;
      settled = true;
      resolve({ code, stderr: head, stderrTail: tail, stdout, stdoutBytes });
    });
  });
}

const lastLines = (text: string, count = 5): string => text.trim().split('\n').slice(-count).join('\n');

function ffmpegFailure(what: string, run: FfmpegRun): FfmpegError {
  return new FfmpegError(
    `ffmpeg failed to ${what} (exit ${run.code ?? 'signal'})`,
    run.code,
    lastLines(run.stderrTail),
  );
}

/** "HH:MM:SS.cc" -> milliseconds. */
function parseClock(h: string, m: string, s: string): number {
  return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
}

/** The part of stderr describing input #0 (before ffmpeg starts describing outputs). */
function inputSection(stderr: string): string | undefined {
  const start = stderr.indexOf('Input #0');
  if (start < 0) return undefined;
  const ends = ['Stream mapping:', 'Output #0', 'Stream map ']
    .map((marker) => stderr.indexOf(marker, start))
    .filter((i) => i >= 0);
  return stderr.slice(start, ends.length > 0 ? Math.min(...ends) : undefined);
}

function parseDeclaredDurationMs(section: string): number | undefined {
  const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(section);
  return m ? parseClock(m[1] ?? '0', m[2] ?? '0', m[3] ?? '0') : undefined;
}

// Named layouts from libavutil's channel_layout_map that do not follow the "x.y" pattern.
const NAMED_LAYOUTS: Readonly<Record<string, number>> = {
  mono: 1,
  stereo: 2,
  downmix: 2,
  quad: 4,
  hexagonal: 6,
  octagonal: 8,
  hexadecagonal: 16,
  '22.2': 24,
};

/** Channel count from an ffmpeg layout description such as "stereo", "5.1(side)" or "3 channels". */
export function channelsFromLayout(layout: string): number | undefined {
  const name = layout.trim();
  const base = name.replace(/\(.*\)$/, '');
  const named = NAMED_LAYOUTS[base];
  if (named !== undefined) return named;
  const counted = /^(\d+) channels/.exec(name);
  if (counted) return Number(counted[1]);
  const dotted = /^(\d+)\.(\d+)/.exec(base);
  if (dotted) return Number(dotted[1]) + Number(dotted[2]);
  return undefined;
}

interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
}

function parseFirstAudioStream(section: string): AudioStreamInfo | undefined {
  const line = /Stream #0:\d+[^\n]*?: Audio: ([^\n]*)/.exec(section)?.[1];
  if (line === undefined) return undefined;
  const rate = /(\d+) Hz, ([^,]+)/.exec(line);
  return {
    codec: line.split(/[ ,]/)[0] ?? '',
    sampleRate: rate ? Number(rate[1]) : 0,
    channels: rate ? (channelsFromLayout(rate[2] ?? '') ?? 0) : 0,
  };
}

/** Decoded duration from `-progress` output (µs; `out_time_ms` is also µs, a historic misnomer). */
function parseDecodedDurationMs(progress: string, stderrTail: string): number | undefined {
  const us = [...progress.matchAll(/out_time_(?:us|ms)=(\d+)/g)].pop()?.[1];
  if (us !== undefined) return Number(us) / 1000;
  const clock = [...stderrTail.matchAll(/time=(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/g)].pop();
  return clock ? parseClock(clock[1] ?? '0', clock[2] ?? '0', clock[3] ?? '0') : undefined;
}

function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

function tooLong(actualMs: number | undefined, maxSeconds: number): AudioValidationError {
  const actual = actualMs === undefined ? 'longer than allowed' : `${formatDuration(actualMs)} long`;
  return new AudioValidationError(
    'too_long',
    `The audio is ${actual}; the maximum is ${formatDuration(maxSeconds * 1000)}.`,
  );
}

function checkChannels(channels: number, label: string): void {
  if (channels > MAX_INPUT_CHANNELS) {
    throw new AudioValidationError(
      'too_many_channels',
      `The ${label} file has ${channels} channels; at most ${MAX_INPUT_CHANNELS} are supported (mono, stereo, up to 7.1).`,
    );
  }
}

/** Rejects empty, unrecognised and structurally truncated files before ffmpeg is started. */
async function sniffAndCheck(filePath: string): Promise<AudioContainer> {
  const info = await stat(filePath);
  if (!info.isFile()) throw new Error(`Not a regular file: ${filePath}`);
  if (info.size === 0) throw new AudioValidationError('empty', 'The uploaded file is empty.');
  const fh = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, info.size));
    await fh.read(head, 0, head.length, 0);
    const container = sniffAudioContainer(head);
    if (!container) {
      const other = sniffUnsupportedAudioFormat(head);
      throw other
        ? new AudioValidationError('unsupported_format', `${other} files are not supported. ${SUPPORTED_FORMATS_TEXT}`)
        : new AudioValidationError('not_audio', `The file is not a recognised audio file. ${SUPPORTED_FORMATS_TEXT}`);
    }
    await checkContainerIntegrity(fh, info.size, container);
    return container;
  } finally {
    await fh.close();
  }
}

/**
 * A linear PCM or float WAV is fully described by its header, and its truncation was already checked against
 * the file size: answer without a decoder process. Forking ffmpeg from a large process (the API holds PGlite and
 * the Temporal runtime) blocks its event loop for ~20 ms, which every concurrent request would pay. Other WAV
 * codecs (ADPCM, µ-law) return undefined and go through ffmpeg.
 */
async function probeLinearWav(filePath: string, maxSeconds: number | undefined): Promise<AudioProbe | undefined> {
  let info: WavStreamInfo;
  try {
    info = await readWavInfo(filePath);
  } catch (error) {
    if (error instanceof AudioValidationError && error.reason === 'unsupported_format') return undefined;
    throw error;
  }
  const durationMs = (info.frames / info.sampleRate) * 1000;
  if (info.frames === 0) throw new AudioValidationError('empty', 'The WAV file contains no audio samples.');
  checkChannels(info.channels, 'WAV');
  if (maxSeconds !== undefined && durationMs > maxSeconds * 1000) throw tooLong(durationMs, maxSeconds);
  return { container: 'wav', durationMs: Math.round(durationMs), sampleRate: info.sampleRate, channels: info.channels };
}

/**
 * Validates an uploaded audio file and reports its properties. The container is identified by
 * content (never the file name), its structure is checked for truncation, and then every frame
 * is decoded by ffmpeg into a null sink, so memory stays constant whatever the length (linear WAV is read
 * from its checked header instead).
 *
 * @throws AudioValidationError with reason
 *  - 'empty': zero bytes, or no decodable samples;
 *  - 'not_audio': content is not a recognised audio container, or is unreadable;
 *  - 'unsupported_format': a known audio format or codec we do not accept;
 *  - 'truncated': the file ends early or fails to decode part-way;
 *  - 'no_audio_stream': a media container without audio (e.g. a silent video);
 *  - 'too_long': longer than `maxDurationSeconds`;
 *  - 'too_many_channels': more than {@link MAX_INPUT_CHANNELS} channels.
 * @throws FfmpegError when ffmpeg itself could not run; other errors (missing file) as is.
 */
export async function probeAudioFile(
  filePath: string,
  options: FfmpegOptions & { maxDurationSeconds?: number } = {},
): Promise<AudioProbe> {
  const maxSeconds = options.maxDurationSeconds;
  if (maxSeconds !== undefined && !(maxSeconds > 0 && Number.isFinite(maxSeconds))) {
    throw new RangeError(`Invalid maxDurationSeconds ${maxSeconds}`);
  }
  options.signal?.throwIfAborted();
  const container = await sniffAndCheck(filePath);
  if (container === 'wav') {
    const fromHeader = await probeLinearWav(filePath, maxSeconds);
    if (fromHeader) return fromHeader;
  }
  const label = CONTAINER_LABELS[container];
  // -xerror turns the first decode error into a failed exit. Not for WAV: its truncation was
  // checked above, and ffmpeg flags the short final packet of a streamed (unknown-size) WAV as corrupt.
  const args = ['-hide_banner', '-nostdin', ...(container === 'wav' ? [] : ['-xerror'])];
  args.push('-i', filePath, '-map', '0:a:0', '-vn');
  // A decode bound a little past the limit: enough to prove "too long" without decoding hours.
  if (maxSeconds !== undefined) args.push('-t', String(maxSeconds + 1));
  args.push('-f', 'null', '-progress', 'pipe:1', '-nostats', '-');

  let declaredTooLong: number | undefined;
  let headerSeen = maxSeconds === undefined;
  const run = await runFfmpeg(await ffmpegBinary(options), args, {
    signal: options.signal,
    // Stop early when the header already proves the file too long, instead of decoding hours.
    onStderr: (head, kill) => {
      if (headerSeen || maxSeconds === undefined) return;
      const section = inputSection(head);
      if (section === undefined || !/Stream mapping:|Output #0|Stream map /.test(head)) return;
      headerSeen = true;
      const declared = parseDeclaredDurationMs(section);
      if (declared !== undefined && declared > maxSeconds * 1000) {
        declaredTooLong = declared;
        kill();
      }
    },
  });
  if (maxSeconds !== undefined && declaredTooLong !== undefined) throw tooLong(declaredTooLong, maxSeconds);

  const stderr = run.stderr;
  const section = inputSection(stderr);
  if (section === undefined) {
    if (run.code === null) throw ffmpegFailure('read the file', run);
    if (/End of file|moov atom not found|partial file/i.test(stderr)) {
      throw new AudioValidationError(
        'truncated',
        `The ${label} file is truncated or incomplete. Upload the complete file.`,
      );
    }
    throw new AudioValidationError('not_audio', `The file looks like ${label} but could not be read as audio.`);
  }
  const stream = parseFirstAudioStream(section);
  if (!stream) throw new AudioValidationError('no_audio_stream', `The ${label} file contains no audio stream.`);
  if (/Decoder \([^)]*\) not found|Unsupported codec|unknown codec/i.test(stderr) || stream.codec === 'none') {
    throw new AudioValidationError(
      'unsupported_format',
      `The ${label} file uses an audio codec that is not supported. ${SUPPORTED_FORMATS_TEXT}`,
    );
  }
  const declaredMs = parseDeclaredDurationMs(section);
  if (maxSeconds !== undefined && declaredMs !== undefined && declaredMs > maxSeconds * 1000) {
    throw tooLong(declaredMs, maxSeconds);
  }
  if (run.code !== 0) {
    if (run.code === null) throw ffmpegFailure('decode the file', run);
    throw new AudioValidationError(
      'truncated',
      `The ${label} file is truncated or corrupted: decoding failed part-way. Upload the complete file.`,
    );
  }
  const decodedMs = parseDecodedDurationMs(Buffer.concat(run.stdout).toString('utf8'), run.stderrTail);
  if (decodedMs === undefined) throw ffmpegFailure('report the decoded duration', run);
  if (maxSeconds !== undefined && decodedMs > maxSeconds * 1000) throw tooLong(undefined, maxSeconds);
  if (decodedMs <= 0) throw new AudioValidationError('empty', `The ${label} file contains no audio samples.`);
  if (
    declaredMs !== undefined &&
    declaredMs - decodedMs > Math.max(DURATION_SLACK_MS, DURATION_SLACK_RATIO * declaredMs)
  ) {
    throw new AudioValidationError(
      'truncated',
      `The ${label} file is truncated: its header declares ${formatDuration(declaredMs)} of audio ` +
        `but only ${formatDuration(decodedMs)} could be decoded. Upload the complete file.`,
    );
  }
  if (stream.sampleRate <= 0 || stream.channels <= 0) throw ffmpegFailure('report the stream format', run);
  checkChannels(stream.channels, label);
  return { container, durationMs: Math.round(decodedMs), sampleRate: stream.sampleRate, channels: stream.channels };
}

/**
 * Decodes the first audio stream of any ffmpeg-readable file to mono float samples at
 * `sampleRate` (stereo is averaged; other layouts use ffmpeg's downmix matrix normalised to unity
 * gain). Holds the whole result in memory (about twice its size while copying): use it on
 * validated inputs of bounded length.
 */
export async function decodeToMonoFloat(
  filePath: string,
  sampleRate: number,
  options: FfmpegOptions = {},
): Promise<Float32Array> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`Invalid sample rate ${sampleRate}`);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', filePath, '-map', '0:a:0', '-vn'];
  args.push(...MONO_DOWNMIX, '-ar', String(sampleRate), '-c:a', 'pcm_f32le', '-f', 'f32le', 'pipe:1');
  const run = await runFfmpeg(await ffmpegBinary(options), args, { signal: options.signal });
  if (run.code !== 0) throw ffmpegFailure('decode audio', run);
  // Copy into a fresh Float32Array: chunk boundaries need not be 4-byte aligned.
  const out = new Float32Array(Math.floor(run.stdoutBytes / 4));
  const bytes = new Uint8Array(out.buffer);
  let offset = 0;
  for (const chunk of run.stdout) {
    const take = Math.min(chunk.length, bytes.length - offset);
    bytes.set(chunk.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

/**
 * Decodes any ffmpeg-readable file to a mono WAV file at `sampleRate` (16-bit PCM by default),
 * streaming, without holding the audio in memory.
 */
export async function decodeToWavFile(
  inputPath: string,
  outputPath: string,
  sampleRate: number,
  options: FfmpegOptions & { format?: WavSampleFormat } = {},
): Promise<void> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`Invalid sample rate ${sampleRate}`);
  const codec = options.format === 'float32' ? 'pcm_f32le' : 'pcm_s16le';
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', inputPath, '-map', '0:a:0', '-vn'];
  args.push(...MONO_DOWNMIX, '-ar', String(sampleRate), '-c:a', codec, '-map_metadata', '-1', '-f', 'wav', outputPath);
  const run = await runFfmpeg(await ffmpegBinary(options), args, { signal: options.signal });
  if (run.code !== 0) throw ffmpegFailure('convert audio to WAV', run);
}
