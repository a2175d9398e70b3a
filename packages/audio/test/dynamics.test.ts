import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { analyzeAudio, integratedLoudness, normalizeLoudness, truePeakDbtp, type NormalizeResult } from '../src/index';
import { nextCompensationGainDb } from '../src/dynamics';
import { dbToAmp, noise, rng, sine, speechLike } from './support/signals';

const FS = 48000;

function assertFinite(samples: Float32Array): void {
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i] ?? 0)) assert.fail(`non-finite sample at ${i}`);
  }
}

/** Checks the contract on the output itself, with independent measurements. */
function assertNormalized(result: NormalizeResult, targetLufs: number, ceilingDbtp: number): void {
  assertFinite(result.samples);
  const measuredPeak = truePeakDbtp(result.samples, FS);
  const measuredLoudness = integratedLoudness(result.samples, FS);
  assert.ok(measuredPeak <= ceilingDbtp, `true peak ${measuredPeak.toFixed(3)} dBTP above ${ceilingDbtp}`);
  assert.ok(
    Math.abs(measuredLoudness - targetLufs) <= 0.5,
    `loudness ${measuredLoudness.toFixed(2)} LUFS, target ${targetLufs}`,
  );
  assert.equal(result.truePeakDbtp, measuredPeak);
  assert.equal(result.integratedLufs, measuredLoudness);
}

/** Speech plus clicks 12 dB above its highest peak: single-sample impulses and short noise bursts. */
function speechWithSpikes(seconds: number): Float32Array {
  const x = speechLike(FS, seconds, 5);
  const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const spike = peak * dbToAmp(12);
  const rand = rng(11);
  for (let second = 1; second < seconds - 1; second += 2) {
    const at = second * FS + Math.floor(rand() * FS * 0.5);
    if (second % 4 === 1) x[at] = spike;
    else for (let j = 0; j < 96; j++) x[at + j] = (x[at + j] ?? 0) + spike * (rand() * 2 - 1) * Math.exp(-j / 20);
  }
  return x;
}

describe('normalizeLoudness', () => {
  it('reaches -16 LUFS with true peak <= -1 dBTP on speech-like material that needs limiting', () => {
    const input = speechLike(FS, 20, 3);
    const result = normalizeLoudness(input, FS, { targetLufs: -16, truePeakCeilingDbtp: -1 });
    assertNormalized(result, -16, -1);
    // Without the limiter the gain alone would push peaks well past the ceiling.
    assert.ok(truePeakDbtp(input, FS) + result.gainDb > 2);
    assert.ok(result.limitedDb > 1);
  });

  it('holds the ceiling on +12 dB spikes without pulling the programme loudness down', () => {
    const input = speechWithSpikes(20);
    const result = normalizeLoudness(input, FS, { targetLufs: -16, truePeakCeilingDbtp: -1 });
    assertNormalized(result, -16, -1);
    assert.ok(result.limitedDb > 12, `limitedDb ${result.limitedDb}`);
  });

  it('meets other targets and ceilings (EBU R128 -23/-1, mono podcast -19/-2, social -14/-1)', () => {
    const input = speechLike(FS, 12, 8);
    for (const [targetLufs, truePeakCeilingDbtp] of [
      [-23, -1],
      [-19, -2],
      [-14, -1],
    ] as const) {
      assertNormalized(
        normalizeLoudness(input, FS, { targetLufs, truePeakCeilingDbtp }),
        targetLufs,
        truePeakCeilingDbtp,
      );
    }
  });

  it('applies a pure static gain when the peaks have headroom', () => {
    const input = sine(440, FS, 5, 0.05);
    const result = normalizeLoudness(input, FS, { targetLufs: -23, truePeakCeilingDbtp: -1 });
    assert.equal(result.limitedDb, 0);
    const expectedGain = -23 - integratedLoudness(input, FS);
    assert.ok(Math.abs(result.gainDb - expectedGain) < 1e-9);
    const factor = dbToAmp(expectedGain);
    for (const i of [0, 123, 4567, 200000]) {
      assert.ok(Math.abs((result.samples[i] ?? 0) - (input[i] ?? 0) * factor) < 1e-6);
    }
    assert.ok(Math.abs(result.integratedLufs + 23) < 0.01);
  });

  it('keeps the ceiling even when the target is unreachable (already-clipped square wave)', () => {
    const square = sine(200, FS, 10, 1).map((v) => (v >= 0 ? 1 : -1));
    const result = normalizeLoudness(square, FS, { targetLufs: -5, truePeakCeilingDbtp: -1 });
    assertFinite(result.samples);
    assert.ok(truePeakDbtp(result.samples, FS) <= -1);
  });

  it('returns silence unchanged, and never emits NaN for non-finite input samples', () => {
    const silent = normalizeLoudness(new Float32Array(FS), FS, { targetLufs: -16, truePeakCeilingDbtp: -1 });
    assert.equal(silent.gainDb, 0);
    assert.equal(silent.integratedLufs, -Infinity);
    assert.ok(silent.samples.every((v) => v === 0));

    const input = speechLike(FS, 5, 2);
    input[1000] = Number.NaN;
    input[2000] = Number.POSITIVE_INFINITY;
    const result = normalizeLoudness(input, FS, { targetLufs: -16, truePeakCeilingDbtp: -1 });
    assertFinite(result.samples);
    assert.ok(Number.isNaN(input[1000] ?? 0), 'input must not be modified');
    assert.ok(result.truePeakDbtp <= -1);
  });

  it('does not modify its input', () => {
    const input = speechLike(FS, 3, 4);
    const copy = input.slice();
    normalizeLoudness(input, FS, { targetLufs: -14, truePeakCeilingDbtp: -1 });
    assert.deepEqual(input, copy);
  });
});

describe('analyzeAudio', () => {
  it('reports duration, peak, RMS and loudness of a sine', () => {
    const a = analyzeAudio(sine(1000, FS, 2, 0.5), FS);
    assert.equal(a.durationMs, 2000);
    assert.ok(Math.abs(a.peakDbfs - 20 * Math.log10(0.5)) < 0.01);
    assert.ok(Math.abs(a.rmsDbfs - (20 * Math.log10(0.5) - 3.0103)) < 0.01);
    assert.ok(Math.abs(a.integratedLufs - (20 * Math.log10(0.5) - 3.0103)) < 0.1);
    assert.ok(a.truePeakDbtp >= a.peakDbfs && a.truePeakDbtp - a.peakDbfs < 0.1);
    assert.equal(a.clippedSampleRatio, 0);
    assert.equal(a.silent, false);
  });

  it('measures the fraction of clipped samples', () => {
    const x = sine(100, FS, 1, 2).map((v) => Math.max(-1, Math.min(1, v)));
    const a = analyzeAudio(x, FS);
    // |2 sin| >= 0.999 for all phases with |sin| >= 0.4995, i.e. 2/3 of the cycle.
    assert.ok(Math.abs(a.clippedSampleRatio - 2 / 3) < 0.01, `ratio ${a.clippedSampleRatio}`);
  });

  it('flags silence, near-silence and empty input as silent', () => {
    for (const x of [new Float32Array(FS), noise(FS, 2, dbToAmp(-66)), new Float32Array(0)]) {
      const a = analyzeAudio(x, FS);
      assert.equal(a.silent, true);
    }
    const empty = analyzeAudio(new Float32Array(0), FS);
    assert.equal(empty.durationMs, 0);
    assert.equal(empty.peakDbfs, -Infinity);
    assert.equal(empty.clippedSampleRatio, 0);
    assert.equal(analyzeAudio(speechLike(FS, 3, 1), FS).silent, false);
  });
});

describe('nextCompensationGainDb', () => {
  const target = -16;
  /** Loudness after limiting when the loss grows with the square of the gain above the onset. */
  const quadraticLoss = (inputLufs: number, onset: number, a: number) => (gainDb: number) =>
    inputLufs + gainDb - a * Math.max(0, gainDb - onset) ** 2;

  it('with the limiter onset, its first correction lands on the target when the loss is quadratic above it', () => {
    for (const a of [0.02, 0.03, 0.04]) {
      const loudness = quadraticLoss(-32, 10, a);
      const first = { gainDb: 16, lufs: loudness(16) };
      const next = nextCompensationGainDb(target, first, undefined, 10);
      assert.ok(next !== undefined && next > 16);
      assert.ok(Math.abs(loudness(next) - target) < 1e-9, `a=${a}: ${loudness(next)} LUFS`);
      // Without the onset it assumes slope 1: short of the target, outside the tolerance.
      const slopeOne = nextCompensationGainDb(target, first, undefined);
      assert.ok(slopeOne !== undefined && target - loudness(slopeOne) > 0.1);
    }
  });

  it('falls back to the model slope when the model has no solution, and to the secant after the first step', () => {
    // Loss 3 LU only 2 dB above the onset: u = 1.5 > 1/4, so the step is shortfall / max(0.25, 1 - 2u), bounded.
    assert.equal(nextCompensationGainDb(target, { gainDb: 12, lufs: -19 }, undefined, 10), 12 + 6);
    assert.equal(nextCompensationGainDb(target, { gainDb: 12, lufs: -17 }, undefined, 11.5), 12 + 1 / 0.25);
    // Over the target (gating), and later steps: as before.
    assert.equal(nextCompensationGainDb(target, { gainDb: 12, lufs: -15.5 }, undefined, 10), 11.5);
    const secant = nextCompensationGainDb(target, { gainDb: 14, lufs: -16.5 }, { gainDb: 12, lufs: -17.5 }, 10);
    assert.equal(secant, 15);
    assert.equal(nextCompensationGainDb(target, { gainDb: 12, lufs: -16.05 }, undefined, 10), undefined);
  });
});
