import { AudioValidationError } from './errors';

/** Sample encodings {@link encodeWav} can write. */
export type WavSampleFormat = 'pcm16' | 'float32';

/** Result of {@link decodeWav}. */
export interface DecodedWav {
  /** All channels averaged to mono, nominally in [-1, 1]. */
  samples: Float32Array;
  sampleRate: number;
  /** Channel count of the file (before the mixdown). */
  channels: number;
}

/** The parts of a `fmt ` chunk needed to decode sample data. */
export interface WavFormat {
  /** 'int' = linear PCM, 'float' = IEEE float. */
  encoding: 'int' | 'float';
  channels: number;
  sampleRate: number;
  /** Bytes per sample of one channel as stored (container size). */
  bytesPerSample: number;
  blockAlign: number;
}

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** RIFF size fields set to this mean "unknown" (streamed output) or "see ds64" (RF64). */
export const RIFF_UNKNOWN_SIZE = 0xffffffff;

/**
 * Parses the body of a `fmt ` chunk. Throws 'unsupported_format' for codecs other than linear
 * PCM (8/16/24/32-bit) and IEEE float (32/64-bit).
 */
export function parseWavFormatChunk(body: Buffer): WavFormat {
  if (body.length < 16) throw new AudioValidationError('not_audio', 'The WAV file has a malformed format header.');
  let tag = body.readUInt16LE(0);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const blockAlign = body.readUInt16LE(12);
  const bitsPerSample = body.readUInt16LE(14);
  // WAVE_FORMAT_EXTENSIBLE keeps the real format tag in the first two bytes of the sub-format GUID.
  if (tag === WAVE_FORMAT_EXTENSIBLE && body.length >= 26) tag = body.readUInt16LE(24);
  const bytesPerSample = Math.ceil(bitsPerSample / 8);
  const supported =
    (tag === WAVE_FORMAT_PCM && [1, 2, 3, 4].includes(bytesPerSample)) ||
    (tag === WAVE_FORMAT_IEEE_FLOAT && [4, 8].includes(bytesPerSample));
  if (!supported) {
    throw new AudioValidationError(
      'unsupported_format',
      `This WAV file uses an unsupported sample encoding (format tag 0x${tag.toString(16)}, ${bitsPerSample}-bit). ` +
        'Use 16/24/32-bit PCM or 32-bit float WAV.',
    );
  }
  if (channels === 0 || sampleRate === 0 || blockAlign < channels * bytesPerSample) {
    throw new AudioValidationError('not_audio', 'The WAV file has a malformed format header.');
  }
  return {
    encoding: tag === WAVE_FORMAT_PCM ? 'int' : 'float',
    channels,
    sampleRate,
    bytesPerSample,
    blockAlign,
  };
}

export const isRiffWave = (buf: Buffer): boolean =>
  buf.length >= 12 &&
  ['RIFF', 'RF64', 'BW64'].includes(buf.toString('latin1', 0, 4)) &&
  buf.toString('latin1', 8, 12) === 'WAVE';

/**
 * Bytes of audio in a data chunk: its declared size, or for a 0xFFFFFFFF "unknown" size (streamed writers,
 * RF64) the ds64 size or everything to the end of the file. Throws 'truncated' when fewer bytes are present.
 */
export function dataChunkSize(declared: number, ds64DataSize: number | undefined, available: number): number {
  const dataSize = declared === RIFF_UNKNOWN_SIZE ? (ds64DataSize ?? available) : declared;
  if (dataSize > available) {
    throw new AudioValidationError(
      'truncated',
      `The WAV file is truncated: it declares ${dataSize} bytes of audio but only ${available} are present.`,
    );
  }
  return dataSize;
}

/**
 * Decodes a WAV file held in memory into a mono mixdown. Supports PCM 8/16/24/32-bit and float
 * 32/64-bit, WAVE_FORMAT_EXTENSIBLE and RF64, and skips chunks it does not know.
 *
 * @throws AudioValidationError 'truncated' when the data chunk declares more bytes than exist.
 */
export function decodeWav(buf: Buffer): DecodedWav {
  if (buf.length === 0) throw new AudioValidationError('empty', 'The WAV file is empty.');
  if (!isRiffWave(buf)) throw new AudioValidationError('not_audio', 'The data is not a WAV (RIFF/WAVE) file.');
  let format: WavFormat | undefined;
  let ds64DataSize: number | undefined;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const bodyStart = offset + 8;
    if (id === 'ds64' && bodyStart + 16 <= buf.length) {
      ds64DataSize = Number(buf.readBigUInt64LE(bodyStart + 8));
    } else if (id === 'fmt ') {
      if (bodyStart + size > buf.length) break;
      format = parseWavFormatChunk(buf.subarray(bodyStart, bodyStart + size));
    } else if (id === 'data') {
      if (!format) throw new AudioValidationError('not_audio', 'The WAV file has audio data before its format header.');
      const dataSize = dataChunkSize(size, ds64DataSize, buf.length - bodyStart);
      return {
        samples: decodeInterleavedToMono(buf, bodyStart, dataSize, format),
        sampleRate: format.sampleRate,
        channels: format.channels,
      };
    }
    // Chunks are word-aligned: odd sizes are followed by a pad byte.
    offset = bodyStart + size + (size & 1);
  }
  // A RIFF/WAVE header without a complete fmt and data chunk is, in practice, a cut-off upload.
  throw new AudioValidationError('truncated', 'The WAV file is truncated: it ends before its audio data.');
}

function decodeInterleavedToMono(buf: Buffer, start: number, byteLength: number, format: WavFormat): Float32Array {
  const { channels, bytesPerSample, blockAlign, encoding } = format;
  // A trailing partial frame is dropped rather than treated as an error, as every decoder does.
  const frames = Math.floor(byteLength / blockAlign);
  const out = new Float32Array(frames);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const read = sampleReader(view, encoding, bytesPerSample);
  const inv = 1 / channels;
  for (let f = 0, base = start; f < frames; f++, base += blockAlign) {
    let sum = 0;
    for (let c = 0, o = base; c < channels; c++, o += bytesPerSample) sum += read(o);
    out[f] = sum * inv;
  }
  return out;
}

export function sampleReader(view: DataView, encoding: 'int' | 'float', bytes: number): (offset: number) => number {
  if (encoding === 'float') {
    return bytes === 4 ? (o) => view.getFloat32(o, true) : (o) => view.getFloat64(o, true);
  }
  switch (bytes) {
    case 1:
      // 8-bit WAV is unsigned with a 128 offset.
      return (o) => (view.getUint8(o) - 128) / 128;
    case 2:
      return (o) => view.getInt16(o, true) / 32768;
    case 3:
      return (o) => (view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608;
    default:
      return (o) => view.getInt32(o, true) / 2147483648;
  }
}

/**
 * Encodes mono samples as a WAV file. `pcm16` (default) rounds to the nearest step and clamps
 * to full scale (no dither); `float32` stores samples unchanged as IEEE float.
 * Non-finite samples are written as 0.
 */
export function encodeWav(
  samples: Float32Array,
  sampleRate: number,
  options: { format?: WavSampleFormat } = {},
): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`Invalid sample rate ${sampleRate}`);
  const format = options.format ?? 'pcm16';
  const bytesPerSample = format === 'pcm16' ? 2 : 4;
  const dataSize = samples.length * bytesPerSample;
  // Float WAV needs the 18-byte fmt (cbSize) and a fact chunk to be strictly valid.
  const fmtSize = format === 'pcm16' ? 16 : 18;
  const factSize = format === 'pcm16' ? 0 : 12;
  const headerSize = 12 + 8 + fmtSize + factSize + 8;
  if (headerSize + dataSize > RIFF_UNKNOWN_SIZE - 1) throw new RangeError('Audio too long for a 4 GiB WAV file');
  const out = Buffer.alloc(headerSize + dataSize);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(out.length - 8, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(fmtSize, 16);
  out.writeUInt16LE(format === 'pcm16' ? WAVE_FORMAT_PCM : WAVE_FORMAT_IEEE_FLOAT, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * bytesPerSample, 28);
  out.writeUInt16LE(bytesPerSample, 32);
  out.writeUInt16LE(bytesPerSample * 8, 34);
  let o = 36;
  if (format === 'float32') {
    out.writeUInt16LE(0, o);
    o += 2;
    out.write('fact', o, 'latin1');
    out.writeUInt32LE(4, o + 4);
    out.writeUInt32LE(samples.length, o + 8);
    o += 12;
  }
  out.write('data', o, 'latin1');
  out.writeUInt32LE(dataSize, o + 4);
  o += 8;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (format === 'float32') {
    for (let i = 0; i < samples.length; i++, o += 4) {
      const x = samples[i] ?? 0;
      view.setFloat32(o, Number.isFinite(x) ? x : 0, true);
    }
  } else {
    for (let i = 0; i < samples.length; i++, o += 2) {
      const x = samples[i] ?? 0;
      // Scale by 32768 so decode (/32768) round-trips exactly; +1.0 clamps to 32767.
      const v = Number.isFinite(x) ? Math.min(32767, Math.max(-32768, Math.round(x * 32768))) : 0;
      view.setInt16(o, v, true);
    }
  }
  return out;
}
