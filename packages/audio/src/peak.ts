import { assertSampleRate, toDb } from './dsp';
import { TruePeakScanner } from './stream/true-peak-stream';

/**
 * Scans `samples` with the 4x interpolator. Returns the maximum absolute value over all sample
 * and interpolated positions. When `perSample` is given, `perSample[n]` receives the maximum over
 * positions n, n+1/4, n+1/2 and n+3/4; where interpolated values cannot exceed `floor`, |x[n]| only
 * (exact values are not needed there). One scanner serves whole arrays and streams alike.
 */
export function scanTruePeak(samples: Float32Array, perSample?: Float32Array, floor = 0): number {
  const sink = perSample && {
    onPeaks: (peaks: Float32Array, count: number, start: number) => perSample.set(peaks.subarray(0, count), start),
  };
  const scanner = new TruePeakScanner(sink, floor);
  scanner.push(samples);
  return scanner.finish();
}

/**
 * True peak in dBTP: maximum of the 4x oversampled signal (polyphase 64-tap Kaiser-windowed
 * sinc, BS.1770-4 Annex 2 method). -Infinity for silence.
 */
export function truePeakDbtp(samples: Float32Array, sampleRate: number): number {
  // The interpolator works in normalised frequency, so the rate only needs to be valid.
  assertSampleRate(sampleRate);
  return toDb(scanTruePeak(samples));
}

/** Sample peak in dBFS. -Infinity for silence. */
export function samplePeakDbfs(samples: Float32Array): number {
  let best = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i] ?? 0);
    if (a > best) best = a;
  }
  return toDb(best);
}
