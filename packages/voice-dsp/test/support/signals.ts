import { pinkNoise, synthesizeSpeech, type FliteVoice } from '@voice/testkit';

export const SENTENCE_A =
  'The quick brown fox jumps over the lazy dog while the sun sets slowly behind the distant hills.';
export const SENTENCE_B = 'Please call Stella and ask her to bring these things with her from the store today.';

export function sine(hz: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  const x = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return x;
}

/** Naive (aliased) sawtooth: rich in harmonics like a glottal pulse train. */
export function sawtooth(hz: number, sampleRate: number, seconds: number): Float32Array {
  const x = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * (2 * ((i * hz) / sampleRate - Math.floor((i * hz) / sampleRate)) - 1);
  return x;
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Low pink noise (default -70 dBFS RMS), standing in for a quiet room between phrases. */
export function roomTone(sampleRate: number, seconds: number, dbfs = -70, seed = 7): Float32Array {
  return pinkNoise(Math.round(sampleRate * seconds), Math.pow(10, dbfs / 20), seed);
}

/** RMS over x[from, to); fractional bounds are rounded. */
export function rmsOf(x: Float32Array, fromIndex = 0, toIndex = x.length): number {
  const from = Math.round(fromIndex);
  const to = Math.round(toIndex);
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

export { toneFraction } from '@voice/testkit';

export async function speech(text: string, voice: FliteVoice): Promise<{ samples: Float32Array; sampleRate: number }> {
  return synthesizeSpeech(text, { voice });
}
