import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { synthesizeSpeech } from '@voice/testkit';

import { estimateBackground } from '../src/index';

const RATE = 16000;

function correlation(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

function tone(hz: number, n: number, amplitude: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
}

describe('estimateBackground', () => {
  let speech: Float32Array;
  before(async () => {
    speech = (
      await synthesizeSpeech('The quick brown fox jumps over the lazy dog near the river bank.', {
        sampleRate: RATE,
      })
    ).samples;
  });

  it('recovers the tone from (speech + tone) − speech', () => {
    const background = tone(220, speech.length, 0.05);
    const original = speech.map((v, i) => v + background[i]!);
    const estimate = estimateBackground(original, speech);
    assert.equal(estimate.samples.length, original.length);
    assert.equal(estimate.lagSamples, 0);
    const r = correlation(estimate.samples, background);
    assert.ok(r > 0.99, `correlation ${r}`);
  });

  it('compensates an enhancer that delays and attenuates the speech', () => {
    const delay = 112; // 7 ms at 16 kHz, a typical look-ahead latency
    const background = tone(330, speech.length, 0.03);
    const original = speech.map((v, i) => v + background[i]!);
    const enhanced = new Float32Array(speech.length + delay);
    for (let i = 0; i < speech.length; i++) enhanced[i + delay] = 0.8 * speech[i]!;

    const estimate = estimateBackground(original, enhanced);
    assert.equal(estimate.lagSamples, delay);
    assert.ok(Math.abs(estimate.gain - 1.25) < 0.02, `gain ${estimate.gain}`);
    const r = correlation(estimate.samples, background);
    assert.ok(r > 0.99, `correlation ${r}`);

    // Without the compensation the speech would leak through: the naive difference is mostly speech.
    const naive = original.map((v, i) => v - enhanced[i]!);
    assert.ok(correlation(naive, background) < 0.5);
  });
});
