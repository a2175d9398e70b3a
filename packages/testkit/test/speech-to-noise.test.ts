import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { measureSnrDb, mixAtSnr, speechToNoiseRatioDb, synthesizeSpeech, whiteNoise } from '../src';

describe('speechToNoiseRatioDb', () => {
  let speech: Float32Array;
  const sampleRate = 16_000;

  before(async () => {
    const first = await synthesizeSpeech('A quick test of the speech to noise ratio.', { sampleRate });
    const second = await synthesizeSpeech('It needs pauses between sentences.', { sampleRate });
    speech = new Float32Array(first.samples.length + sampleRate / 2 + second.samples.length);
    speech.set(first.samples, 0);
    speech.set(second.samples, first.samples.length + sampleRate / 2);
  });

  test('reads back the SNR a mix was made at', () => {
    for (const snr of [0, 10, 20]) {
      const noisy = mixAtSnr(speech, whiteNoise(speech.length, 0.05, 1), snr, { sampleRate });
      const measured = speechToNoiseRatioDb(speech, noisy, { sampleRate });
      assert.ok(Math.abs(measured - snr) < 1.5, `mixed at ${snr} dB, measured ${measured.toFixed(2)} dB`);
    }
  });

  test('rises when only the noise in the pauses is removed, and is blind to gain', () => {
    const noisy = mixAtSnr(speech, whiteNoise(speech.length, 0.05, 2), 5, { sampleRate });
    const quieterNoise = mixAtSnr(speech, whiteNoise(speech.length, 0.05, 2), 25, { sampleRate });
    const scaled = quieterNoise.map((value) => value * 0.25);
    assert.ok(
      speechToNoiseRatioDb(speech, scaled, { sampleRate }) - speechToNoiseRatioDb(speech, noisy, { sampleRate }) > 18,
    );
  });

  test('is looser than the residual SNR, which also counts speech distortion', () => {
    // Muffle the speech (a crude low-pass) with no noise at all: no background, but the waveform is wrong.
    const muffled = new Float32Array(speech.length);
    for (let i = 4; i < speech.length; i++) {
      muffled[i] =
        ((speech[i] ?? 0) + (speech[i - 1] ?? 0) + (speech[i - 2] ?? 0) + (speech[i - 3] ?? 0) + (speech[i - 4] ?? 0)) /
        5;
    }
    assert.ok(speechToNoiseRatioDb(speech, muffled, { sampleRate }) > 40);
    assert.ok(measureSnrDb(speech, muffled, { sampleRate }) < 20);
  });

  test('refuses a reference with no pauses to measure noise in', () => {
    const tone = Float32Array.from({ length: sampleRate }, (_, i) => Math.sin(i / 5));
    assert.throws(() => speechToNoiseRatioDb(tone, tone, { sampleRate }), /pauses/);
  });
});
