/** Lower-cases, drops punctuation (keeping in-word apostrophes and hyphens as separators) and splits on spaces. */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[’`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s-]/gu, ' ')
    .replace(/-/g, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/**
 * Word error rate: word-level Levenshtein distance (substitutions + deletions + insertions) between the
 * normalised reference and hypothesis, divided by the reference length.
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  return errorRate(normalizeWords(reference), normalizeWords(hypothesis));
}

/**
 * Character error rate over the same normalised words (joined by single spaces): finer than the word rate on a
 * short text, where one misheard name is a fifth of the words but a few letters ("sunny" → "Sonny").
 */
export function characterErrorRate(reference: string, hypothesis: string): number {
  return errorRate([...normalizeWords(reference).join(' ')], [...normalizeWords(hypothesis).join(' ')]);
}

/** Levenshtein distance between two token sequences, divided by the reference's length. */
function errorRate(ref: readonly string[], hyp: readonly string[]): number {
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const cost = ref[i - 1] === hyp[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return (prev[hyp.length] ?? 0) / ref.length;
}

/**
 * Synthesised speech fails the TTS quality gate only when the recogniser's transcript is off by more than both
 * rates: the gate catches silence, garbage, the wrong language and a render missing about half its words, not a
 * recogniser's slips (a shorter cut, such as the last two words of six, passes it, as it passed the word rate alone). On a
 * short text the word rate alone is too coarse: a fine render heard as "Sonny Midrid" is 40 % of a five-word
 * sentence wrong (2 letters of 30), and as synthesis and recognition are both deterministic, such a sentence could
 * never be made. Measured with Whisper base on twelve short sentences per voice (flite, espeak-ng, Piper), good
 * renders reached a word rate of 0.6 and a character rate of 0.40; an unrelated sentence is 0.64 or more.
 */
export const MAX_TTS_WORD_ERROR_RATE = 0.35;
export const MAX_TTS_CHARACTER_ERROR_RATE = 0.5;

/** Whether `heard` (a recogniser's transcript of synthesised speech) says `expected`, with both error rates. */
export function judgeIntelligibility(
  expected: string,
  heard: string,
): { matches: boolean; wordErrorRate: number; characterErrorRate: number } {
  const words = wordErrorRate(expected, heard);
  const characters = characterErrorRate(expected, heard);
  return {
    matches: words <= MAX_TTS_WORD_ERROR_RATE || characters <= MAX_TTS_CHARACTER_ERROR_RATE,
    wordErrorRate: words,
    characterErrorRate: characters,
  };
}
