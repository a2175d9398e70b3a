import type { TimedText } from './translate';

/** A recognised word with its times in seconds (the shape STT returns). */
export interface TimedWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

export interface GroupWordsOptions {
  /** A silence at least this long between words starts a new phrase. Default 0.3 s. */
  readonly maxPauseSeconds?: number;
  /** A phrase is closed once it reaches this length, at the next word boundary. Default 8 s. */
  readonly maxPhraseSeconds?: number;
}

/**
 * Groups words into pause-delimited phrases. Re-voicing phrase by phrase (accent change) keeps the speaker's
 * pauses and pacing, which whole STT segments (often a full sentence or 30 s window) would lose.
 */
export function groupWordsIntoPhrases(words: readonly TimedWord[], options: GroupWordsOptions = {}): TimedText[] {
  const maxPause = options.maxPauseSeconds ?? 0.3;
  const maxPhrase = options.maxPhraseSeconds ?? 8;
  const sorted = words.filter((w) => w.word.trim().length > 0).sort((a, b) => a.start - b.start);
  const phrases: TimedText[] = [];
  let current: TimedWord[] = [];
  const flush = (): void => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) {
      phrases.push({ start: first.start, end: last.end, text: current.map((w) => w.word.trim()).join(' ') });
    }
    current = [];
  };
  for (const word of sorted) {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last && (word.start - last.end >= maxPause || last.end - first.start >= maxPhrase)) flush();
    current.push(word);
  }
  flush();
  return phrases;
}
