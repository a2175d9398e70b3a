import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { integratedLoudness, samplePeakDbfs, truePeakDbtp } from '../src/index';
import { kWeightingFilters } from '../src/loudness';
import { concat, dbToAmp, fade, noise, sine } from './support/signals';

/**
 * BS.1770 sums channel powers, so EBU Tech 3341's stereo tones read 3.01 dB lower as mono:
 * a 1 kHz sine at -23 dBFS (peak) on one channel is -23 - 10*log10(2) = -26.01 LUFS. The K-weighting
 * gain at 1 kHz (+0.69 dB) and the -0.691 constant cancel by design.
 */
const MONO_OFFSET = -10 * Math.log10(2);

const near = (actual: number, expected: number, tolerance: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(3)} vs ${expected.toFixed(3)}`);

describe('integratedLoudness (ITU-R BS.1770-4)', () => {
  it('derives the K-weighting coefficients printed in BS.1770-4 for 48 kHz', () => {
    const [shelf, highPass] = kWeightingFilters(48000);
    const table = [
      [shelf.b0, 1.53512485958697],
      [shelf.b1, -2.69169618940638],
      [shelf.b2, 1.19839281085285],
      [shelf.a1, -1.69065929318241],
      [shelf.a2, 0.73248077421585],
      [highPass.a1, -1.99004745483398],
      [highPass.a2, 0.99007225036621],
    ];
    for (const [actual, expected] of table) near(actual ?? 0, expected ?? 0, 1e-8, 'coefficient');
  });

  for (const rate of [48000, 44100, 16000]) {
    it(`reads a -23 dBFS 1 kHz mono sine at ${rate} Hz as -26.01 LUFS (EBU 3341 case 1, mono)`, () => {
      near(integratedLoudness(sine(1000, rate, 20, dbToAmp(-23)), rate), -23 + MONO_OFFSET, 0.1, `${rate} Hz`);
    });
  }

  it('is linear in level: -33 dBFS reads 10 LU lower (EBU 3341 case 2, mono)', () => {
    near(integratedLoudness(sine(1000, 48000, 20, dbToAmp(-33)), 48000), -33 + MONO_OFFSET, 0.1, '-33 dBFS');
  });

  it('gates out parts more than 10 LU below the programme (EBU 3341 case 3, mono)', () => {
    const fs = 48000;
    const x = concat(
      sine(1000, fs, 10, dbToAmp(-36)),
      sine(1000, fs, 60, dbToAmp(-23)),
      sine(1000, fs, 10, dbToAmp(-36)),
    );
    near(integratedLoudness(x, fs), -23 + MONO_OFFSET, 0.1, 'relative gate');
  });

  it('averages power, not dB, across parts within the gate (EBU 3341 case 5, mono)', () => {
    const fs = 48000;
    const x = concat(
      sine(1000, fs, 20, dbToAmp(-26)),
      sine(1000, fs, 20.1, dbToAmp(-20)),
      sine(1000, fs, 20, dbToAmp(-26)),
    );
    near(integratedLoudness(x, fs), -23 + MONO_OFFSET, 0.1, 'power average');
  });

  it('ignores blocks below the -70 LUFS absolute gate and keeps 400 ms blocks on a 100 ms hop', () => {
    const fs = 48000;
    const tone = sine(1000, fs, 10, dbToAmp(-23));
    const withSilence = concat(new Float32Array(fs * 20), tone, sine(1000, fs, 20, dbToAmp(-80)));
    // The 10 s tone fills 97 blocks; on each side, 3 more blocks hold 1/4, 2/4 and 3/4 of it and
    // pass both gates. Everything else is below -70 LUFS. Mean power: (97 + 2 * 1.5) / 103.
    const expected = integratedLoudness(tone, fs) + 10 * Math.log10(100 / 103);
    near(integratedLoudness(withSilence, fs), expected, 0.01, 'absolute gate');
  });

  it('weights high frequencies up and low frequencies down (K-weighting)', () => {
    const fs = 48000;
    const at = (f: number): number => integratedLoudness(sine(f, fs, 5, 0.1), fs);
    assert.ok(at(4000) - at(1000) > 2, 'shelf should add ~3 dB at 4 kHz');
    assert.ok(at(30) - at(1000) < -1, 'RLB high-pass should attenuate 30 Hz');
  });

  it('returns -Infinity for digital silence and for signals entirely below the absolute gate', () => {
    assert.equal(integratedLoudness(new Float32Array(48000 * 2), 48000), -Infinity);
    assert.equal(integratedLoudness(noise(48000, 2, dbToAmp(-85)), 48000), -Infinity);
    assert.equal(integratedLoudness(new Float32Array(0), 48000), -Infinity);
  });

  it('measures clips shorter than one 400 ms block instead of returning -Infinity', () => {
    near(integratedLoudness(sine(1000, 48000, 0.3, dbToAmp(-23)), 48000), -23 + MONO_OFFSET, 0.2, 'short clip');
  });
});

describe('truePeakDbtp / samplePeakDbfs', () => {
  it('finds the inter-sample peak of a quarter-rate sine sampled 45 degrees off its crest', () => {
    // Samples land at +-0.707 of the true amplitude: sample peak -3.01 dB, true peak 0 dB.
    const x = fade(sine(12000, 48000, 0.5, 1, Math.PI / 4), 48000);
    near(samplePeakDbfs(x), -3.01, 0.01, 'sample peak');
    near(truePeakDbtp(x, 48000), 0, 0.2, 'true peak');
  });

  it('reads within 0.3 dB of the real amplitude for tones up to 18 kHz at any phase', () => {
    for (const f of [100, 997, 5000, 10000, 15000, 18000]) {
      for (const phase of [0, 0.3, 1.1, 2.2]) {
        const x = fade(sine(f, 48000, 0.2, 0.5, phase), 48000, 0.02);
        near(truePeakDbtp(x, 48000), 20 * Math.log10(0.5), 0.3, `${f} Hz`);
      }
    }
  });

  it('is never below the sample peak and is -Infinity for silence', () => {
    const x = noise(44100, 1, 0.2);
    assert.ok(truePeakDbtp(x, 44100) >= samplePeakDbfs(x));
    assert.equal(truePeakDbtp(new Float32Array(100), 44100), -Infinity);
    assert.equal(samplePeakDbfs(Float32Array.from([0.5, -1, 0.25])), 0);
  });
});
