import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  characterErrorRate,
  judgeIntelligibility,
  pitchShift,
  splitSentences,
  timeStretch,
  toSrt,
  toVtt,
  wordErrorRate,
} from '../src';

describe('splitSentences', () => {
  it('splits at sentence punctuation but not after abbreviations, initials or decimals', () => {
    assert.deepEqual(
      splitSentences('Dr. Smith paid 3.50 dollars. J. Doe agreed! Did he? Yes…  And then\n\nA new paragraph'),
      ['Dr. Smith paid 3.50 dollars.', 'J. Doe agreed!', 'Did he?', 'Yes…', 'And then', 'A new paragraph'],
    );
  });

  it('cuts a run-on sentence longer than 400 characters at commas', () => {
    const clause = 'this clause keeps going without a full stop';
    const pieces = splitSentences(Array.from({ length: 30 }, () => clause).join(', ') + '.');
    assert.ok(pieces.length >= 4, `got ${pieces.length} pieces`);
    assert.ok(pieces.every((p) => p.length <= 400));
    assert.equal(pieces.join(' ').replace(/,/g, ''), `${Array.from({ length: 30 }, () => clause).join(' ')}.`);
  });

  it('drops pieces with nothing speakable', () => {
    assert.deepEqual(splitSentences('... !!! Hello.'), ['Hello.']);
  });
});

describe('wordErrorRate', () => {
  it('counts substitutions, insertions and deletions after normalising case and punctuation', () => {
    assert.equal(wordErrorRate('The quick, brown fox!', 'the QUICK brown fox'), 0);
    assert.equal(wordErrorRate('a b c d', 'a x c d'), 0.25);
    assert.equal(wordErrorRate('a b c d', 'a b c d e f'), 0.5);
    assert.equal(wordErrorRate('a b c d', 'b c'), 0.5);
    assert.equal(wordErrorRate("don't stop", 'dont stop'), 0.5);
  });
});

describe('characterErrorRate', () => {
  it('counts letter edits over the normalised words, spaces included', () => {
    assert.equal(characterErrorRate('The quick, brown fox!', 'the QUICK brown fox'), 0);
    // "sunny madrid" (12 characters) against "sonny midrid": two substitutions.
    assert.equal(characterErrorRate('Sunny Madrid.', 'Sonny Midrid'), 2 / 12);
    assert.equal(characterErrorRate('abcd', 'abcdxx'), 0.5);
    assert.equal(characterErrorRate('', ''), 0);
    assert.equal(characterErrorRate('', 'noise'), 1);
  });
});

describe('judgeIntelligibility (the TTS quality gate)', () => {
  // What Whisper base heard of fine renders of short sentences (flite, espeak-ng, Piper), measured: each is over
  // the word-rate limit alone, which used to fail the job although the speech says the text.
  const misheard: Array<[string, string]> = [
    ['Good morning from sunny Madrid.', 'Good morning from Sonny Midrid.'],
    ['Good morning from sunny Madrid.', 'Good morning from Sunimidra.'],
    ['Meet me by the old bridge.', 'meet me by your leverage.'],
    ['The weather is nice today.', 'But whatever is ice today...'],
    ['Click the link below now.', 'Click the link below the house.'],
  ];
  it('passes a fine render that the recogniser mishears in a word or two', () => {
    for (const [expected, heard] of misheard) {
      const verdict = judgeIntelligibility(expected, heard);
      assert.ok(verdict.wordErrorRate > 0.35, `${heard}: the word rate alone would have failed it`);
      assert.equal(verdict.matches, true, `${expected} heard as ${heard}: ${JSON.stringify(verdict)}`);
    }
  });

  it('fails silence, other speech, the wrong script, a hallucinated tail and a render cut in half', () => {
    const broken: Array<[string, string]> = [
      ['Let us begin the lesson.', ''],
      ['The weather is nice today.', 'Please subscribe for more videos.'],
      ['Let us begin the lesson.', 'แล้วเธอสิบยิน แล้วสิน'],
      ['I love this little town.', 'I love this little town and then we went home for dinner.'],
      ['Turn left at the next light.', 'Turn left at'],
      ['Meet me by the old bridge.', 'Meet me by'],
    ];
    for (const [expected, heard] of broken) {
      const verdict = judgeIntelligibility(expected, heard);
      assert.equal(verdict.matches, false, `${expected} heard as ${JSON.stringify(heard)}: ${JSON.stringify(verdict)}`);
    }
  });

  it('passes an exact transcript and reports both rates', () => {
    assert.deepEqual(judgeIntelligibility('Hello there.', 'hello there'), {
      matches: true,
      wordErrorRate: 0,
      characterErrorRate: 0,
    });
  });
});

describe('subtitle export', () => {
  const result = {
    words: [
      { word: 'Hello', start: 0.5, end: 0.9 },
      { word: 'world.', start: 1.0, end: 1.4 },
      { word: 'Again', start: 3661.25, end: 3661.75 },
    ],
    segments: [],
  };

  it('writes numbered SRT cues with comma milliseconds and breaks at long pauses', () => {
    assert.equal(
      toSrt(result),
      '1\n00:00:00,500 --> 00:00:01,400\nHello world.\n\n2\n01:01:01,250 --> 01:01:01,750\nAgain\n',
    );
  });

  it('writes a WEBVTT header and dot milliseconds', () => {
    assert.equal(
      toVtt(result),
      'WEBVTT\n\n00:00:00.500 --> 00:00:01.400\nHello world.\n\n01:01:01.250 --> 01:01:01.750\nAgain\n',
    );
  });
});

/** Dominant period by autocorrelation over 60–400 Hz, for pitch checks on a pure tone. */
function fundamentalHz(x: Float32Array, rate: number): number {
  let best = 0;
  let bestLag = 0;
  for (let lag = Math.floor(rate / 400); lag <= Math.ceil(rate / 60); lag++) {
    let s = 0;
    for (let i = 0; i + lag < x.length; i++) s += (x[i] ?? 0) * (x[i + lag] ?? 0);
    if (s > best) {
      best = s;
      bestLag = lag;
    }
  }
  return rate / bestLag;
}

describe('DSP', () => {
  const rate = 16000;
  const tone = Float32Array.from({ length: rate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 150 * i) / rate));

  it('time-stretches to length / rate and keeps the pitch', () => {
    const fast = timeStretch(tone, rate, 1.5);
    assert.ok(Math.abs(fast.length - rate / 1.5) <= 1);
    assert.ok(Math.abs(fundamentalHz(fast.subarray(2000, 8000), rate) - 150) < 5);
  });

  it('shifts pitch by the factor and keeps the length', () => {
    const up = pitchShift(tone, rate, 1.25);
    assert.equal(up.length, tone.length);
    const f0 = fundamentalHz(up.subarray(2000, 12000), rate);
    assert.ok(Math.abs(f0 - 187.5) < 6, `f0 ${f0}`);
  });
});
