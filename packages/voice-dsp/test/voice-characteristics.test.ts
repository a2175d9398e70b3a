import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { VoiceDspError, analyzeVoice, timeStretch, voiceDistance, type VoiceCharacteristics } from '../src/index';
import { SENTENCE_A, SENTENCE_B, concat, sawtooth, speech } from './support/signals';

const semitones = (a: number, b: number): number => 12 * Math.log2(a / b);

async function voice(text: string, name: 'slt' | 'awb' | 'rms' | 'kal16'): Promise<VoiceCharacteristics> {
  const { samples, sampleRate } = await speech(text, name);
  return analyzeVoice(samples, sampleRate);
}

describe('analyzeVoice', () => {
  it('measures a 200 Hz sawtooth as 200 ± 2 Hz at 16 and 48 kHz', () => {
    for (const rate of [16000, 48000]) {
      const c = analyzeVoice(sawtooth(200, rate, 2), rate);
      assert.ok(Math.abs(c.pitch.medianHz - 200) <= 2, `${rate} Hz: ${c.pitch.medianHz}`);
      assert.ok(c.pitch.voicedRatio > 0.95);
      assert.ok(c.pitch.stdSemitones < 0.1);
      assert.equal(c.embedding.length, 40);
      assert.ok(Math.abs(Math.hypot(...c.embedding) - 1) < 1e-9, 'embedding is L2-normalised');
      assert.equal(c.spectral.bandEnergiesDb.length, 24);
    }
  });

  it('hears the female flite voice (slt) several semitones above the male ones (awb, rms, kal16)', async () => {
    const slt = await voice(SENTENCE_A, 'slt');
    for (const male of ['awb', 'rms', 'kal16'] as const) {
      const other = await voice(SENTENCE_A, male);
      const gap = semitones(slt.pitch.medianHz, other.pitch.medianHz);
      assert.ok(
        gap > 3,
        `slt ${slt.pitch.medianHz.toFixed(1)} Hz vs ${male} ${other.pitch.medianHz.toFixed(1)} Hz: ${gap.toFixed(2)} st`,
      );
    }
    assert.ok(slt.pitch.medianHz > 150 && slt.pitch.medianHz < 220, `slt median ${slt.pitch.medianHz}`);
    assert.ok(slt.pitch.p10Hz < slt.pitch.medianHz && slt.pitch.medianHz < slt.pitch.p90Hz);
    assert.ok(slt.loudnessLufs > -40 && slt.loudnessLufs < -5, `loudness ${slt.loudnessLufs}`);
    assert.ok(slt.speakingRate.syllablesPerSecond > 2 && slt.speakingRate.syllablesPerSecond < 8);
  });

  it('places the same speaker closer than a different one, across sentences', async () => {
    const sltA = await voice(SENTENCE_A, 'slt');
    const sltB = await voice(SENTENCE_B, 'slt');
    const awbA = await voice(SENTENCE_A, 'awb');
    const awbB = await voice(SENTENCE_B, 'awb');
    const rmsB = await voice(SENTENCE_B, 'rms');
    const same = voiceDistance(sltA, sltB);
    assert.ok(same < voiceDistance(sltA, awbB) / 3, `same ${same} vs slt–awb ${voiceDistance(sltA, awbB)}`);
    assert.ok(same < voiceDistance(sltA, rmsB) / 3);
    assert.ok(voiceDistance(awbA, awbB) < voiceDistance(awbA, sltB) / 3);
    assert.ok(Math.abs(voiceDistance(sltA, awbB) - voiceDistance(awbB, sltA)) < 1e-12, 'symmetric');
  });

  it('reports a higher speaking rate for time-compressed speech', async () => {
    const { samples, sampleRate } = await speech(SENTENCE_B, 'slt');
    const normal = analyzeVoice(samples, sampleRate).speakingRate.syllablesPerSecond;
    const fast = analyzeVoice(timeStretch(samples, sampleRate, 0.7), sampleRate).speakingRate.syllablesPerSecond;
    assert.ok(fast > normal * 1.2, `normal ${normal.toFixed(2)}/s, compressed ${fast.toFixed(2)}/s`);
  });

  it('rejects audio too short to measure and audio without voiced speech', () => {
    assert.throws(
      () => analyzeVoice(sawtooth(200, 16000, 0.3), 16000),
      (e: unknown) => e instanceof VoiceDspError && e.code === 'AUDIO_TOO_SHORT',
    );
    const silenceWithClick = concat(new Float32Array(16000), Float32Array.of(0.5), new Float32Array(16000));
    assert.throws(
      () => analyzeVoice(silenceWithClick, 16000),
      (e: unknown) => e instanceof VoiceDspError && e.code === 'NO_VOICED_SPEECH',
    );
  });
});
