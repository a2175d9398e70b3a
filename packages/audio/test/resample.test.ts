import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { resample } from '../src/index';
import { fade, sine } from './support/signals';

/** Error energy relative to signal energy in dB, ignoring `margin` samples at each edge. */
function errorDb(actual: Float32Array, expected: Float32Array, margin: number): number {
  let err = 0;
  let sig = 0;
  for (let i = margin; i < expected.length - margin; i++) {
    err += ((actual[i] ?? 0) - (expected[i] ?? 0)) ** 2;
    sig += (expected[i] ?? 0) ** 2;
  }
  return 10 * Math.log10(err / sig);
}

const peakOf = (x: Float32Array, margin: number): number =>
  x.subarray(margin, x.length - margin).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('resample', () => {
  it('keeps a 1 kHz sine through 16k -> 48k -> 16k with error below -40 dB', () => {
    const x = sine(1000, 16000, 1, 0.5);
    const up = resample(x, 16000, 48000);
    assert.equal(up.length, 48000);
    // The upsampled signal must itself be the 48 kHz sine, not just invertible.
    assert.ok(errorDb(up, sine(1000, 48000, 1, 0.5), 1200) < -60);
    const back = resample(up, 48000, 16000);
    assert.equal(back.length, 16000);
    const db = errorDb(back, x, 400);
    assert.ok(db < -40, `round-trip error ${db.toFixed(1)} dB`);
  });

  it('converts between 44.1 kHz and 48 kHz preserving amplitude and frequency', () => {
    const x = sine(3000, 44100, 0.5, 0.7);
    const y = resample(x, 44100, 48000);
    assert.equal(y.length, 24000);
    assert.ok(errorDb(y, sine(3000, 48000, 0.5, 0.7), 1200) < -50);
  });

  it('removes content above the new Nyquist frequency instead of aliasing it', () => {
    // 12 kHz would alias to 4 kHz at 16 kHz if it were not filtered.
    const y = resample(fade(sine(12000, 48000, 0.5, 0.5), 48000), 48000, 16000);
    assert.ok(20 * Math.log10(peakOf(y, 400) / 0.5) < -60);
    // while a 6 kHz tone in the passband survives at full level
    const z = resample(sine(6000, 44100, 0.5, 0.5), 44100, 16000);
    assert.ok(Math.abs(20 * Math.log10(peakOf(z, 400) / 0.5)) < 0.2);
  });

  it('returns a copy for equal rates and an empty array for empty input', () => {
    const x = Float32Array.from([0.1, 0.2]);
    const y = resample(x, 16000, 16000);
    assert.deepEqual(Array.from(y), Array.from(x));
    assert.notEqual(y, x);
    assert.equal(resample(new Float32Array(0), 8000, 16000).length, 0);
    assert.throws(() => resample(x, 0, 16000), RangeError);
  });
});
