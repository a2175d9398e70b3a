import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VoiceDspError, findWordRanges } from '../src/index';

const words = [
  { word: 'Well,', start: 0.1, end: 0.4 },
  { word: 'damn', start: 0.45, end: 0.8 },
  { word: 'it', start: 0.82, end: 0.95 },
  { word: '—', start: 0.95, end: 0.95 },
  { word: 'DAMN!', start: 1.5, end: 1.9 },
  { word: 'that', start: 2.1, end: 2.3 },
  { word: 'New', start: 2.5, end: 2.7 },
  { word: 'York', start: 2.7, end: 3.0 },
  { word: "don't", start: 3.1, end: 3.4 },
];

const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

describe('findWordRanges', () => {
  it('finds every occurrence regardless of case and punctuation, padded but not into neighbours', () => {
    const ranges = findWordRanges(words, 'Damn', { padMs: 30 });
    assert.equal(ranges.length, 2);
    // "Well," ends 50 ms before: the 30 ms pad fits. "it" starts 20 ms after: the pad stops there.
    assert.ok(near(ranges[0]!.start, 0.42) && near(ranges[0]!.end, 0.82), JSON.stringify(ranges[0]));
    // The punctuation-only token is skipped, so "it" is the previous neighbour of the second match.
    assert.ok(near(ranges[1]!.start, 1.47) && near(ranges[1]!.end, 1.93), JSON.stringify(ranges[1]));
    assert.deepEqual(
      ranges.map((r) => [r.firstWordIndex, r.lastWordIndex]),
      [
        [1, 1],
        [4, 4],
      ],
    );
  });

  it('matches multi-word phrases and contractions', () => {
    const phrase = findWordRanges(words, 'new york', { padMs: 30 });
    assert.equal(phrase.length, 1);
    assert.ok(near(phrase[0]!.start, 2.47) && near(phrase[0]!.end, 3.03));
    assert.equal(findWordRanges(words, 'dont').length, 1);
    assert.equal(findWordRanges(words, 'york new').length, 0);
    assert.equal(findWordRanges(words, 'damn it').length, 1);
  });

  it('splits overlapping neighbour timings at the midpoint and clamps to the clip', () => {
    const overlapping = [
      { word: 'a', start: 0.0, end: 0.52 },
      { word: 'bad', start: 0.5, end: 0.9 },
      { word: 'word', start: 0.88, end: 1.2 },
    ];
    const [r] = findWordRanges(overlapping, 'bad', { padMs: 30 });
    assert.ok(r && near(r.start, 0.51) && near(r.end, 0.89), JSON.stringify(r));
    const [first] = findWordRanges([{ word: 'bad', start: 0.01, end: 0.5 }], 'bad', {
      padMs: 30,
      durationSeconds: 0.51,
    });
    assert.ok(first && near(first.start, 0) && near(first.end, 0.51));
  });

  it('rejects a target with nothing to match and malformed timings', () => {
    assert.throws(
      () => findWordRanges(words, ' ?! '),
      (e: unknown) => e instanceof VoiceDspError && e.code === 'INVALID_ARGUMENT',
    );
    assert.throws(() => findWordRanges([{ word: 'x', start: 2, end: 1 }], 'x'), /ends before it starts/);
  });
});
