import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

import { STREAM_PART_FORMAT } from '@voice/shared';

import type { SpeechFormat } from './openai-schemas';

/** OpenAI's speech output: 24 kHz mono (its `pcm` is documented as 24 kHz 16-bit little-endian). */
export const SPEECH_SAMPLE_RATE = STREAM_PART_FORMAT.sampleRate;

/** What the encoder reads on stdin: a finished job's audio file (any container), or streamed 24 kHz PCM parts. */
export type EncoderInput = 'file' | 'pcm';

const INPUT_ARGS: Record<EncoderInput, readonly string[]> = {
  file: [],
  // The format is given, so no probing: by default ffmpeg reads 5 s of input before it writes a byte.
  pcm: [
    '-probesize',
    '32',
    '-analyzeduration',
    '0',
    '-f',
    's16le',
    '-ar',
    String(STREAM_PART_FORMAT.sampleRate),
    '-ac',
    '1',
  ],
};

export const SPEECH_CONTENT_TYPES: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/** Muxer and codec per format; every one of them can be written to a pipe (no seeking back to fix a header). */
const CODEC_ARGS: Record<SpeechFormat, readonly string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg'],
  aac: ['-c:a', 'aac', '-b:a', '128k', '-f', 'adts'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  // On a pipe the WAV muxer cannot go back to write the length: the header says "unknown", as OpenAI's does.
  wav: ['-c:a', 'pcm_s16le', '-f', 'wav'],
  pcm: ['-c:a', 'pcm_s16le', '-f', 's16le'],
};

/**
 * ffmpeg's arguments to turn the job's audio (any container ffmpeg reads, on stdin) into `format` on stdout.
 * `tempo` is what the voice could not do itself (OpenAI's speed range is wider than the voices'): atempo changes
 * the rate without the pitch.
 */
export function encoderArgs(format: SpeechFormat, tempo: number, input: EncoderInput = 'file'): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    ...INPUT_ARGS[input],
    '-i',
    'pipe:0',
    ...(Math.abs(tempo - 1) > 1e-6 ? ['-af', `atempo=${tempo.toFixed(4)}`] : []),
    '-ac',
    '1',
    '-ar',
    String(SPEECH_SAMPLE_RATE),
    ...CODEC_ARGS[format],
    // Write each packet as it is encoded: the client hears the first sentence while the next one is spoken.
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

/** Encoding runs in a child process: never on the API's event loop. */
export function spawnEncoder(
  ffmpegPath: string,
  format: SpeechFormat,
  tempo: number,
  input: EncoderInput = 'file',
): ChildProcessByStdio<Writable, Readable, Readable> {
  return spawn(ffmpegPath, encoderArgs(format, tempo, input), { stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * A WAV header for 16-bit mono at the stream rate whose lengths say "unknown" (0xFFFFFFFF), as a stream's must:
 * the length is not known when the first bytes go out. Readers take the data to the end of the stream.
 */
export function openEndedWavHeader(): Buffer {
  const { sampleRate, bitsPerSample, channels } = STREAM_PART_FORMAT;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(0xffffffff, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE((sampleRate * channels * bitsPerSample) / 8, 28);
  header.writeUInt16LE((channels * bitsPerSample) / 8, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(0xffffffff, 40);
  return header;
}
