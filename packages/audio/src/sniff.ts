/** Containers the platform accepts as input. */
export type AudioContainer = 'wav' | 'mp3' | 'flac' | 'm4a' | 'ogg';

/** Human names, used in user-facing messages. */
export const CONTAINER_LABELS: Readonly<Record<AudioContainer, string>> = {
  wav: 'WAV',
  mp3: 'MP3',
  flac: 'FLAC',
  m4a: 'M4A',
  ogg: 'OGG',
};

export const SUPPORTED_FORMATS_TEXT = 'Supported formats are WAV, MP3, FLAC, M4A (AAC/ALAC) and OGG (Vorbis/Opus).';

// ISO-BMFF brands that are plain MP4/M4A audio (or audio-capable MP4). QuickTime and 3GP are excluded.
const MP4_BRANDS = new Set([
  'M4A ',
  'M4B ',
  'M4P ',
  'F4A ',
  'f4a ',
  'mp41',
  'mp42',
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'dash',
  'MSNV',
]);

const ascii = (buf: Buffer, start: number, end: number): string => buf.toString('latin1', start, end);

/** Total size of an ID3v2 tag starting at offset 0 (header, body and optional footer), or undefined. */
export function id3v2Size(head: Buffer): number | undefined {
  if (head.length < 10 || ascii(head, 0, 3) !== 'ID3') return undefined;
  const b6 = head[6] ?? 0;
  const b7 = head[7] ?? 0;
  const b8 = head[8] ?? 0;
  const b9 = head[9] ?? 0;
  // Sizes are "syncsafe": 7 bits per byte.
  if ((b6 | b7 | b8 | b9) & 0x80) return undefined;
  const body = (b6 << 21) | (b7 << 14) | (b8 << 7) | b9;
  const hasFooter = ((head[5] ?? 0) & 0x10) !== 0;
  return 10 + body + (hasFooter ? 10 : 0);
}

/** A decoded MPEG audio (layer I/II/III) frame header. */
export interface MpegFrameHeader {
  /** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  /** Frame length in bytes including the header. */
  frameLength: number;
}

const BITRATES_KBPS: Record<string, readonly number[]> = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<string, readonly number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/**
 * Parses an MPEG audio frame header at `offset`. Returns undefined for anything that is not a
 * valid header, including free-format frames (bitrate index 0) whose length cannot be known.
 */
export function parseMpegFrameHeader(buf: Buffer, offset: number): MpegFrameHeader | undefined {
  if (offset + 4 > buf.length) return undefined;
  const b0 = buf[offset] ?? 0;
  const b1 = buf[offset + 1] ?? 0;
  const b2 = buf[offset + 2] ?? 0;
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  // Layer bits 00 are reserved in MPEG audio; ADTS AAC uses them, so this also rejects raw AAC.
  if (versionBits === 1 || layerBits === 0) return undefined;
  const version: 1 | 2 | 2.5 = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const table =
    version === 1 ? BITRATES_KBPS[`v1l${layer}`] : layer === 1 ? BITRATES_KBPS['v2l1'] : BITRATES_KBPS['v2l23'];
  const bitrate = (table?.[bitrateIndex] ?? 0) * 1000;
  const sampleRate = SAMPLE_RATES[String(version)]?.[rateIndex] ?? 0;
  if (bitrate === 0 || sampleRate === 0) return undefined;
  const padding = (b2 >> 1) & 1;
  let frameLength: number;
  if (layer === 1) frameLength = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  else if (layer === 3 && version !== 1) frameLength = Math.floor((72 * bitrate) / sampleRate) + padding;
  else frameLength = Math.floor((144 * bitrate) / sampleRate) + padding;
  return { version, layer, sampleRate, frameLength };
}

function looksLikeMpegAudio(buf: Buffer, offset: number): boolean {
  const first = parseMpegFrameHeader(buf, offset);
  if (!first) return false;
  const next = offset + first.frameLength;
  // One valid-looking header is a 1-in-a-few-thousand accident in random data; require the next
  // frame to line up whenever the sniffed bytes reach it.
  if (next + 4 > buf.length) return true;
  const second = parseMpegFrameHeader(buf, next);
  return second !== undefined && second.version === first.version && second.layer === first.layer;
}

function isMp4Audio(head: Buffer): boolean {
  if (head.length < 12 || ascii(head, 4, 8) !== 'ftyp') return false;
  const boxEnd = Math.min(head.readUInt32BE(0), head.length);
  if (MP4_BRANDS.has(ascii(head, 8, 12))) return true;
  // Compatible brands follow the 4-byte minor version.
  for (let o = 16; o + 4 <= boxEnd; o += 4) if (MP4_BRANDS.has(ascii(head, o, o + 4))) return true;
  return false;
}

/**
 * Identifies the container from the first bytes of a file (64 KiB is plenty), never from its
 * name. Returns undefined when the content is not one of the accepted containers.
 */
export function sniffAudioContainer(head: Buffer): AudioContainer | undefined {
  if (head.length >= 12 && ascii(head, 8, 12) === 'WAVE' && ['RIFF', 'RF64', 'BW64'].includes(ascii(head, 0, 4))) {
    return 'wav';
  }
  if (head.length >= 4) {
    const magic = ascii(head, 0, 4);
    if (magic === 'fLaC') return 'flac';
    if (magic === 'OggS') return 'ogg';
  }
  if (isMp4Audio(head)) return 'm4a';
  const tagSize = id3v2Size(head);
  if (tagSize !== undefined) {
    // ID3 tags can carry megabytes of cover art; if the payload lies beyond what we sniffed,
    // MP3 is by far the most likely content and ffmpeg will confirm it later.
    if (tagSize + 4 > head.length) return 'mp3';
    if (ascii(head, tagSize, tagSize + 4) === 'fLaC') return 'flac';
    return looksLikeMpegAudio(head, tagSize) ? 'mp3' : undefined;
  }
  return looksLikeMpegAudio(head, 0) ? 'mp3' : undefined;
}

/**
 * Names well-known audio formats we do not accept, so the user gets "AIFF is not supported"
 * rather than "not audio".
 */
export function sniffUnsupportedAudioFormat(head: Buffer): string | undefined {
  if (head.length < 4) return undefined;
  const magic = ascii(head, 0, 4);
  if (magic === 'FORM' && head.length >= 12 && ['AIFF', 'AIFC'].includes(ascii(head, 8, 12))) return 'AIFF';
  if (magic === 'caff') return 'Core Audio (CAF)';
  if (magic === 'MAC ') return "Monkey's Audio (APE)";
  if (magic === 'wvpk') return 'WavPack';
  if (magic === '.snd') return 'Sun/NeXT AU';
  if (magic === 'MThd') return 'MIDI';
  if (ascii(head, 0, 5) === '#!AMR') return 'AMR';
  if (head.readUInt32BE(0) === 0x1a45dfa3) return 'Matroska/WebM';
  if (head.length >= 8 && head.readUInt32BE(0) === 0x3026b275 && head.readUInt32BE(4) === 0x8e66cf11) return 'WMA/ASF';
  if (head.length >= 12 && ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (brand === 'qt  ') return 'QuickTime';
    if (brand.startsWith('3g')) return '3GP';
  }
  // ADTS AAC: 12-bit sync, layer bits 00.
  if ((head[0] ?? 0) === 0xff && ((head[1] ?? 0) & 0xf6) === 0xf0) return 'raw AAC (ADTS)';
  return undefined;
}
