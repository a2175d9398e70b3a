import { listTranslationPairs, runApertium, type RunApertiumOptions } from './apertium';
import { DubbingError, UnsupportedLanguagePairError, type TranslationPair } from './errors';
import { baseLanguage } from './languages';

/** A piece of transcript on the source timeline (seconds), e.g. an STT segment. */
export interface TimedText {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A transcript segment with its text translated; times are the source's, unchanged. */
export interface TranslatedSegment extends TimedText {
  readonly sourceText: string;
}

interface TranslateCommon extends RunApertiumOptions {
  /** BCP-47 tag or ISO 639 code of the input (`en`, `en-US`, `eng`). */
  readonly source: string;
  readonly target: string;
}

export interface TranslateTextRequest extends TranslateCommon {
  readonly text: string;
}

export interface TranslateSegmentsRequest extends TranslateCommon {
  readonly segments: readonly TimedText[];
}

/** What ran: the Apertium mode, or `identity` when source and target are the same language. */
export interface TranslationEngineInfo {
  readonly source: string;
  readonly target: string;
  readonly engine: 'apertium' | 'identity';
  readonly mode?: string;
}

export interface TextTranslation extends TranslationEngineInfo {
  readonly text: string;
}

export interface SegmentsTranslation extends TranslationEngineInfo {
  /** Same count and order as the request's segments. */
  readonly segments: TranslatedSegment[];
  /** The translated segments joined with spaces. */
  readonly text: string;
}

/**
 * Segments travel to Apertium in batches of about this many characters: one process per batch instead of
 * one per segment (each start costs ~0.3 s of dictionary loading), with bounded memory for long transcripts.
 */
const BATCH_CHARS = 50_000;
/**
 * Blank lines separate segments. Apertium's text deformatter treats a blank line as a sentence end, so
 * transfer rules never move words across it and the split comes back with the same count (checked on every
 * batch: a mismatch falls back to one run per segment).
 */
const SEGMENT_SEPARATOR = '\n\n';
const SEPARATOR_PATTERN = /\n[ \t\r]*\n/;

/** Finds the installed Apertium direction for a language pair, or throws a 400-class error listing them. */
export async function resolveTranslationPair(
  source: string,
  target: string,
  options: RunApertiumOptions = {},
): Promise<TranslationPair> {
  const from = baseLanguage(source);
  const to = baseLanguage(target);
  const pairs = await listTranslationPairs(options);
  const pair = pairs.find((p) => p.source === from && p.target === to);
  if (!pair) throw new UnsupportedLanguagePairError(from, to, pairs);
  return pair;
}

/** Translates plain text (rule-based, Apertium). Same source and target language returns the text unchanged. */
export async function translate(request: TranslateTextRequest): Promise<TextTranslation>;
/**
 * Translates transcript segments one to one, keeping their count, order and times; empty segments stay empty.
 */
export async function translate(request: TranslateSegmentsRequest): Promise<SegmentsTranslation>;
export async function translate(
  request: TranslateTextRequest | TranslateSegmentsRequest,
): Promise<TextTranslation | SegmentsTranslation> {
  if ('segments' in request) {
    for (const [i, s] of request.segments.entries()) {
      if (typeof s.text !== 'string' || !Number.isFinite(s.start) || !Number.isFinite(s.end) || s.end < s.start) {
        throw new DubbingError('INVALID_ARGUMENT', `segment ${i} needs finite start ≤ end and a text`);
      }
    }
    const { info, texts } = await translateTexts(
      request.segments.map((s) => s.text),
      request,
    );
    const segments = request.segments.map((s, i) => ({
      start: s.start,
      end: s.end,
      text: texts[i] ?? '',
      sourceText: s.text,
    }));
    return { ...info, segments, text: texts.filter((t) => t.length > 0).join(' ') };
  }
  if (typeof request.text !== 'string') throw new DubbingError('INVALID_ARGUMENT', 'text must be a string');
  // Paragraph breaks in plain text survive as paragraph breaks.
  const paragraphs = request.text.split(SEPARATOR_PATTERN);
  const { info, texts } = await translateTexts(paragraphs, request);
  return { ...info, text: texts.join(SEGMENT_SEPARATOR) };
}

async function translateTexts(
  texts: readonly string[],
  request: TranslateCommon,
): Promise<{ info: TranslationEngineInfo; texts: string[] }> {
  const source = baseLanguage(request.source);
  const target = baseLanguage(request.target);
  if (source.length === 0 || target.length === 0) {
    throw new DubbingError('INVALID_ARGUMENT', 'source and target languages are required');
  }
  const cleaned = texts.map(normalizeSpace);
  if (source === target) return { info: { source, target, engine: 'identity' }, texts: cleaned };

  const pair = await resolveTranslationPair(source, target, request);
  const out = cleaned.map(() => '');
  const pending = cleaned.flatMap((text, index) => (text.length > 0 ? [{ text, index }] : []));
  for (const batch of batches(pending)) {
    request.signal?.throwIfAborted();
    const raw = await runApertium(pair.mode, batch.map((b) => b.text).join(SEGMENT_SEPARATOR), request);
    const parts = raw.replace(/\s+$/, '').split(SEPARATOR_PATTERN);
    if (parts.length === batch.length) {
      batch.forEach((b, i) => (out[b.index] = cleanOutput(parts[i]!, b.text)));
    } else {
      // Defensive: should the separator ever be merged, translate this batch one segment at a time.
      for (const b of batch) out[b.index] = cleanOutput(await runApertium(pair.mode, b.text, request), b.text);
    }
  }
  return { info: { source, target, engine: 'apertium', mode: pair.mode }, texts: out };
}

function* batches<T extends { text: string }>(items: readonly T[]): Generator<T[]> {
  let current: T[] = [];
  let chars = 0;
  for (const item of items) {
    if (current.length > 0 && chars + item.text.length > BATCH_CHARS) {
      yield current;
      current = [];
      chars = 0;
    }
    current.push(item);
    chars += item.text.length + SEGMENT_SEPARATOR.length;
  }
  if (current.length > 0) yield current;
}

/** One line per segment: newlines inside a segment would otherwise read as segment breaks. */
function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Tidies Apertium output for speech: collapses whitespace, drops the `#` (generation gap) and `@` (not in the
 * bilingual dictionary) marks that `-u` keeps, and keeps a lower-case start when the source segment began
 * mid-sentence (Apertium capitalises every paragraph).
 */
function cleanOutput(translated: string, sourceText: string): string {
  let text = normalizeSpace(translated.replace(/(^|[\s"'(¿¡])[#@](?=\S)/gu, '$1'));
  const first = sourceText.match(/\p{L}/u)?.[0];
  if (first !== undefined && first === first.toLowerCase() && first !== first.toUpperCase()) {
    text = text.replace(/\p{L}/u, (c) => c.toLowerCase());
  }
  return text;
}
