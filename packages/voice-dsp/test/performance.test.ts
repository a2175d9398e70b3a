import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { measureRealTimeFactor } from '@voice/testkit';

import { analyzeVoice, pitchShift, timeStretch } from '../src/index';
import { SENTENCE_A, SENTENCE_B, concat, speech } from './support/signals';

describe('real-time factor on 60 s of speech (16 kHz, this machine)', () => {
  it('analyzeVoice, pitchShift and timeStretch each run far faster than real time', async () => {
    const a = (await speech(SENTENCE_A, 'rms')).samples;
    const b = (await speech(SENTENCE_B, 'slt')).samples;
    const parts: Float32Array[] = [];
    let length = 0;
    while (length < 60 * 16000) {
      const next = parts.length % 2 === 0 ? a : b;
      parts.push(next);
      length += next.length;
    }
    const minute = concat(...parts).subarray(0, 60 * 16000);
    const seconds = minute.length / 16000;
    const analyze = await measureRealTimeFactor(seconds, () => Promise.resolve(analyzeVoice(minute, 16000)));
    const shift = await measureRealTimeFactor(seconds, () => Promise.resolve(pitchShift(minute, 16000, 5)));
    const stretch = await measureRealTimeFactor(seconds, () => Promise.resolve(timeStretch(minute, 16000, 1.25)));
    const report = `RTF analyzeVoice ${analyze.realTimeFactor.toFixed(4)}, pitchShift ${shift.realTimeFactor.toFixed(4)}, timeStretch ${stretch.realTimeFactor.toFixed(4)}`;
    console.log(report);
    for (const rtf of [analyze.realTimeFactor, shift.realTimeFactor, stretch.realTimeFactor])
      assert.ok(rtf < 0.2, report);
  });
});
