import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qualityProblems, type MeasuredAudio } from '../src';

const good: MeasuredAudio = {
  durationMs: 10_000,
  integratedLufs: -16.2,
  truePeakDbtp: -1.05,
  clippedSampleRatio: 0,
  silent: false,
};

describe('qualityProblems', () => {
  it('passes an output on target, of the expected length, under the ceiling', () => {
    assert.deepEqual(qualityProblems(good, 10_000, -16), []);
  });

  it('names every problem: silence, clipping, duration, loudness and true peak', () => {
    assert.deepEqual(qualityProblems({ ...good, silent: true }, 10_000, -16), ['output is silent']);
    assert.match(qualityProblems({ ...good, clippedSampleRatio: 0.01 }, 10_000, -16).join(), /clipped \(1\.000%/);
    assert.match(qualityProblems({ ...good, durationMs: 9_000 }, 10_000, -16).join(), /lasts 9000 ms but 10000/);
    assert.match(qualityProblems({ ...good, integratedLufs: -20 }, 10_000, -16).join(), /misses the -16 LUFS/);
    assert.match(qualityProblems({ ...good, truePeakDbtp: 0 }, 10_000, -16).join(), /exceeds -1 dBTP/);
  });

  it('allows 50 ms or 0.5% of duration slack, whichever is larger', () => {
    assert.deepEqual(qualityProblems({ ...good, durationMs: 10_049 }, 10_000, -16), []);
    assert.equal(qualityProblems({ ...good, durationMs: 10_051 }, 10_000, -16).length, 1);
    assert.deepEqual(qualityProblems({ ...good, durationMs: 602_900 }, 600_000, -16), []);
  });

  it('skips the duration check without an expected length, and loudness for peak-normalised output', () => {
    assert.deepEqual(qualityProblems({ ...good, durationMs: 1 }, undefined, -16), []);
    assert.deepEqual(qualityProblems({ ...good, integratedLufs: -30 }, 10_000, null), []);
  });
});
