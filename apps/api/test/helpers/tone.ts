import { encodeWav } from '@voice/audio';

/** `seconds` of a sine tone (440 Hz by default) as a 16-bit mono WAV at 16 kHz; another `hz` makes another file. */
export function toneWav(seconds = 1, hz = 440): Buffer {
  const rate = 16_000;
  const samples = new Float32Array(rate * seconds).map((_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / rate));
  return encodeWav(samples, rate, { format: 'pcm16' });
}
