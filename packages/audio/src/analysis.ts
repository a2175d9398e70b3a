import { assertSampleRate, toDb } from './dsp';
import { integratedLoudness } from './loudness';
import { scanTruePeak } from './peak';

/** Summary measurements of a mono signal, see {@link analyzeAudio}. */
export interface AudioAnalysis {
  durationMs: number;
  /** Sample peak, dBFS. */
  peakDbfs: number;
  /** 4x oversampled true peak, dBTP. */
  truePeakDbtp: number;
  /** BS.1770 integrated loudness, LUFS. */
  integratedLufs: number;
  /** RMS over the whole signal, dBFS (a full-scale sine reads -3.01). */
  rmsDbfs: number;
  /** Fraction of samples with |x| >= 0.999: a clipping indicator. */
  clippedSampleRatio: number;
  /** True when integrated loudness < -60 LUFS or RMS < -60 dBFS. */
  silent: boolean;
}

export const CLIP_LEVEL = 0.999;
export const SILENCE_LUFS = -60;
export const SILENCE_DBFS = -60;

/** Measures level, loudness and clipping of a mono signal. All levels are -Infinity for silence. */
export function analyzeAudio(samples: Float32Array, sampleRate: number): AudioAnalysis {
  assertSampleRate(sampleRate);
  const n = samples.length;
  let peak = 0;
  let sumSquares = 0;
  let clipped = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    const a = Math.abs(x);
    if (a > peak) peak = a;
    if (a >= CLIP_LEVEL) clipped++;
    sumSquares += x * x;
  }
  const rmsDbfs = n > 0 ? toDb(Math.sqrt(sumSquares / n)) : -Infinity;
  const integratedLufs = integratedLoudness(samples, sampleRate);
  return {
    durationMs: (n / sampleRate) * 1000,
    peakDbfs: toDb(peak),
    truePeakDbtp: toDb(scanTruePeak(samples)),
    integratedLufs,
    rmsDbfs,
    clippedSampleRatio: n > 0 ? clipped / n : 0,
    // Written as negations so a NaN measurement counts as silent rather than as usable audio.
    silent: !(integratedLufs >= SILENCE_LUFS) || !(rmsDbfs >= SILENCE_DBFS),
  };
}
