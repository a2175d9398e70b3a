import { DubbingError } from './errors';

export interface EstimateBackgroundOptions {
  /**
   * Delay of `enhanced` behind `original` in samples, when the enhancer's latency is known. Otherwise it is
   * measured by cross-correlation within ±maxLagSamples.
   */
  readonly lagSamples?: number;
  /** Search range for the delay. Default 4800 (100 ms at 48 kHz). */
  readonly maxLagSamples?: number;
  /**
   * Scale `enhanced` by the least-squares gain before subtracting, so a level change made by the enhancer does
   * not leave speech behind. Default true; the gain is limited to 0.5–2.
   */
  readonly matchGain?: boolean;
}

export interface BackgroundEstimate {
  /** original − gain · enhanced (delay-compensated); same length as `original`. */
  readonly samples: Float32Array;
  /** Delay of `enhanced` that was compensated, in samples (positive: enhanced lags). */
  readonly lagSamples: number;
  readonly gain: number;
}

/**
 * The least-squares gain g minimising |original − g · enhanced|², fed block by block (aligned blocks of equal
 * length), limited to 0.5–2; 1 when the enhanced signal is silent. Scaling the enhanced speech by it before
 * subtracting keeps a level change made by the enhancer from leaving speech in the background.
 */
export class BackgroundGainFit {
  private cross = 0;
  private energy = 0;

  push(original: Float32Array, enhanced: Float32Array): void {
    for (let i = 0; i < enhanced.length; i++) {
      const e = enhanced[i]!;
      this.cross += (original[i] ?? 0) * e;
      this.energy += e * e;
    }
  }

  get gain(): number {
    return this.energy > 1e-9 ? Math.min(2, Math.max(0.5, this.cross / this.energy)) : 1;
  }
}

/** Longest stretch used to measure the delay: about 2.7 s at 48 kHz is plenty for a correlation peak. */
const LAG_WINDOW = 1 << 17;

/**
 * Estimates the non-speech part of a recording (ambience, music, noise) as the residual a speech enhancer
 * removed: original − enhanced, after compensating the enhancer's delay and level.
 *
 * It is an estimate: the enhancer also removes a little speech (reverberation tails, attenuated consonants), so
 * the residual carries some speech leakage, which ducking under the dubbed voice keeps quiet. For the best
 * separation compute `enhanced` with the strongest installed denoiser at aggressive strength (DeepFilterNet3 with
 * no attenuation limit, else GTCRN), on the same audio at the same sample rate, without loudness normalisation.
 */
export function estimateBackground(
  original: Float32Array,
  enhanced: Float32Array,
  options: EstimateBackgroundOptions = {},
): BackgroundEstimate {
  const maxLag = options.maxLagSamples ?? 4800;
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new DubbingError('INVALID_ARGUMENT', `maxLagSamples must be a non-negative integer, got ${maxLag}`);
  }
  if (options.lagSamples !== undefined && !Number.isInteger(options.lagSamples)) {
    throw new DubbingError('INVALID_ARGUMENT', `lagSamples must be an integer, got ${options.lagSamples}`);
  }
  const lag = options.lagSamples ?? measureLag(original, enhanced, maxLag);

  let gain = 1;
  if (options.matchGain ?? true) {
    const fit = new BackgroundGainFit();
    const from = Math.max(0, -lag);
    const to = Math.min(original.length, enhanced.length - lag);
    if (to > from) fit.push(original.subarray(from, to), enhanced.subarray(from + lag, to + lag));
    gain = fit.gain;
  }
  const samples = new Float32Array(original.length);
  for (let i = 0; i < original.length; i++) samples[i] = original[i]! - gain * (enhanced[i + lag] ?? 0);
  return { samples, lagSamples: lag, gain };
}

/**
 * Delay d maximising Σ original[i]·enhanced[i + d] for |d| ≤ maxLag, by FFT cross-correlation over the
 * window where the enhanced (speech) signal is strongest.
 */
function measureLag(original: Float32Array, enhanced: Float32Array, maxLag: number): number {
  const n = Math.min(original.length, enhanced.length);
  if (n === 0 || maxLag === 0) return 0;
  const window = Math.min(n, LAG_WINDOW);
  let bestStart = 0;
  let bestEnergy = -1;
  const hop = Math.max(1, window >> 1);
  for (let start = 0; start + window <= n; start += hop) {
    let energy = 0;
    for (let i = start; i < start + window; i += 4) energy += enhanced[i]! * enhanced[i]!;
    if (energy > bestEnergy) {
      bestEnergy = energy;
      bestStart = start;
    }
  }
  let size = 1;
  while (size < 2 * window) size <<= 1;
  const oRe = new Float64Array(size);
  const oIm = new Float64Array(size);
  const eRe = new Float64Array(size);
  const eIm = new Float64Array(size);
  for (let i = 0; i < window; i++) {
    oRe[i] = original[bestStart + i]!;
    eRe[i] = enhanced[bestStart + i]!;
  }
  fft(oRe, oIm, false);
  fft(eRe, eIm, false);
  // conj(O)·E: its inverse is r[d] = Σ o[i]·e[i + d] (circular; d < 0 wraps to the top of the array).
  for (let k = 0; k < size; k++) {
    const re = oRe[k]! * eRe[k]! + oIm[k]! * eIm[k]!;
    const im = oRe[k]! * eIm[k]! - oIm[k]! * eRe[k]!;
    oRe[k] = re;
    oIm[k] = im;
  }
  fft(oRe, oIm, true);
  let best = 0;
  let bestScore = -Infinity;
  const limit = Math.min(maxLag, window - 1);
  for (let d = -limit; d <= limit; d++) {
    const score = oRe[(d + size) % size]!;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/** In-place iterative radix-2 complex FFT (size a power of two); `inverse` omits the 1/N scale. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let start = 0; start < n; start += len) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = start + k;
        const b = a + len / 2;
        const tRe = re[b]! * curRe - im[b]! * curIm;
        const tIm = re[b]! * curIm + im[b]! * curRe;
        re[b] = re[a]! - tRe;
        im[b] = im[a]! - tIm;
        re[a] = re[a]! + tRe;
        im[a] = im[a]! + tIm;
        const next = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = next;
      }
    }
  }
}
