import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { measureRealTimeFactor } from '@voice/testkit';

import { analyzeVoice, pitchShift, timeStretch } from '../src/index';
import { SENTENCE_A, SENTENCE_B, concat, speech } from './support/signals';

// Speed is measured by `npm run bench`, not asserted here (a timed bound only measures the machine's load): this
// runs each transform on a minute of speech, checks its output's shape and reports the real-time factors.
describe('a minute of speech (16 kHz) through each transform', () => {
  it('analyzeVoice, pitchShift and timeStretch handle 60 s; real-time factors as a diagnostic', async (t) => {
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
    t.diagnostic(report);
    assert.ok(analyze.result.pitch.medianHz > 50 && analyze.result.pitch.medianHz < 400, report);
    assert.equal(shift.result.length, minute.length);
    assert.ok(Math.abs(stretch.result.length / minute.length - 1.25) < 0.01, `stretched to ${stretch.result.length}`);
  });
});
