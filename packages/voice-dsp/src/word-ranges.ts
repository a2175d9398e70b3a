import { VoiceDspError, assertFinite } from './errors';
import type { TimeRange } from './edit';

/** A recognised word with its timing in seconds (STT or forced-alignment output). */
export interface TimedWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

export interface FindWordRangesOptions {
  /** Padding added on each side of a match, limited by the neighbouring words. Default 30 ms. */
  readonly padMs?: number;
  /** Clip length; ranges are clamped to it when given. */
  readonly durationSeconds?: number;
}

/** A match: the time range to mute and the indices of the matched words. */
export interface WordRange extends TimeRange {
  readonly firstWordIndex: number;
  readonly lastWordIndex: number;
  /** How far the range may grow without reaching the previous word's timing (or the clip start). */
  readonly earliestStart: number;
  /** How far it may grow without reaching the next word's timing or the clip end; absent when unbounded. */
  readonly latestEnd?: number;
}

/**
 * Lower-cases (Unicode-aware) and drops punctuation and symbols, so "Hello," matches "hello" and
 * "don't" matches "dont". Apostrophes and hyphens are dropped rather than split on, consistently for
 * the transcript and the target.
 */
export function normalizeWord(word: string): string {
  return word
    .normalize('NFKC')
    .toLocaleLowerCase('en-US')
    .replace(/[\p{P}\p{S}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Finds every occurrence of `target` (a word or a multi-word phrase) in `words`, ignoring case and
 * punctuation, and returns ranges for `muteRanges`. Each range is the matched words' span padded by
 * padMs, but never reaching into the previous or next word's timing; where neighbours already overlap
 * the match, the boundary is the midpoint of the overlap. Words that are only punctuation are skipped.
 */
export function findWordRanges(
  words: readonly TimedWord[],
  target: string,
  options: FindWordRangesOptions = {},
): WordRange[] {
  const padMs = options.padMs ?? 30;
  assertFinite(padMs, 'padMs');
  if (padMs < 0) throw new VoiceDspError('INVALID_ARGUMENT', `padMs must not be negative, got ${padMs}`);
  const pad = padMs / 1000;
  const needle = normalizeWord(target)
    .split(' ')
    .filter((t) => t.length > 0);
  if (needle.length === 0)
    throw new VoiceDspError('INVALID_ARGUMENT', `target "${target}" has no letters or digits to match`);

  // Keep the original indices: neighbours are looked up among non-empty tokens.
  const tokens: { text: string; index: number }[] = [];
  for (const [index, w] of words.entries()) {
    assertFinite(w.start, `words[${index}].start`);
    assertFinite(w.end, `words[${index}].end`);
    if (w.end < w.start) throw new VoiceDspError('INVALID_ARGUMENT', `words[${index}] ends before it starts`);
    // A token such as "New-York" normalises to one word; a token holding spaces becomes several.
    for (const text of normalizeWord(w.word).split(' ')) if (text.length > 0) tokens.push({ text, index });
  }

  const ranges: WordRange[] = [];
  for (let i = 0; i + needle.length <= tokens.length; i++) {
    let matched = true;
    for (let k = 0; k < needle.length; k++) {
      if (tokens[i + k]!.text !== needle[k]) {
        matched = false;
        break;
      }
    }
    if (!matched) continue;
    const firstIndex = tokens[i]!.index;
    const lastIndex = tokens[i + needle.length - 1]!.index;
    // Sub-tokens of one timed word share its timing; the neighbours are the other timed words.
    if ((i > 0 && tokens[i - 1]!.index === firstIndex) || tokens[i + needle.length]?.index === lastIndex) continue;
    const first = words[firstIndex]!;
    const last = words[lastIndex]!;
    const prev = i > 0 ? words[tokens[i - 1]!.index] : undefined;
    const next = tokens[i + needle.length] ? words[tokens[i + needle.length]!.index] : undefined;
    const earliestStart = Math.max(0, prev ? (prev.end > first.start ? (prev.end + first.start) / 2 : prev.end) : 0);
    let latestEnd = next ? (next.start < last.end ? (next.start + last.end) / 2 : next.start) : undefined;
    if (options.durationSeconds !== undefined) latestEnd = Math.min(latestEnd ?? Infinity, options.durationSeconds);
    const start = Math.max(earliestStart, first.start - pad);
    const end = Math.min(latestEnd ?? Infinity, last.end + pad);
    if (end > start) {
      const range = { start, end, firstWordIndex: firstIndex, lastWordIndex: lastIndex, earliestStart };
      ranges.push(latestEnd === undefined ? range : { ...range, latestEnd });
    }
    i += needle.length - 1;
  }
  return ranges;
}
