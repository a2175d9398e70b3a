import { fft } from './fft';

/** Options shared by the SNR helpers. */
export interface SnrOptions {
  /** Rate of both signals, used to size the lag search and activity frames. Default 48000. */
  readonly sampleRate?: number;
  /** Largest misalignment searched, either way. Default 50 ms. */
  readonly maxLagMs?: number;
  /** Frames quieter than the loudest reference frame by more than this are "inactive". Default 40 dB. */
  readonly activityRangeDb?: number;
}

const FRAME_MS = 10;

/**
 * Marks the samples where `reference` is active: 10 ms frames within `rangeDb` of the loudest frame.
 * Scoring only active speech keeps long silences from dominating the SNR either way.
 */
export function activeMask(reference: Float32Array, sampleRate = 48000, rangeDb = 40): Uint8Array {
  const frame = Math.max(1, Math.round((sampleRate * FRAME_MS) / 1000));
  const frames = Math.ceil(reference.length / frame);
  const energy = new Float64Array(frames);
  let peak = 0;
  for (let f = 0; f < frames; f++) {
    let e = 0;
    const end = Math.min(reference.length, (f + 1) * frame);
    for (let i = f * frame; i < end; i++) e += (reference[i] ?? 0) ** 2;
    energy[f] = e / (end - f * frame);
    peak = Math.max(peak, energy[f] ?? 0);
  }
  const threshold = peak * 10 ** (-rangeDb / 10);
  const mask = new Uint8Array(reference.length);
  for (let f = 0; f < frames; f++) {
    if ((energy[f] ?? 0) > threshold && (energy[f] ?? 0) > 0)
      mask.fill(1, f * frame, Math.min(reference.length, (f + 1) * frame));
  }
  return mask;
}

/**
 * Lag (in samples) that best aligns `processed` to `reference`, by FFT cross-correlation within ±maxLag:
 * a positive lag means `processed` is late, i.e. processed[i + lag] ≈ reference[i].
 */
export function findLag(reference: Float32Array, processed: Float32Array, maxLag: number): number {
  // Circular correlation is exact for |lag| <= maxLag once the padding exceeds the longer signal by maxLag.
  let n = 1;
  while (n < Math.max(reference.length, processed.length) + maxLag + 1) n <<= 1;
  // Both real signals go through one complex FFT (reference in re, processed in im), then split by symmetry.
  const zr = new Float64Array(n);
  const zi = new Float64Array(n);
  zr.set(reference);
  zi.set(processed);
  fft(zr, zi);
  const ar = new Float64Array(n);
  const ai = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const m = (n - k) & (n - 1);
    const pr = zr[k] ?? 0;
    const pi = zi[k] ?? 0;
    const qr = zr[m] ?? 0;
    const qi = zi[m] ?? 0;
    // X = (Z[k] + conj Z[n-k]) / 2, Y = (Z[k] - conj Z[n-k]) / 2i.
    const xr = (pr + qr) / 2;
    const xi = (pi - qi) / 2;
    const yr = (pi + qi) / 2;
    const yi = -(pr - qr) / 2;
    // conj(X) * Y gives corr[lag] = sum_i reference[i] * processed[i + lag].
    ar[k] = xr * yr + xi * yi;
    ai[k] = xr * yi - xi * yr;
  }
  fft(ar, ai, true);
  let best = 0;
  let bestValue = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const v = ar[(lag + n) % n] ?? 0;
    if (v > bestValue) {
      bestValue = v;
      best = lag;
    }
  }
  return best;
}

/**
 * Scale-invariant SNR of `processed` against the clean `reference`, in dB.
 * Aligns by cross-correlation (±50 ms), projects onto the reference to fit the optimal gain, and scores
 * 10·log10(target energy / residual energy) over the samples where the reference is active.
 */
export function measureSnrDb(reference: Float32Array, processed: Float32Array, options: SnrOptions = {}): number {
  const sampleRate = options.sampleRate ?? 48000;
  const maxLag = Math.round((sampleRate * (options.maxLagMs ?? 50)) / 1000);
  const lag = findLag(reference, processed, maxLag);
  const mask = activeMask(reference, sampleRate, options.activityRangeDb ?? 40);
  let rr = 0;
  let rp = 0;
  for (let i = 0; i < reference.length; i++) {
    if (!mask[i]) continue;
    const r = reference[i] ?? 0;
    rr += r * r;
    rp += r * (processed[i + lag] ?? 0);
  }
  if (rr === 0) throw new Error('reference is silent');
  const gain = rp / rr;
  let target = 0;
  let residual = 0;
  for (let i = 0; i < reference.length; i++) {
    if (!mask[i]) continue;
    const t = gain * (reference[i] ?? 0);
    const e = (processed[i + lag] ?? 0) - t;
    target += t * t;
    residual += e * e;
  }
  return 10 * Math.log10(target / Math.max(residual, 1e-20));
}

/**
 * Adds `noise` to `speech`, scaled so the SNR over the speech's active region is `snrDb`
 * (the same region `measureSnrDb` scores, so the measured input SNR matches the request).
 */
export function mixAtSnr(
  speech: Float32Array,
  noise: Float32Array,
  snrDb: number,
  options: Pick<SnrOptions, 'sampleRate' | 'activityRangeDb'> = {},
): Float32Array {
  if (noise.length < speech.length) throw new Error('noise is shorter than speech');
  const mask = activeMask(speech, options.sampleRate ?? 48000, options.activityRangeDb ?? 40);
  let ps = 0;
  let pn = 0;
  for (let i = 0; i < speech.length; i++) {
    if (!mask[i]) continue;
    ps += (speech[i] ?? 0) ** 2;
    pn += (noise[i] ?? 0) ** 2;
  }
  const g = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  const out = new Float32Array(speech.length);
  for (let i = 0; i < speech.length; i++) out[i] = (speech[i] ?? 0) + g * (noise[i] ?? 0);
  return out;
}

/**
 * Speech-to-noise ratio of `processed` in dB, using the clean `reference` only to know where speech is:
 * noise power is measured in the pauses (frames well away from any speech, so no smeared speech counts as
 * noise) and speech power as the power during speech minus that noise floor. This is the ratio a listener
 * hears between the voice and the background, and it is defined the same way for the noisy input and the
 * denoised output. `measureSnrDb` is the stricter companion that also counts speech distortion as error.
 */
export function speechToNoiseRatioDb(
  reference: Float32Array,
  processed: Float32Array,
  options: SnrOptions = {},
): number {
  const sampleRate = options.sampleRate ?? 48000;
  const maxLag = Math.round((sampleRate * (options.maxLagMs ?? 50)) / 1000);
  const lag = findLag(reference, processed, maxLag);
  const active = activeMask(reference, sampleRate, options.activityRangeDb ?? 40);
  // Keep 50 ms between a pause sample and any speech sample: denoisers and resamplers smear edges.
  const guard = Math.round(sampleRate * 0.05);
  const nearSpeech = new Uint8Array(reference.length);
  let lastActive = -Infinity;
  for (let i = 0; i < reference.length; i++) {
    if (active[i]) lastActive = i;
    if (i - lastActive <= guard) nearSpeech[i] = 1;
  }
  lastActive = Infinity;
  for (let i = reference.length - 1; i >= 0; i--) {
    if (active[i]) lastActive = i;
    if (lastActive - i <= guard) nearSpeech[i] = 1;
  }
  let speechEnergy = 0;
  let speechCount = 0;
  let pauseEnergy = 0;
  let pauseCount = 0;
  for (let i = 0; i < reference.length; i++) {
    const value = processed[i + lag] ?? 0;
    if (active[i]) {
      speechEnergy += value * value;
      speechCount += 1;
    } else if (!nearSpeech[i]) {
      pauseEnergy += value * value;
      pauseCount += 1;
    }
  }
  if (speechCount === 0) throw new Error('reference is silent');
  if (pauseCount < sampleRate * 0.1) throw new Error('reference has under 100 ms of pauses to measure noise in');
  const noisePower = pauseEnergy / pauseCount;
  const speechPower = Math.max(speechEnergy / speechCount - noisePower, 1e-20);
  return 10 * Math.log10(speechPower / Math.max(noisePower, 1e-20));
}
