/**
 * YIN fundamental-frequency estimation (de Cheveigné & Kawahara 2002) on 40 ms frames at a 10 ms hop,
 * run at 16 kHz: the search range (55–500 Hz) needs no more bandwidth, and a fixed analysis rate makes
 * the cost independent of the input rate.
 */
export const PITCH_MIN_HZ = 55;
export const PITCH_MAX_HZ = 500;
/** Cumulative-mean-normalised difference below which a dip counts as periodic (the YIN threshold). */
export const APERIODICITY_THRESHOLD = 0.2;

export interface YinResult {
  /** Estimated f0 in Hz (meaningful when aperiodicity is low). */
  readonly hz: number;
  /** d'(τ) at the chosen lag: 0 is perfectly periodic, ~1 is noise. */
  readonly aperiodicity: number;
}

/** Scratch buffers for one analysis rate, reused across frames to avoid per-frame allocation. */
export class YinEstimator {
  readonly frameLength: number;
  private readonly tauMin: number;
  private readonly tauMax: number;
  private readonly window: number;
  private readonly diff: Float64Array;

  constructor(readonly sampleRate: number) {
    this.frameLength = Math.round(0.04 * sampleRate);
    this.tauMin = Math.max(2, Math.floor(sampleRate / PITCH_MAX_HZ));
    this.tauMax = Math.ceil(sampleRate / PITCH_MIN_HZ);
    // Integration window: the frame minus the longest lag (about 1.3 periods of 55 Hz at 40 ms).
    this.window = this.frameLength - this.tauMax;
    this.diff = new Float64Array(this.tauMax + 2);
  }

  /** Analyses `frame` (length >= frameLength). */
  estimate(frame: Float64Array): YinResult {
    const { tauMin, tauMax, window, diff } = this;
    // Difference function d(τ) and its cumulative-mean normalisation d'(τ), in place.
    diff[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      let sum = 0;
      for (let j = 0; j < window; j++) {
        const delta = frame[j]! - frame[j + tau]!;
        sum += delta * delta;
      }
      running += sum;
      diff[tau] = running > 0 ? (sum * tau) / running : 1;
    }
    // First dip under the threshold, followed down to its local minimum; else the global minimum.
    let best = -1;
    for (let tau = tauMin; tau <= tauMax; tau++) {
      if (diff[tau]! < APERIODICITY_THRESHOLD) {
        while (tau + 1 <= tauMax && diff[tau + 1]! < diff[tau]!) tau++;
        best = tau;
        break;
      }
    }
    if (best < 0) {
      best = tauMin;
      for (let tau = tauMin + 1; tau <= tauMax; tau++) if (diff[tau]! < diff[best]!) best = tau;
    }
    // Parabolic interpolation of the dip for sub-sample lag precision.
    const a = diff[best - 1]!;
    const b = diff[best]!;
    const c = diff[best + 1]!;
    const denom = a - 2 * b + c;
    const shift = denom > 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
    return { hz: this.sampleRate / (best + shift), aperiodicity: b };
  }
}
