import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeWavPcm16,
  encodeWavPcm16,
  findLag,
  measureRealTimeFactor,
  measureSnrDb,
  mixAtSnr,
  pinkNoise,
  resampleForTest,
  rms,
  synthesizeSpeech,
  whiteNoise,
} from '../src';

/** Share of energy in the first difference relative to the signal: ~2 for white noise, near 0 for low-passed. */
function roughness(x: Float32Array): number {
  let d = 0;
  for (let i = 1; i < x.length; i++) d += ((x[i] ?? 0) - (x[i - 1] ?? 0)) ** 2;
  return d / (rms(x) ** 2 * x.length);
}

function sine(n: number, freq: number, rate: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));
}

describe('seeded noise', () => {
  it('is deterministic per seed and differs across seeds', () => {
    assert.deepEqual(whiteNoise(1000, 0.1, 42), whiteNoise(1000, 0.1, 42));
    assert.notDeepEqual(whiteNoise(1000, 0.1, 42), whiteNoise(1000, 0.1, 43));
    assert.deepEqual(pinkNoise(1000, 0.1, 42), pinkNoise(1000, 0.1, 42));
  });

  it('has exactly the requested RMS', () => {
    assert.ok(Math.abs(rms(whiteNoise(48000, 0.25, 1)) - 0.25) < 1e-6);
    assert.ok(Math.abs(rms(pinkNoise(48000, 0.05, 1)) - 0.05) < 1e-6);
  });

  it('pink noise is tilted towards low frequencies, white is flat', () => {
    // First-difference energy is a high-pass probe: white ≈ 2, pink far lower.
    assert.ok(Math.abs(roughness(whiteNoise(48000, 0.1, 3)) - 2) < 0.1);
    assert.ok(roughness(pinkNoise(48000, 0.1, 3)) < 0.5);
  });
});

describe('SNR measurement', () => {
  const rate = 16000;
  // Speech-like reference: a tone with gaps, so the active-region logic has something to exclude.
  const reference = sine(rate * 2, 220, rate).map((v, i) => (Math.floor(i / 4000) % 2 === 0 ? v : 0));

  it('mixAtSnr produces the SNR that measureSnrDb reports', () => {
    for (const snr of [0, 5, 20]) {
      const noisy = mixAtSnr(reference, whiteNoise(reference.length, 0.1, 9), snr, { sampleRate: rate });
      const measured = measureSnrDb(reference, noisy, { sampleRate: rate });
      assert.ok(Math.abs(measured - snr) < 0.5, `requested ${snr} dB, measured ${measured.toFixed(2)} dB`);
    }
  });

  it('ignores gain and aligns a delayed copy before scoring', () => {
    const delay = 300; // < 50 ms at 16 kHz
    const noisy = mixAtSnr(reference, whiteNoise(reference.length, 0.1, 5), 12, { sampleRate: rate });
    const delayed = new Float32Array(reference.length);
    for (let i = delay; i < delayed.length; i++) delayed[i] = 0.3 * (noisy[i - delay] ?? 0);
    assert.equal(findLag(reference, delayed, 800), delay);
    const measured = measureSnrDb(reference, delayed, { sampleRate: rate });
    assert.ok(Math.abs(measured - 12) < 0.5, `measured ${measured.toFixed(2)} dB`);
  });

  it('finds negative lags (processed early)', () => {
    const early = reference.slice(37);
    assert.equal(findLag(reference, early, 800), -37);
  });
});

describe('resampleForTest', () => {
  it('keeps a tone’s frequency and level when upsampling 16 kHz to 48 kHz', () => {
    const up = resampleForTest(sine(16000, 1000, 16000), 16000, 48000);
    assert.equal(up.length, 48000);
    const expected = sine(48000, 1000, 48000);
    // Skip the edges, where the kernel runs out of input.
    const mid = (x: Float32Array) => x.subarray(1000, 47000);
    assert.ok(measureSnrDb(mid(expected), mid(up), { sampleRate: 48000, maxLagMs: 1 }) > 40);
  });

  it('removes content above the new Nyquist when downsampling', () => {
    const down = resampleForTest(sine(48000, 15000, 48000), 48000, 16000);
    assert.ok(rms(down.subarray(500, 15500)) < 0.01);
  });
});

describe('WAV encoding', () => {
  it('round-trips 16-bit PCM within quantisation error', () => {
    const x = sine(1000, 440, 8000, 0.9);
    const wav = encodeWavPcm16(x, 8000);
    assert.equal(wav.length, 44 + 2000);
    const back = decodeWavPcm16(wav);
    assert.equal(back.sampleRate, 8000);
    assert.equal(back.samples.length, x.length);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs((back.samples[i] ?? 0) - (x[i] ?? 0)) < 1e-4);
  });
});

describe('synthesizeSpeech', () => {
  it('speaks a sentence deterministically at the voice rate', async () => {
    const a = await synthesizeSpeech('Testing one two three.', { voice: 'kal16' });
    const b = await synthesizeSpeech('Testing one two three.', { voice: 'kal16' });
    assert.equal(a.sampleRate, 16000);
    assert.ok(a.samples.length > 16000 * 0.8, `too short: ${a.samples.length}`);
    assert.ok(rms(a.samples) > 0.01);
    assert.deepEqual(a.samples, b.samples);
  });

  it('resamples to a requested rate', async () => {
    const native = await synthesizeSpeech('Hello there.', { voice: 'slt' });
    const hi = await synthesizeSpeech('Hello there.', { voice: 'slt', sampleRate: 48000 });
    assert.equal(hi.sampleRate, 48000);
    assert.equal(hi.samples.length, native.samples.length * 3);
  });
});

describe('measureRealTimeFactor', () => {
  it('reports processing seconds per audio second', async () => {
    const { result, seconds, realTimeFactor } = await measureRealTimeFactor(2, async () => 7);
    assert.equal(result, 7);
    assert.ok(seconds >= 0 && Math.abs(realTimeFactor - seconds / 2) < 1e-12);
  });
});
