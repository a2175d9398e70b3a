import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arraySampleSource } from '@voice/audio';

import { findWordRanges, muteRanges, snapRangesToQuiet, type TimeRange } from '../src/index';
import { concat, roomTone, sawtooth, sine, toneFraction } from './support/signals';

const RATE = 48_000;
const at = (seconds: number): number => Math.round(seconds * RATE);

/**
 * Three "words" (buzzes at different pitches, like voiced speech) with 30 ms of quiet room between them:
 * first 0–0.50 s, middle 0.53–0.90 s, last 0.93–1.40 s.
 */
function threeWords(): Float32Array {
  return concat(
    sawtooth(150, RATE, 0.5),
    roomTone(RATE, 0.03, -60, 1),
    sawtooth(210, RATE, 0.37),
    roomTone(RATE, 0.03, -60, 2),
    sawtooth(170, RATE, 0.47),
    roomTone(RATE, 0.1, -60, 3),
  );
}

/** Largest sample difference over [from, to) seconds. */
function maxChange(a: Float32Array, b: Float32Array, from: number, to: number): number {
  let worst = 0;
  for (let i = at(from); i < at(to); i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const bleep = (x: Float32Array, ranges: readonly TimeRange[]): Float32Array =>
  muteRanges(x, RATE, ranges, { mode: 'bleep', bleepHz: 1000 });

describe('snapRangesToQuiet', () => {
  it('moves a mute that starts inside the previous word (timestamps 50 ms early) into the gap before the target', () => {
    const x = threeWords();
    // Recogniser timings on a coarse grid, contiguous as Whisper's are, the middle word reported early.
    const words = [
      { word: 'first', start: 0, end: 0.48 },
      { word: 'middle', start: 0.48, end: 0.88 },
      { word: 'last', start: 0.88, end: 1.4 },
    ];
    const ranges = findWordRanges(words, 'middle', { durationSeconds: x.length / RATE });
    assert.equal(ranges.length, 1);
    assert.equal(ranges[0]!.earliestStart, 0.48);
    assert.equal(ranges[0]!.latestEnd, 0.88);
    const naive = bleep(x, ranges);
    assert.ok(maxChange(x, naive, 0.485, 0.5) > 0.1, 'the naive mute bleeps over the end of "first"');

    const [snapped] = snapRangesToQuiet(arraySampleSource(x), RATE, ranges);
    assert.ok(snapped, 'one range in, one out');
    assert.ok(snapped.start >= 0.5 && snapped.start <= 0.53, `starts in the gap: ${snapped.start.toFixed(3)} s`);
    // It never grows into the next word's timing, even where that timing is wrong.
    assert.ok(snapped.end <= 0.88, `ends by "last"'s timing: ${snapped.end.toFixed(3)} s`);
    const refined = bleep(x, [snapped]);
    assert.equal(maxChange(x, refined, 0, 0.5), 0, '"first" is untouched');
    assert.ok(toneFraction(refined, RATE, 1000, at(0.54), at(0.86)) > 0.95, 'the target is a 1 kHz tone');
    assert.equal(snapped.firstWordIndex, 1, 'the word indices ride along');
  });

  it('pulls back a mute that ends inside the next word (timestamps 50 ms late) to the gap after the target', () => {
    const x = threeWords();
    const words = [
      { word: 'first', start: 0, end: 0.52 },
      { word: 'middle', start: 0.52, end: 0.95 },
      { word: 'last', start: 0.95, end: 1.4 },
    ];
    const ranges = findWordRanges(words, 'middle');
    const naive = bleep(x, ranges);
    assert.ok(maxChange(x, naive, 0.93, 0.945) > 0.1, 'the naive mute bleeps over the start of "last"');

    const [snapped] = snapRangesToQuiet(arraySampleSource(x), RATE, ranges);
    assert.ok(snapped && snapped.end >= 0.9 && snapped.end <= 0.93, `ends in the gap: ${snapped?.end.toFixed(3)} s`);
    assert.ok(snapped.start >= 0.52 && snapped.start <= 0.53, `starts in the gap: ${snapped.start.toFixed(3)} s`);
    const refined = bleep(x, [snapped]);
    assert.equal(maxChange(x, refined, 0.93, 1.5), 0, '"last" is untouched');
    assert.equal(maxChange(x, refined, 0, 0.52), 0, '"first" is untouched');
    assert.ok(toneFraction(refined, RATE, 1000, at(0.55), at(0.895)) > 0.95, 'the target is a 1 kHz tone to its end');
  });

  it('leaves edges where they are in steady sound, and never crosses the limits it is given', () => {
    const steady = sine(200, RATE, 1);
    const [still] = snapRangesToQuiet(arraySampleSource(steady), RATE, [{ start: 0.4, end: 0.6 }]);
    assert.ok(still && Math.abs(still.start - 0.4) < 0.002 && Math.abs(still.end - 0.6) < 0.002, JSON.stringify(still));

    // Silence sits just before the allowed start and just after the allowed end: the edges stop at the limits.
    const x = concat(roomTone(RATE, 0.3, -80), sine(200, RATE, 0.4), roomTone(RATE, 0.3, -80));
    const [bounded] = snapRangesToQuiet(arraySampleSource(x), RATE, [
      { start: 0.33, end: 0.67, earliestStart: 0.32, latestEnd: 0.69 },
    ]);
    assert.ok(bounded && bounded.start >= 0.32 && bounded.end <= 0.69, JSON.stringify(bounded));
    // Unbounded, the same edges find the silence on either side.
    const [free] = snapRangesToQuiet(arraySampleSource(x), RATE, [{ start: 0.33, end: 0.67 }]);
    assert.ok(free && free.start < 0.3 && free.end > 0.7, JSON.stringify(free));
  });

  it('rejects a negative window', () => {
    assert.throws(
      () =>
        snapRangesToQuiet(arraySampleSource(sine(200, RATE, 1)), RATE, [{ start: 0.1, end: 0.2 }], { windowMs: -1 }),
      /windowMs must not be negative/,
    );
  });
});
