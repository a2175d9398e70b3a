import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { synthesizeSpeech } from '@voice/testkit';
import { SpeechRequestError } from '../src';
import { dictionarySpelling, pocketsphinxAlign } from '../src/align';

const RATE = 16000;
const GAP_SECONDS = 0.5;

/** Index of the first and one past the last sample louder than -50 dBFS. */
function soundEdges(x: Float32Array): [number, number] {
  const floor = 10 ** (-50 / 20);
  let a = 0;
  let b = x.length;
  while (a < b && Math.abs(x[a]!) < floor) a++;
  while (b > a && Math.abs(x[b - 1]!) < floor) b--;
  return [a, b];
}

describe('pocketsphinxAlign', () => {
  it('puts the words on either side of a pause at the pause, to within a few frames', async () => {
    const first = (await synthesizeSpeech('the quick brown', { voice: 'slt', sampleRate: RATE })).samples;
    const second = (await synthesizeSpeech('fox jumps over', { voice: 'slt', sampleRate: RATE })).samples;
    const [, firstEnd] = soundEdges(first);
    const [secondStart] = soundEdges(second);
    const audio = new Float32Array(firstEnd + Math.round(GAP_SECONDS * RATE) + second.length - secondStart);
    audio.set(first.subarray(0, firstEnd));
    audio.set(second.subarray(secondStart), firstEnd + Math.round(GAP_SECONDS * RATE));
    const pauseStart = firstEnd / RATE;
    const pauseEnd = pauseStart + GAP_SECONDS;

    const words = ['The', 'quick', 'brown,', 'fox', 'jumps', 'over.'];
    const aligned = await pocketsphinxAlign(audio, words);
    assert.deepEqual(
      aligned.map((w) => w.word),
      words,
      'one entry per word, in order, spelt as given',
    );
    const brown = aligned[2]!;
    const fox = aligned[3]!;
    assert.ok(Math.abs(brown.end - pauseStart) <= 0.04, `"brown" ends at ${brown.end} s, the pause at ${pauseStart} s`);
    assert.ok(Math.abs(fox.start - pauseEnd) <= 0.04, `"fox" starts at ${fox.start} s, the pause ends ${pauseEnd} s`);
    for (let i = 1; i < aligned.length; i++)
      assert.ok(aligned[i]!.start >= aligned[i - 1]!.end, 'words do not overlap');
  });

  it('names a word outside its dictionary instead of aligning around it', async () => {
    const { samples } = await synthesizeSpeech('the quick brown fox', { voice: 'slt', sampleRate: RATE });
    await assert.rejects(
      pocketsphinxAlign(samples, ['the', 'quick', 'brwnzq', 'fox']),
      (e: unknown) => e instanceof SpeechRequestError && /brwnzq/.test(e.message),
    );
  });

  it('spells transcript tokens the way the dictionary does', () => {
    assert.equal(dictionarySpelling(' Don\u2019t,'), "don't");
    assert.equal(dictionarySpelling('"Hello!"'), 'hello');
    assert.equal(dictionarySpelling('—'), '');
  });
});
