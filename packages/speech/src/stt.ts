import { vadChunks, DEFAULT_CHUNKER, type ChunkerOptions, type SpeechChunk } from './chunker';
import { VAD_SAMPLE_RATE, type SileroVad } from './vad';
import type { RunControl, TranscribedWord, TranscriptSegment } from './types';

/** What a recogniser returns for one piece, with times relative to the piece start. */
export interface ChunkTranscript {
  readonly language: string;
  readonly words: TranscribedWord[];
  /** Omitted when the recogniser has no notion of segments; they are then built from word gaps. */
  readonly segments?: TranscriptSegment[];
  /** Seconds the recogniser decoded, when it gates silence itself; 0 means it found no speech and decoded nothing. */
  readonly speechSeconds?: number;
}

/** Recognises one VAD-gated piece of 16 kHz mono audio (one chunk, or several packed together). */
export type ChunkRecognizer = (samples: Float32Array, signal?: AbortSignal) => Promise<ChunkTranscript>;

/** Everything the chunked pipeline produced, before the caller adds model metadata. */
export interface PipelineResult {
  readonly language: string | undefined;
  readonly words: TranscribedWord[];
  readonly segments: TranscriptSegment[];
  readonly chunks: number;
  readonly samplesSeen: number;
}

/** A gap this long between words starts a new segment when the recogniser gives none. */
const SEGMENT_GAP_SECONDS = 0.6;

/** Groups words into segments at pauses (for recognisers without their own segmentation). */
export function segmentsFromWords(words: readonly TranscribedWord[]): TranscriptSegment[] {
  const segments: TranscriptSegment[] = [];
  let current: TranscribedWord[] = [];
  const flush = (): void => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) segments.push({ start: first.start, end: last.end, text: current.map((w) => w.word).join(' ') });
    current = [];
  };
  for (const word of words) {
    const last = current[current.length - 1];
    if (last && (word.start - last.end > SEGMENT_GAP_SECONDS || current.length >= 20)) flush();
    current.push(word);
  }
  flush();
  return segments;
}

const round = (t: number): number => Math.round(t * 1000) / 1000;

/** Where one VAD chunk sits: `offset` seconds into the piece the recogniser gets, `start`–`end` on the input. */
interface Placement {
  readonly offset: number;
  readonly start: number;
  readonly end: number;
}

/** What the recogniser gets: one chunk, or several joined without the silences between them. */
interface Piece {
  readonly samples: Float32Array;
  readonly parts: readonly Placement[];
}

/**
 * Groups VAD chunks into pieces of at most `maxChunkSeconds` (one chunk per piece unless `packSpeech`).
 * Holds at most one open piece, so memory stays bounded.
 */
async function* piecesOf(chunks: AsyncIterable<SpeechChunk>, options: ChunkerOptions): AsyncGenerator<Piece> {
  const maxLen = Math.round(options.maxChunkSeconds * VAD_SAMPLE_RATE);
  let open: SpeechChunk[] = [];
  let length = 0;
  const close = (): Piece => {
    const samples = open.length === 1 && open[0] ? open[0].samples : new Float32Array(length);
    const parts: Placement[] = [];
    let offset = 0;
    for (const chunk of open) {
      if (samples !== chunk.samples) samples.set(chunk.samples, offset);
      const seconds = chunk.samples.length / VAD_SAMPLE_RATE;
      parts.push({ offset: offset / VAD_SAMPLE_RATE, start: chunk.start, end: chunk.start + seconds });
      offset += chunk.samples.length;
    }
    open = [];
    length = 0;
    return { samples, parts };
  };
  for await (const chunk of chunks) {
    if (open.length > 0 && length + chunk.samples.length > maxLen) yield close();
    open.push(chunk);
    length += chunk.samples.length;
    if (!options.packSpeech) yield close();
  }
  if (open.length > 0) yield close();
}

/** The part holding piece time `t`; a time on a join belongs to the later part unless `earlier`. */
function partAt(parts: readonly Placement[], t: number, earlier = false): Placement {
  let found = parts[0];
  for (const part of parts) {
    if (part.offset < t || (!earlier && part.offset === t)) found = part;
    else break;
  }
  if (!found) throw new Error('a piece has no parts');
  return found;
}

/** Piece time `t` on the input timeline, clamped into `part`. */
const placeIn = (part: Placement, t: number): number =>
  round(Math.min(part.end, Math.max(part.start, part.start + t - part.offset)));

/**
 * Maps one recognised piece's words and segments onto the input timeline and appends them; returns the new last word
 * end. Times are clamped into their chunk and kept non-decreasing across pieces; a word goes to the chunk holding its
 * midpoint, as faster-whisper places words across the silences its VAD removed.
 */
function placeOnInput(
  parts: readonly Placement[],
  result: ChunkTranscript,
  lastEnd: number,
  words: TranscribedWord[],
  segments: TranscriptSegment[],
): number {
  for (const w of result.words) {
    const part = partAt(parts, (w.start + w.end) / 2);
    const start = Math.max(lastEnd, placeIn(part, w.start));
    const end = Math.max(start, placeIn(part, w.end));
    const word = w.word.trim();
    if (word.length === 0) continue;
    words.push(w.confidence === undefined ? { word, start, end } : { word, start, end, confidence: w.confidence });
    lastEnd = end;
  }
  for (const s of result.segments ?? segmentsFromWords(result.words)) {
    const text = s.text.trim();
    if (text.length === 0) continue;
    const start = placeIn(partAt(parts, s.start), s.start);
    segments.push({ start, end: Math.max(start, placeIn(partAt(parts, s.end, true), s.end)), text });
  }
  return lastEnd;
}

/**
 * Runs the VAD gate over a 16 kHz stream, hands each piece to `recognize` in turn (one piece in flight,
 * so memory stays bounded), and maps word and segment times back onto the input timeline. Times are
 * clamped into their chunk and made non-decreasing across chunk boundaries; a word goes to the chunk
 * holding its midpoint.
 */
export async function transcribeChunked(
  vad: SileroVad,
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  recognize: ChunkRecognizer,
  control: RunControl & { readonly totalSeconds?: number; readonly chunking?: Partial<ChunkerOptions> },
): Promise<PipelineResult> {
  const options = { ...DEFAULT_CHUNKER, ...control.chunking };
  const words: TranscribedWord[] = [];
  const segments: TranscriptSegment[] = [];
  let language: string | undefined;
  let chunks = 0;
  let lastEnd = 0;
  let samplesSeen = 0;
  const counted = (async function* () {
    for await (const block of blocks) {
      samplesSeen += block.length;
      yield block;
    }
  })();
  // Sequential on purpose: gathering the next piece while Whisper decodes measured no faster on 2 cores (the
  // VAD's thread competes with CTranslate2's two).
  for await (const piece of piecesOf(vadChunks(vad, counted, options), options)) {
    control.signal?.throwIfAborted();
    chunks += 1;
    const result = await recognize(piece.samples, control.signal);
    language ??= result.language;
    lastEnd = placeOnInput(piece.parts, result, lastEnd, words, segments);
    const pieceEnd = piece.parts[piece.parts.length - 1]?.end ?? 0;
    if (control.totalSeconds && control.totalSeconds > 0) {
      control.onProgress?.(Math.min(0.99, pieceEnd / control.totalSeconds));
    }
  }
  control.onProgress?.(1);
  return { language, words, segments, chunks, samplesSeen };
}

/**
 * The whole input as one piece, for a recogniser that gates silence itself (Whisper with faster-whisper's own VAD):
 * for inputs short enough to hold, this is exactly what bare faster-whisper does, and it skips a VAD pass here.
 */
export async function transcribeWhole(
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  recognize: ChunkRecognizer,
  control: RunControl,
): Promise<PipelineResult> {
  const held: Float32Array[] = [];
  let length = 0;
  for await (const block of blocks) {
    control.signal?.throwIfAborted();
    held.push(block);
    length += block.length;
  }
  const samples = new Float32Array(length);
  let offset = 0;
  for (const block of held) {
    samples.set(block, offset);
    offset += block.length;
  }
  const words: TranscribedWord[] = [];
  const segments: TranscriptSegment[] = [];
  let language: string | undefined;
  let chunks = 0;
  if (length > 0) {
    const result = await recognize(samples, control.signal);
    control.signal?.throwIfAborted();
    language = result.language;
    chunks = result.speechSeconds === 0 ? 0 : 1;
    const seconds = length / VAD_SAMPLE_RATE;
    placeOnInput([{ offset: 0, start: 0, end: seconds }], result, 0, words, segments);
  }
  control.onProgress?.(1);
  return { language, words, segments, chunks, samplesSeen: length };
}
