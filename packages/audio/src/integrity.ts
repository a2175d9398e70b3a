import type { FileHandle } from 'node:fs/promises';

import { AudioValidationError } from './errors';
import { id3v2Size, parseMpegFrameHeader, type AudioContainer, type MpegFrameHeader } from './sniff';
import { RIFF_UNKNOWN_SIZE } from './wav';

/**
 * Structural checks that catch truncation ffmpeg decodes without complaint: a WAV data chunk
 * that is shorter than declared, an Ogg stream without its last page, an MP3 whose last frame is
 * cut, an MP4 box that runs past the end of the file. They read headers only, never the audio
 * (the MP3 frame walk reads the file sequentially once).
 */
export async function checkContainerIntegrity(fh: FileHandle, size: number, container: AudioContainer): Promise<void> {
  switch (container) {
    case 'wav':
      return checkWav(fh, size);
    case 'ogg':
      return checkOgg(fh, size);
    case 'm4a':
      return checkMp4(fh, size);
    case 'flac':
      return checkFlac(fh, size);
    case 'mp3':
      return checkMp3(fh, size);
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buf, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

const truncated = (what: string, detail: string): AudioValidationError =>
  new AudioValidationError(
    'truncated',
    `The ${what} file is truncated or incomplete: ${detail}. Upload the complete file.`,
  );

async function checkWav(fh: FileHandle, size: number): Promise<void> {
  let offset = 12;
  let ds64DataSize: number | undefined;
  while (offset + 8 <= size) {
    const header = await readAt(fh, offset, 8);
    if (header.length < 8) break;
    const id = header.toString('latin1', 0, 4);
    const chunkSize = header.readUInt32LE(4);
    if (id === 'ds64') {
      const body = await readAt(fh, offset + 8, 16);
      if (body.length === 16) ds64DataSize = Number(body.readBigUInt64LE(8));
    } else if (id === 'data') {
      let dataSize = chunkSize;
      if (chunkSize === RIFF_UNKNOWN_SIZE) {
        // Streamed WAV (size unknown when the header was written) carries no claim to check.
        if (ds64DataSize === undefined) return;
        dataSize = ds64DataSize;
      }
      const present = size - (offset + 8);
      if (dataSize > present) {
        const pct = Math.round((100 * present) / dataSize);
        throw truncated(
          'WAV',
          `its header declares ${dataSize} bytes of audio but only ${present} (${pct}%) are present`,
        );
      }
      return;
    }
    offset += 8 + chunkSize + (chunkSize & 1);
  }
  throw truncated('WAV', 'it ends before its audio data');
}

// Ogg pages carry a CRC-32 (polynomial 0x04c11db7, not reflected) over the page with the CRC field zeroed.
const OGG_CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : (page[i] ?? 0);
    crc = ((crc << 8) ^ (OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  }
  return crc;
}

const OGG_MAX_PAGE = 27 + 255 + 255 * 255;

/** Length of the Ogg page at `o` in `buf`, or undefined if its header is not fully inside `buf`. */
function oggPageLength(buf: Buffer, o: number): number | undefined {
  if (o + 27 > buf.length) return undefined;
  const segments = buf[o + 26] ?? 0;
  if (o + 27 + segments > buf.length) return undefined;
  let body = 0;
  for (let s = 0; s < segments; s++) body += buf[o + 27 + s] ?? 0;
  return 27 + segments + body;
}

const isOggCapture = (buf: Buffer, o: number): boolean =>
  buf.toString('latin1', o, o + 4) === 'OggS' && (buf[o + 4] ?? 1) === 0;

/**
 * An intact Ogg file ends with a complete page flagged end-of-stream. A file cut anywhere else
 * ends with a partial page or a page without that flag. The tail (two maximal pages) is scanned
 * for a page with a valid CRC and then walked page by page to EOF.
 */
async function checkOgg(fh: FileHandle, size: number): Promise<void> {
  const tailStart = Math.max(0, size - 2 * OGG_MAX_PAGE);
  const tail = await readAt(fh, tailStart, size - tailStart);
  let anchor = -1;
  for (let o = 0; o + 27 <= tail.length; o++) {
    if (!isOggCapture(tail, o)) continue;
    const len = oggPageLength(tail, o);
    if (
      len !== undefined &&
      o + len <= tail.length &&
      oggCrc(tail.subarray(o, o + len)) === tail.readUInt32LE(o + 22)
    ) {
      anchor = o;
      break;
    }
  }
  if (anchor < 0) throw truncated('OGG', 'no complete page was found at the end of the file');
  let o = anchor;
  let lastFlags = 0;
  while (o < tail.length) {
    if (!isOggCapture(tail, o)) {
      throw truncated('OGG', 'the data after the last complete page is not a valid page');
    }
    const len = oggPageLength(tail, o);
    if (len === undefined || o + len > tail.length) throw truncated('OGG', 'the last page is cut off');
    lastFlags = tail[o + 5] ?? 0;
    o += len;
  }
  if ((lastFlags & 0x04) === 0) throw truncated('OGG', 'the stream has no end-of-stream page');
}

const MP4_CONTAINER_NAME = 'M4A';

async function checkMp4(fh: FileHandle, size: number): Promise<void> {
  let offset = 0;
  let hasMoov = false;
  while (offset < size) {
    if (offset + 8 > size) throw truncated(MP4_CONTAINER_NAME, 'the last box header is cut off');
    const header = await readAt(fh, offset, 16);
    let boxSize = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (boxSize === 1) {
      if (header.length < 16) throw truncated(MP4_CONTAINER_NAME, 'the last box header is cut off');
      boxSize = Number(header.readBigUInt64BE(8));
    } else if (boxSize === 0) {
      boxSize = size - offset; // "extends to end of file"
    }
    if (boxSize < 8) throw new AudioValidationError('not_audio', 'The M4A file is corrupted (invalid box size).');
    if (type === 'moov') hasMoov = true;
    if (offset + boxSize > size) {
      throw truncated(
        MP4_CONTAINER_NAME,
        `the '${type}' box needs ${offset + boxSize - size} more bytes than the file has`,
      );
    }
    offset += boxSize;
  }
  // Recorders write moov last, so a file cut during upload usually lacks it entirely.
  if (!hasMoov) throw truncated(MP4_CONTAINER_NAME, 'its index (moov box) is missing');
}

async function checkFlac(fh: FileHandle, size: number): Promise<void> {
  const head = await readAt(fh, 0, 10);
  let offset = id3v2Size(head) ?? 0;
  offset += 4; // "fLaC"
  for (;;) {
    if (offset + 4 > size) throw truncated('FLAC', 'it ends inside its metadata');
    const header = await readAt(fh, offset, 4);
    const isLast = ((header[0] ?? 0) & 0x80) !== 0;
    const length = header.readUIntBE(1, 3);
    offset += 4 + length;
    if (offset > size) throw truncated('FLAC', 'it ends inside its metadata');
    if (isLast) break;
  }
  if (offset >= size) throw truncated('FLAC', 'it contains no audio frames');
  // Frames themselves are CRC-checked by ffmpeg's decoder.
}

const MP3_WINDOW = 1 << 20;
const sameStream = (a: MpegFrameHeader, b: MpegFrameHeader): boolean =>
  a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;

/**
 * Walks MPEG frames from the first to the last. ffmpeg silently drops a partial last frame, so
 * this is the only way to see an MP3 without a Xing/Info header was cut mid-frame. Junk between
 * frames is skipped (as decoders do) and only a frame reached by walking from a valid frame can
 * be reported as cut, so trailing tags or garbage never cause a false alarm.
 */
async function checkMp3(fh: FileHandle, size: number): Promise<void> {
  const head = await readAt(fh, 0, 10);
  const start = id3v2Size(head) ?? 0;
  if (start > size) throw truncated('MP3', 'it ends inside its ID3 tag');
  let winStart = start;
  let win = await readAt(fh, winStart, MP3_WINDOW);
  // Callers check `has` synchronously first so the common path does not pay for an await per frame.
  const has = (pos: number, length: number): boolean => pos >= winStart && pos + length <= winStart + win.length;
  const load = async (pos: number): Promise<void> => {
    winStart = pos;
    win = await readAt(fh, pos, MP3_WINDOW);
  };
  const headerAt = async (pos: number): Promise<MpegFrameHeader | undefined> => {
    if (!has(pos, 4)) await load(pos);
    return parseMpegFrameHeader(win, pos - winStart);
  };

  // Lock on to the first frame whose successor lines up.
  let pos = start;
  let reference: MpegFrameHeader | undefined;
  const searchEnd = Math.min(size, start + 64 * 1024);
  for (; pos + 4 <= searchEnd; pos++) {
    const h = await headerAt(pos);
    if (!h) continue;
    const next = pos + h.frameLength;
    const h2 = next + 4 <= size ? await headerAt(next) : undefined;
    if (next === size || (h2 && sameStream(h, h2))) {
      reference = h;
      break;
    }
  }
  if (!reference) return; // free-format or exotic stream: leave it to ffmpeg

  while (pos + 4 <= size) {
    const h = has(pos, 4) ? parseMpegFrameHeader(win, pos - winStart) : await headerAt(pos);
    if (h && sameStream(h, reference)) {
      if (pos + h.frameLength > size) {
        throw truncated('MP3', `the last audio frame is cut off (${pos + h.frameLength - size} bytes missing)`);
      }
      pos += h.frameLength;
      continue;
    }
    // Not a frame: a trailing tag ends the stream; anything else is junk to resynchronise over.
    if (!has(pos, 4)) await load(pos);
    const marker = win.toString('latin1', pos - winStart, pos - winStart + 4);
    if (['TAG', 'APE', 'LYR', 'ID3'].some((tag) => marker.startsWith(tag))) return;
    let resynced = false;
    const resyncEnd = Math.min(size, pos + MP3_WINDOW);
    for (let p = pos + 1; p + 4 <= resyncEnd; p++) {
      const candidate = await headerAt(p);
      if (!candidate || !sameStream(candidate, reference)) continue;
      const next = p + candidate.frameLength;
      if (next > size) continue;
      if (next + 4 <= size) {
        const after = await headerAt(next);
        if (!after || !sameStream(after, reference)) continue;
      }
      pos = p;
      resynced = true;
      break;
    }
    if (!resynced) return;
  }
}
