import { log } from '@temporalio/activity';
import { resample, type SampleSource } from '@voice/audio';
import { dictionarySpelling, pocketsphinxAlign } from '@voice/speech/align';
import type { TimedWord, WordRange } from '@voice/voice-dsp';

/** Words aligned on each side of a match: the clip's edges cut through words, and these absorb the pieces. */
const ALIGN_CONTEXT_WORDS = 2;
/** Audio kept beyond the outer context words, room for recogniser times that are early or late. */
const ALIGN_MARGIN_SECONDS = 0.3;
/**
 * An aligned edge this far from the recogniser's means the alignment went wrong (a misheard word forces the
 * search to stretch another over its sound): the match then keeps the recogniser's times.
 */
const ALIGN_TOLERANCE_SECONDS = 0.35;
/** PocketSphinx's acoustic model is trained on 16 kHz audio. */
const ALIGN_RATE = 16_000;

/**
 * A copy of `words` in which each match and its two neighbours carry times from forced alignment (PocketSphinx,
 * on a short clip around the match) instead of the recogniser's. Whisper's times come from attention weights
 * and land up to ~150 ms off on some voices, which is enough for a bleep to clip a neighbour and leave the
 * end of the word itself audible. Where alignment is unavailable or implausible the recogniser's times stay.
 */
export async function alignAroundMatches(
  source: SampleSource & { readonly sampleRate: number },
  words: readonly TimedWord[],
  matches: readonly WordRange[],
  signal: AbortSignal,
): Promise<TimedWord[]> {
  const refined = words.slice();
  // Tokens that are only punctuation have nothing to align.
  const spoken = words.flatMap((w, index) => (dictionarySpelling(w.word).length > 0 ? [index] : []));
  const duration = source.length / source.sampleRate;
  for (const match of matches) {
    const first = spoken.findIndex((index) => index >= match.firstWordIndex);
    const last = spoken.findLastIndex((index) => index <= match.lastWordIndex);
    if (first < 0 || last < first) continue;
    const lo = Math.max(0, first - ALIGN_CONTEXT_WORDS);
    const indices = spoken.slice(lo, last + 1 + ALIGN_CONTEXT_WORDS);
    const from = Math.max(0, words[indices[0]!]!.start - ALIGN_MARGIN_SECONDS);
    const to = Math.min(duration, words[indices[indices.length - 1]!]!.end + ALIGN_MARGIN_SECONDS);
    const clip = source.read(Math.round(from * source.sampleRate), Math.round(to * source.sampleRate));
    let aligned: TimedWord[];
    try {
      aligned = await pocketsphinxAlign(
        resample(clip, source.sampleRate, ALIGN_RATE),
        indices.map((index) => words[index]!.word),
        signal,
      );
    } catch (error) {
      signal.throwIfAborted();
      log.warn('mute_word keeps the transcript times: alignment failed', { error: String(error) });
      continue;
    }
    // The match and its immediate neighbours are what the mute range is built from; outer words only pad.
    const used: number[] = [];
    for (let k = Math.max(0, first - lo - 1); k <= Math.min(indices.length - 1, last - lo + 1); k++) used.push(k);
    const placed = used.flatMap((k) => {
      const a = aligned[k];
      return a ? [{ k, start: from + a.start, end: from + a.end }] : [];
    });
    const plausible =
      aligned.length === indices.length &&
      placed.every(({ k, start, end }) => {
        const original = words[indices[k]!]!;
        return (
          Math.abs(start - original.start) <= ALIGN_TOLERANCE_SECONDS &&
          Math.abs(end - original.end) <= ALIGN_TOLERANCE_SECONDS
        );
      });
    if (!plausible) {
      log.warn('mute_word keeps the transcript times: alignment disagrees with them', {
        word: words[match.firstWordIndex]?.word,
      });
      continue;
    }
    for (const { k, start, end } of placed) refined[indices[k]!] = { word: words[indices[k]!]!.word, start, end };
  }
  return refined;
}
