import { mixAtSnr, pinkNoise, synthesizeSpeech, whiteNoise, encodeWavPcm16 } from '@voice/testkit';

export interface NoisySpeech {
  clean: Float32Array;
  noisy: Float32Array;
  sampleRate: number;
  wav: Buffer;
  durationSeconds: number;
}

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call Stella and ask her to bring these things with her from the store.',
  'Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack for her brother Bob.',
  'We also need a small plastic snake and a big toy frog for the kids.',
];

/**
 * Synthesised speech (flite) plus seeded noise at a given SNR, as a 16-bit WAV ready to upload.
 * `minSeconds` repeats the sentences to make long inputs for cancel and crash tests.
 */
export async function makeNoisySpeech(options: {
  snrDb: number;
  minSeconds?: number;
  noise?: 'white' | 'pink';
  seed?: number;
}): Promise<NoisySpeech> {
  const sampleRate = 16_000;
  const parts: Float32Array[] = [];
  let total = 0;
  let index = 0;
  const gap = new Float32Array(Math.round(sampleRate * 0.3));
  do {
    const sentence = SENTENCES[index % SENTENCES.length] ?? '';
    const { samples } = await synthesizeSpeech(sentence, { voice: 'kal16', sampleRate });
    parts.push(samples, gap);
    total += samples.length + gap.length;
    index += 1;
  } while (index < 2 || total < (options.minSeconds ?? 0) * sampleRate);
  const clean = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    clean.set(part, offset);
    offset += part.length;
  }
  // Leave headroom so the noisy mix never clips: clipping would hide what the denoiser does.
  const peak = clean.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
  for (let i = 0; i < clean.length; i++) clean[i] = ((clean[i] ?? 0) / peak) * 0.3;
  const seed = options.seed ?? 7;
  const noise = options.noise === 'pink' ? pinkNoise(total, 0.05, seed) : whiteNoise(total, 0.05, seed);
  const noisy = mixAtSnr(clean, noise, options.snrDb, { sampleRate });
  const noisyPeak = noisy.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
  if (noisyPeak > 0.98) for (let i = 0; i < noisy.length; i++) noisy[i] = ((noisy[i] ?? 0) / noisyPeak) * 0.9;
  return { clean, noisy, sampleRate, wav: encodeWavPcm16(noisy, sampleRate), durationSeconds: total / sampleRate };
}
