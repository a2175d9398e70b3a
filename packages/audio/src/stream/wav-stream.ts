import { readSync } from 'node:fs';
import { endianness } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';

import { AudioValidationError } from '../errors';
import {
  RIFF_UNKNOWN_SIZE,
  WAVE_FORMAT_IEEE_FLOAT,
  WAVE_FORMAT_PCM,
  dataChunkSize,
  isRiffWave,
  parseWavFormatChunk,
  sampleReader,
  type WavFormat,
  type WavSampleFormat,
} from '../wav';

/** Where a WAV file's samples are, see {@link readWavInfo}. */
export interface WavStreamInfo {
  sampleRate: number;
  /** Channel count of the file; readers mix down to mono. */
  channels: number;
  /** Sample frames in the data chunk (a trailing partial frame is ignored). */
  frames: number;
  format: WavFormat;
  /** Byte offset of the first sample. */
  dataOffset: number;
}

const HEADER_PROBE_BYTES = 64 * 1024;
/** WAV is little-endian; on such a host float32 samples can be copied as bytes. */
const LITTLE_ENDIAN = endianness() === 'LE';
const MAX_HEADER_CHUNKS = 64;

/**
 * Reads only the header of a WAV file: format and data-chunk location. Accepts what
 * {@link decodeWav} accepts (PCM 8/16/24/32, float 32/64, EXTENSIBLE, RF64, unknown chunks, and
 * 0xFFFFFFFF "unknown" sizes from streamed writers, which mean "to the end of the file").
 *
 * @throws AudioValidationError as decodeWav does ('empty', 'not_audio', 'unsupported_format', 'truncated').
 */
export async function readWavInfo(path: string): Promise<WavStreamInfo> {
  const file = await open(path, 'r');
  try {
    return await parseHeader(file);
  } finally {
    await file.close();
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

async function parseHeader(file: FileHandle): Promise<WavStreamInfo> {
  const fileSize = (await file.stat()).size;
  if (fileSize === 0) throw new AudioValidationError('empty', 'The WAV file is empty.');
  const riff = await readAt(file, 0, 12);
  if (!isRiffWave(riff)) throw new AudioValidationError('not_audio', 'The data is not a WAV (RIFF/WAVE) file.');
  let format: WavFormat | undefined;
  let ds64DataSize: number | undefined;
  let offset = 12;
  // Chunk headers are read one at a time, so metadata chunks of any size are skipped unread.
  for (let chunk = 0; chunk < MAX_HEADER_CHUNKS && offset + 8 <= fileSize; chunk++) {
    const header = await readAt(file, offset, 8);
    const id = header.toString('latin1', 0, 4);
    const size = header.readUInt32LE(4);
    const bodyStart = offset + 8;
    if (id === 'ds64' && bodyStart + 16 <= fileSize) {
      ds64DataSize = Number((await readAt(file, bodyStart, 16)).readBigUInt64LE(8));
    } else if (id === 'fmt ') {
      if (bodyStart + size > fileSize) break;
      format = parseWavFormatChunk(await readAt(file, bodyStart, Math.min(size, HEADER_PROBE_BYTES)));
    } else if (id === 'data') {
      if (!format) throw new AudioValidationError('not_audio', 'The WAV file has audio data before its format header.');
      const dataSize = dataChunkSize(size, ds64DataSize, fileSize - bodyStart);
      return {
        sampleRate: format.sampleRate,
        channels: format.channels,
        frames: Math.floor(dataSize / format.blockAlign),
        format,
        dataOffset: bodyStart,
      };
    }
    offset = bodyStart + size + (size & 1);
  }
  throw new AudioValidationError('truncated', 'The WAV file is truncated: it ends before its audio data.');
}

/**
 * Reads a WAV file as mono blocks of `blockSamples` frames (the last may be shorter), mixing
 * channels down by averaging exactly as {@link decodeWav} does. Memory is O(block).
 */
export async function* readWavStream(
  path: string,
  options: { blockSamples?: number } = {},
): AsyncGenerator<Float32Array, void, undefined> {
  const blockSamples = options.blockSamples ?? 48000;
  if (!Number.isInteger(blockSamples) || blockSamples <= 0)
    throw new RangeError(`Invalid blockSamples ${blockSamples}`);
  const file = await open(path, 'r');
  try {
    const { format, frames, dataOffset } = await parseHeader(file);
    const decoder = new FrameDecoder(format, blockSamples);
    for (let frame = 0; frame < frames;) {
      const count = Math.min(blockSamples, frames - frame);
      const bytes = count * format.blockAlign;
      const { bytesRead } = await file.read(decoder.buffer, 0, bytes, dataOffset + frame * format.blockAlign);
      // The header was checked against the file size; a shorter read means the file shrank.
      if (bytesRead < bytes) throw new AudioValidationError('truncated', 'The WAV file was truncated while reading.');
      frame += count;
      yield decoder.decode(count);
    }
  } finally {
    await file.close();
  }
}

/** Turns raw interleaved frames in {@link buffer} into mono samples, averaging channels as decodeWav does. */
class FrameDecoder {
  readonly buffer: Buffer;
  private readonly read: (offset: number) => number;
  private readonly floatMono: boolean;

  constructor(
    private readonly format: WavFormat,
    maxFrames: number,
  ) {
    this.buffer = Buffer.alloc(maxFrames * format.blockAlign);
    const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.read = sampleReader(view, format.encoding, format.bytesPerSample);
    this.floatMono =
      LITTLE_ENDIAN && format.encoding === 'float' && format.bytesPerSample === 4 && format.channels === 1;
  }

  decode(count: number): Float32Array {
    const { channels, blockAlign, bytesPerSample } = this.format;
    if (this.floatMono) {
      // Mono float32 on a little-endian host, the scratch format of every stage: the bytes are the samples.
      const out = new Float32Array(
        this.buffer.buffer.slice(this.buffer.byteOffset, this.buffer.byteOffset + count * 4),
      );
      // As the general path's channel sum (0 + x) does, -0 reads as 0.
      for (let i = 0; i < count; i++) out[i] = (out[i] ?? 0) + 0;
      return out;
    }
    const inv = 1 / channels;
    const out = new Float32Array(count);
    for (let f = 0, base = 0; f < count; f++, base += blockAlign) {
      let sum = 0;
      for (let c = 0, o = base; c < channels; c++, o += bytesPerSample) sum += this.read(o);
      out[f] = sum * inv;
    }
    return out;
  }
}

/** Mono samples that can be read at any position, so an edit can splice a long file without loading it. */
export interface SampleSource {
  /** Total samples. */
  readonly length: number;
  /** Samples [start, end), clamped to the source. The caller must not modify the returned array. */
  read(start: number, end: number): Float32Array;
}

/** An in-memory {@link SampleSource}: reads are views, not copies. */
export function arraySampleSource(samples: Float32Array): SampleSource {
  return { length: samples.length, read: (start, end) => samples.subarray(Math.max(0, start), Math.max(0, end)) };
}

/**
 * A WAV file as a {@link SampleSource}. Reads are synchronous and positioned, so a renderer can be a plain
 * generator; the caller keeps each read small (a block at a time) and awaits between blocks, which keeps the
 * event loop (heartbeats, cancellation) responsive. Memory is O(largest read).
 */
export class WavFileReader implements SampleSource {
  private closed = false;
  private decoder: FrameDecoder;

  private constructor(
    private readonly file: FileHandle,
    private readonly info: WavStreamInfo,
  ) {
    this.decoder = new FrameDecoder(info.format, 0);
  }

  static async open(path: string): Promise<WavFileReader> {
    const file = await open(path, 'r');
    try {
      return new WavFileReader(file, await parseHeader(file));
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  get sampleRate(): number {
    return this.info.sampleRate;
  }

  get length(): number {
    return this.info.frames;
  }

  read(start: number, end: number): Float32Array {
    if (this.closed) throw new Error('WavFileReader: read after close');
    const from = Math.max(0, Math.min(this.info.frames, Math.floor(start)));
    const to = Math.max(from, Math.min(this.info.frames, Math.floor(end)));
    const count = to - from;
    if (count > this.decoder.buffer.length / this.info.format.blockAlign)
      this.decoder = new FrameDecoder(this.info.format, count);
    const bytes = count * this.info.format.blockAlign;
    const bytesRead = readSync(
      this.file.fd,
      this.decoder.buffer,
      0,
      bytes,
      this.info.dataOffset + from * this.info.format.blockAlign,
    );
    if (bytesRead < bytes) throw new AudioValidationError('truncated', 'The WAV file was truncated while reading.');
    return this.decoder.decode(count);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }
}

/** RIFF + fmt (18 bytes, with cbSize) + fact + data headers: one layout for both formats. */
const HEADER_BYTES = 12 + 8 + 18 + 12 + 8;
const MAX_DATA_BYTES = RIFF_UNKNOWN_SIZE - 1 - HEADER_BYTES;

/**
 * Writes a mono WAV file block by block. The header is written first with 0xFFFFFFFF "unknown"
 * sizes (so a file left behind by a crash still reads to its end) and patched by {@link close}.
 * `pcm16` rounds and clamps like {@link encodeWav}; `float32` stores samples unchanged;
 * non-finite samples are written as 0.
 */
export class WavStreamWriter {
  private frames = 0;
  private closed = false;
  private readonly bytesPerSample: number;

  private constructor(
    private readonly file: FileHandle,
    readonly sampleRate: number,
    readonly format: WavSampleFormat,
  ) {
    this.bytesPerSample = format === 'pcm16' ? 2 : 4;
  }

  /** Creates (or truncates) `path` and writes a provisional header. */
  static async create(
    path: string,
    sampleRate: number,
    options: { format?: WavSampleFormat } = {},
  ): Promise<WavStreamWriter> {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`Invalid sample rate ${sampleRate}`);
    const file = await open(path, 'w');
    const writer = new WavStreamWriter(file, sampleRate, options.format ?? 'pcm16');
    try {
      await file.write(writer.header(RIFF_UNKNOWN_SIZE), 0, HEADER_BYTES, 0);
    } catch (err) {
      await file.close();
      throw err;
    }
    return writer;
  }

  /** Frames written so far. */
  get length(): number {
    return this.frames;
  }

  /** Appends samples. Await each call: writes are issued in order and not buffered. */
  async write(block: Float32Array): Promise<void> {
    if (this.closed) throw new Error('WavStreamWriter: write after close');
    if (block.length === 0) return;
    const dataBytes = (this.frames + block.length) * this.bytesPerSample;
    if (dataBytes > MAX_DATA_BYTES) throw new RangeError('Audio too long for a 4 GiB WAV file');
    // Its own ArrayBuffer (never a pool slice), so the float path can view it as aligned float32.
    const buf = Buffer.from(new ArrayBuffer(block.length * this.bytesPerSample));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (this.format === 'float32' && LITTLE_ENDIAN) {
      const samples = new Float32Array(buf.buffer, buf.byteOffset, block.length);
      samples.set(block);
      for (let i = 0; i < samples.length; i++) if (!Number.isFinite(samples[i] ?? 0)) samples[i] = 0;
    } else if (this.format === 'float32') {
      for (let i = 0; i < block.length; i++) {
        const x = block[i] ?? 0;
        view.setFloat32(i * 4, Number.isFinite(x) ? x : 0, true);
      }
    } else {
      for (let i = 0; i < block.length; i++) view.setInt16(i * 2, pcm16Value(block[i] ?? 0), true);
    }
    const position = HEADER_BYTES + this.frames * this.bytesPerSample;
    this.frames += block.length;
    await this.file.write(buf, 0, buf.length, position);
  }

  /** Patches the RIFF, fact and data sizes and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      const dataBytes = this.frames * this.bytesPerSample;
      await this.file.write(this.header(dataBytes), 0, HEADER_BYTES, 0);
    } finally {
      await this.file.close();
    }
  }

  private header(dataBytes: number): Buffer {
    const unknown = dataBytes === RIFF_UNKNOWN_SIZE;
    const out = Buffer.alloc(HEADER_BYTES);
    out.write('RIFF', 0, 'latin1');
    out.writeUInt32LE(unknown ? RIFF_UNKNOWN_SIZE : HEADER_BYTES - 8 + dataBytes, 4);
    out.write('WAVE', 8, 'latin1');
    out.write('fmt ', 12, 'latin1');
    out.writeUInt32LE(18, 16);
    out.writeUInt16LE(this.format === 'pcm16' ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT, 20);
    out.writeUInt16LE(1, 22);
    out.writeUInt32LE(this.sampleRate, 24);
    out.writeUInt32LE(this.sampleRate * this.bytesPerSample, 28);
    out.writeUInt16LE(this.bytesPerSample, 32);
    out.writeUInt16LE(this.bytesPerSample * 8, 34);
    out.writeUInt16LE(0, 36); // cbSize
    // A fact chunk is required for non-PCM (float) data; harmless padding for PCM readers.
    out.write('fact', 38, 'latin1');
    out.writeUInt32LE(4, 42);
    out.writeUInt32LE(unknown ? RIFF_UNKNOWN_SIZE : this.frames, 46);
    out.write('data', 50, 'latin1');
    out.writeUInt32LE(unknown ? RIFF_UNKNOWN_SIZE : dataBytes, 54);
    return out;
  }
}

/** Same scaling as encodeWav so decodeWav round-trips exactly; non-finite samples become 0. */
function pcm16Value(x: number): number {
  return Number.isFinite(x) ? Math.min(32767, Math.max(-32768, Math.round(x * 32768))) : 0;
}

/**
 * The samples a `pcm16` {@link WavStreamWriter} stores for `block`, exactly as reading the file back returns them.
 * Lets a caller measure what it writes in the same loop instead of re-reading the file.
 */
export function pcm16Quantized(block: Float32Array): Float32Array {
  const out = new Float32Array(block.length);
  for (let i = 0; i < block.length; i++) out[i] = pcm16Value(block[i] ?? 0) / 32768;
  return out;
}
