import { vadChunks, DEFAULT_CHUNKER, type ChunkerOptions } from './chunker';
import type { SileroVad } from './vad';
import type { RunControl, TranscribedWord, TranscriptSegment } from './types';

/** What a recogniser returns for one chunk, with times relative to the chunk start. */
export interface ChunkTranscript {
  readonly language: string;
  readonly words: TranscribedWord[];
  /** Omitted when the recogniser has no notion of segments; they are then built from word gaps. */
  readonly segments?: TranscriptSegment[];
}

/** Recognises one VAD-gated chunk of 16 kHz mono audio. */
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

/**
 * Runs the VAD gate over a 16 kHz stream, hands each chunk to `recognize` in turn (one chunk in flight,
 * so memory stays bounded), and maps word and segment times back onto the input timeline. Times are
 * clamped into their chunk and made non-decreasing across chunk boundaries.
 */
export async function transcribeChunked(
  vad: SileroVad,
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  recognize: ChunkRecognizer,
  control: RunControl & { readonly totalSeconds?: number; readonly chunking?: Partial<ChunkerOptions> },
): Promise<PipelineResult> {
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
  for await (const chunk of vadChunks(vad, counted, { ...DEFAULT_CHUNKER, ...control.chunking })) {
    control.signal?.throwIfAborted();
    chunks += 1;
    const chunkEnd = chunk.start + chunk.samples.length / 16000;
    const place = (t: number): number => round(Math.min(chunkEnd, Math.max(chunk.start, chunk.start + t)));
    const result = await recognize(chunk.samples, control.signal);
    language ??= result.language;
    const placed: TranscribedWord[] = [];
    for (const w of result.words) {
      const start = Math.max(lastEnd, place(w.start));
      const end = Math.max(start, place(w.end));
      const word = w.word.trim();
      if (word.length === 0) continue;
      placed.push(w.confidence === undefined ? { word, start, end } : { word, start, end, confidence: w.confidence });
      lastEnd = end;
    }
    words.push(...placed);
    const chunkSegments = result.segments ?? segmentsFromWords(result.words);
    for (const s of chunkSegments) {
      const text = s.text.trim();
      if (text.length > 0) segments.push({ start: place(s.start), end: place(s.end), text });
    }
    if (control.totalSeconds && control.totalSeconds > 0) {
      control.onProgress?.(Math.min(0.99, chunkEnd / control.totalSeconds));
    }
  }
  control.onProgress?.(1);
  return { language, words, segments, chunks, samplesSeen };
}
