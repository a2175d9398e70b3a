import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  VoiceDspError,
  analyzeVoice,
  convertVoiceToward,
  matchTimbre,
  pitchShift,
  timeStretch,
  voiceDistanceDetail,
} from '../src/index';
import { SENTENCE_A, SENTENCE_B, sawtooth, sine, speech } from './support/signals';

const pitchOf = (x: Float32Array, rate: number): number => analyzeVoice(x, rate).pitch.medianHz;

describe('pitchShift', () => {
  for (const rate of [16000, 48000]) {
    it(`moves a 200 Hz tone up an octave to 400 Hz ± 2 % at ${rate} Hz, same length`, () => {
      const x = sine(200, rate, 2);
      const y = pitchShift(x, rate, 12);
      assert.equal(y.length, x.length);
      const hz = pitchOf(y, rate);
      assert.ok(Math.abs(hz / 400 - 1) < 0.02, `${hz} Hz`);
    });
  }

  it('shifts down by a fifth and keeps the level', () => {
    const x = sawtooth(220, 16000, 2);
    const y = pitchShift(x, 16000, -7);
    const expected = 220 * Math.pow(2, -7 / 12);
    assert.ok(Math.abs(pitchOf(y, 16000) / expected - 1) < 0.02);
    const rms = (v: Float32Array): number => Math.sqrt(v.reduce((s, a) => s + a * a, 0) / v.length);
    assert.ok(Math.abs(20 * Math.log10(rms(y) / rms(x))) < 1.5);
  });

  it('rejects shifts beyond two octaves', () => {
    assert.throws(
      () => pitchShift(sine(200, 16000, 1), 16000, 30),
      (e: unknown) => e instanceof VoiceDspError,
    );
  });
});

describe('timeStretch', () => {
  for (const factor of [0.6, 1.5]) {
    it(`scales duration by ${factor} and keeps a 200 Hz pitch within 2 %`, () => {
      const x = sawtooth(200, 16000, 2);
      const y = timeStretch(x, 16000, factor);
      assert.equal(y.length, Math.round(x.length * factor));
      assert.ok(Math.abs(pitchOf(y, 16000) / 200 - 1) < 0.02);
    });
  }

  it('keeps the pitch of speech while changing its duration', async () => {
    const { samples, sampleRate } = await speech(SENTENCE_A, 'slt');
    const before = pitchOf(samples, sampleRate);
    const slower = timeStretch(samples, sampleRate, 1.3);
    assert.equal(slower.length, Math.round(samples.length * 1.3));
    const after = pitchOf(slower, sampleRate);
    assert.ok(Math.abs(12 * Math.log2(after / before)) < 0.35, `${before.toFixed(1)} → ${after.toFixed(1)} Hz`);
  });
});

describe('matchTimbre', () => {
  it('moves the long-term spectrum toward the target and limits each band to ±12 dB', async () => {
    const awb = await speech(SENTENCE_A, 'awb');
    const rms = await speech(SENTENCE_B, 'rms');
    const source = analyzeVoice(awb.samples, awb.sampleRate).spectral.bandEnergiesDb;
    const target = analyzeVoice(rms.samples, rms.sampleRate).spectral.bandEnergiesDb;
    const { samples, appliedDb } = matchTimbre(awb.samples, awb.sampleRate, target);
    assert.equal(samples.length, awb.samples.length);
    assert.ok(appliedDb.every((g) => Math.abs(g) <= 12));
    const after = analyzeVoice(samples, awb.sampleRate).spectral.bandEnergiesDb;
    const gap = (bands: number[]): number =>
      Math.sqrt(bands.reduce((s, v, i) => s + (v - target[i]!) ** 2, 0) / bands.length);
    assert.ok(gap(after) < gap(source) * 0.5, `band RMS gap ${gap(source).toFixed(2)} → ${gap(after).toFixed(2)} dB`);
  });
});

describe('convertVoiceToward', () => {
  it('brings awb (male) to slt (female) pitch and closer to slt by a clear margin, same duration', async () => {
    const awb = await speech(SENTENCE_A, 'awb');
    const slt = await speech(SENTENCE_B, 'slt');
    const source = analyzeVoice(awb.samples, awb.sampleRate);
    const target = analyzeVoice(slt.samples, slt.sampleRate);
    const result = convertVoiceToward(awb.samples, awb.sampleRate, source, target);
    assert.ok(Math.abs(result.samples.length / awb.samples.length - 1) < 0.01);
    assert.ok(result.applied.pitchShiftSemitones > 3, `shift ${result.applied.pitchShiftSemitones}`);
    assert.match(result.method, /^dsp:/);
    const converted = analyzeVoice(result.samples, awb.sampleRate);
    const offset = 12 * Math.log2(converted.pitch.medianHz / target.pitch.medianHz);
    assert.ok(
      Math.abs(offset) < 1.5,
      `converted median ${converted.pitch.medianHz.toFixed(1)} Hz, ${offset.toFixed(2)} st off`,
    );
    const before = voiceDistanceDetail(source, target);
    const after = voiceDistanceDetail(converted, target);
    assert.ok(
      after.distance < before.distance * 0.5,
      `distance ${before.distance.toFixed(3)} → ${after.distance.toFixed(3)}`,
    );
    assert.ok(after.embeddingCosineDistance < before.embeddingCosineDistance, 'timbre moved, not only pitch');
  });
});
