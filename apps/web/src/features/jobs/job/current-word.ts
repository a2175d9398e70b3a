/** A word's span on the audio's timeline, in seconds. */
export interface TimedWord {
  start: number;
  end: number;
}

/**
 * The index of the word being spoken at `seconds` (start ≤ t < end), or -1 between words and outside the
 * speech. `words` are in order of start, as the transcript delivers them; a binary search keeps this cheap
 * enough to run on every frame of playback, however long the transcript.
 */
export function currentWordIndex(words: readonly TimedWord[], seconds: number): number {
  // The last word that has started by `seconds`...
  let low = 0;
  let high = words.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const word = words[middle];
    if (word === undefined) break;
    if (word.start <= seconds) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  // ...is current only while it lasts.
  const candidate = found >= 0 ? words[found] : undefined;
  return candidate !== undefined && seconds < candidate.end ? found : -1;
}
