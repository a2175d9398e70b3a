import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AudioMeter, analyzeAudio, type AudioAnalysis } from '../src/index';
import { concat, dbToAmp, noise, speechLike } from './support/signals';

const RATE = 48000;

/** Speech-like material with isolated spikes (true peaks between samples) and a stretch of silence. */
function speechWithSpikes(sampleRate: number, seconds: number): Float32Array {
  const speech = concat(
    speechLike(sampleRate, seconds / 2, 3),
    new Float32Array(sampleRate),
    speechLike(sampleRate, seconds / 2 - 1, 4),
  );
  for (let k = 1; k <= 5; k++) {
    const at = Math.floor((speech.length * k) / 6);
    // Alternating full-scale pairs overshoot between samples: a true-peak case.
    speech[at] = 0.97;
    speech[at + 1] = -0.97;
  }
  speech[100] = 1; // clipped sample
  return speech;
}

function meterInBlocks(samples: Float32Array, sampleRate: number, blockSize: number): AudioAnalysis {
  const meter = new AudioMeter(sampleRate);
  for (let i = 0; i < samples.length; i += blockSize) meter.push(samples.subarray(i, i + blockSize));
  return meter.result();
}

function assertAgrees(actual: AudioAnalysis, expected: AudioAnalysis, what: string): void {
  const close = (a: number, e: number, tol: number, field: string): void => {
    if (a === e) return; // covers -Infinity
    assert.ok(Math.abs(a - e) <= tol, `${what} ${field}: ${a} vs ${e}`);
  };
  close(actual.durationMs, expected.durationMs, 1e-9, 'durationMs');
  close(actual.peakDbfs, expected.peakDbfs, 1e-9, 'peakDbfs');
  close(actual.truePeakDbtp, expected.truePeakDbtp, 0.01, 'truePeakDbtp');
  close(actual.integratedLufs, expected.integratedLufs, 0.01, 'integratedLufs');
  close(actual.rmsDbfs, expected.rmsDbfs, 0.01, 'rmsDbfs');
  close(actual.clippedSampleRatio, expected.clippedSampleRatio, 1e-12, 'clippedSampleRatio');
  assert.equal(actual.silent, expected.silent, `${what} silent`);
}

describe('AudioMeter (block-wise analyzeAudio)', () => {
  const signal = speechWithSpikes(RATE, 12);
  const whole = analyzeAudio(signal, RATE);

  for (const blockSize of [1, 777, 4096, 48000, signal.length]) {
    it(`matches analyzeAudio on speech with spikes when fed ${blockSize}-sample blocks`, () => {
      const streamed = meterInBlocks(signal, RATE, blockSize);
      assertAgrees(streamed, whole, `block ${blockSize}`);
      // Same filters, boundaries and summation order: in practice the figures are identical.
      assert.equal(streamed.integratedLufs, whole.integratedLufs);
      assert.equal(streamed.truePeakDbtp, whole.truePeakDbtp);
    });
  }

  it('sees the inter-sample overshoot of the spikes (true peak above sample peak)', () => {
    const streamed = meterInBlocks(signal, RATE, 777);
    assert.ok(streamed.truePeakDbtp > streamed.peakDbfs + 0.5, `${streamed.truePeakDbtp} vs ${streamed.peakDbfs}`);
    assert.ok(streamed.clippedSampleRatio > 0);
  });

  it('agrees at 11025 Hz, where the 100 ms hop is a fractional 1102.5 samples', () => {
    const s = concat(speechLike(11025, 7.3, 9), noise(11025, 1.1, 0.05));
    assertAgrees(meterInBlocks(s, 11025, 1000), analyzeAudio(s, 11025), '11025 Hz');
  });

  it('agrees on clips shorter than one 400 ms gating block, on silence and on empty input', () => {
    const short = speechLike(RATE, 0.25, 5);
    assertAgrees(meterInBlocks(short, RATE, 333), analyzeAudio(short, RATE), 'short');
    const quiet = noise(RATE, 2, dbToAmp(-90));
    const quietResult = meterInBlocks(quiet, RATE, 4800);
    assertAgrees(quietResult, analyzeAudio(quiet, RATE), 'quiet');
    assert.equal(quietResult.silent, true);
    const empty = new AudioMeter(RATE).result();
    assertAgrees(empty, analyzeAudio(new Float32Array(0), RATE), 'empty');
  });

  it('reports running loudness and refuses pushes after result()', () => {
    const meter = new AudioMeter(RATE);
    meter.push(signal.subarray(0, RATE * 6));
    assert.ok(Number.isFinite(meter.integratedLufs()));
    meter.result();
    assert.throws(() => meter.push(signal.subarray(0, 10)), /after result/);
  });
});
