import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arraySampleSource } from '@voice/audio';

import {
  VoiceDspError,
  analyzeVoice,
  convertVoiceToward,
  matchTimbre,
  pitchShift,
  planVoiceConversion,
  renderVoiceConversion,
  sampleExcerpts,
  timeStretch,
  voiceDistanceDetail,
} from '../src/index';
import { SENTENCE_A, SENTENCE_B, concat, rmsOf, roomTone, sawtooth, sine, speech } from './support/signals';

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

describe('renderVoiceConversion (chunked, for long recordings)', () => {
  const collect = (blocks: Iterable<Float32Array>): Float32Array => concat(...blocks);

  it('converts a clip shorter than one chunk as convertVoiceToward does (up to its level match)', async () => {
    const awb = await speech(SENTENCE_A, 'awb');
    const slt = await speech(SENTENCE_B, 'slt');
    const rate = awb.sampleRate;
    const source = analyzeVoice(awb.samples, rate);
    const target = analyzeVoice(slt.samples, rate);
    const { plan } = planVoiceConversion(awb.samples, rate, source, target);
    const chunked = collect(renderVoiceConversion(arraySampleSource(awb.samples), plan));
    const whole = convertVoiceToward(awb.samples, rate, source, target).samples;
    assert.equal(chunked.length, whole.length);
    let dot = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < whole.length; i++) {
      dot += chunked[i]! * whole[i]!;
      aa += chunked[i]! * chunked[i]!;
      bb += whole[i]! * whole[i]!;
    }
    assert.ok(dot / Math.sqrt(aa * bb) > 0.999999, `correlation ${dot / Math.sqrt(aa * bb)}`);
  });

  it('splits a long recording at pauses, keeps its length, and lands on the target pitch in every chunk', async () => {
    const awb = await speech(SENTENCE_A, 'awb');
    const slt = await speech(SENTENCE_B, 'slt');
    const rate = awb.sampleRate;
    // About 50 s of speech with pauses, cut into 8 s chunks: several joins, each moved into a pause.
    const pieces: Float32Array[] = [];
    for (let i = 0; i < 9; i++) pieces.push(awb.samples, roomTone(rate, 0.6, -60, i + 1));
    const long = concat(...pieces);
    const source = arraySampleSource(long);
    const excerpt = sampleExcerpts(source, rate, 20, 4);
    assert.equal(excerpt.length, 5 * 4 * rate, 'five 4 s pieces spread over the recording');
    const target = analyzeVoice(slt.samples, rate);
    const { plan } = planVoiceConversion(excerpt, rate, analyzeVoice(excerpt, rate), target);
    const blocks = [...renderVoiceConversion(source, plan, { chunkSeconds: 8 })];
    assert.ok(blocks.length >= 2 * 5, `${blocks.length} blocks: chunks and their crossfaded joins`);
    const converted = collect(blocks);
    assert.equal(converted.length, long.length);
    // Every 8 s of the output sits on the target's pitch: no chunk was left unconverted or shifted twice.
    for (let start = 0; start + 8 * rate <= converted.length; start += 8 * rate) {
      const part = converted.subarray(start, start + 8 * rate);
      const offset = 12 * Math.log2(analyzeVoice(part, rate).pitch.medianHz / target.pitch.medianHz);
      assert.ok(Math.abs(offset) < 1.5, `chunk at ${start / rate} s is ${offset.toFixed(2)} st off`);
    }
    // Joins do not click: every 50 ms of the chunked output is about as loud as the same plan applied in one
    // piece (WSOLA may place an onset up to 10 ms differently in the two, so shorter windows would flag that).
    const inOnePiece = collect(renderVoiceConversion(source, plan, { chunkSeconds: 1000 }));
    const hop = rate / 20;
    for (let start = 0; start + hop <= long.length; start += hop) {
      const chunkedRms = rmsOf(converted, start, start + hop);
      const wholeRms = rmsOf(inOnePiece, start, start + hop);
      assert.ok(
        chunkedRms <= 2 * wholeRms + 0.005,
        `burst at ${(start / rate).toFixed(2)} s: ${chunkedRms.toFixed(3)} vs ${wholeRms.toFixed(3)}`,
      );
    }
  });
});
