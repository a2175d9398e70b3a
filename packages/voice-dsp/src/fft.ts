/**
 * Radix-2 complex FFT with tables cached per size. The voice-dsp frames are small (512–8192), so a
 * plain iterative FFT is fast enough and keeps the package dependency-free.
 */
export class Fft {
  readonly size: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;

  constructor(size: number) {
    if (size < 2 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two, got ${size}`);
    this.size = size;
    this.cos = new Float64Array(size / 2);
    this.sin = new Float64Array(size / 2);
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.rev = new Uint32Array(size);
    for (let i = 1, j = 0; i < size; i++) {
      let bit = size >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      this.rev[i] = j;
    }
  }

  /** In place; the inverse is scaled by 1/size. */
  transform(re: Float64Array, im: Float64Array, inverse = false): void {
    const n = this.size;
    const rev = this.rev;
    for (let i = 1; i < n; i++) {
      const j = rev[i]!;
      if (i < j) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    const sign = inverse ? 1 : -1;
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1;
      const step = n / len;
      for (let i = 0; i < n; i += len) {
        for (let k = 0; k < half; k++) {
          const cr = this.cos[k * step]!;
          const ci = sign * this.sin[k * step]!;
          const a = i + k;
          const b = a + half;
          const br = re[b]!;
          const bi = im[b]!;
          const xr = br * cr - bi * ci;
          const xi = br * ci + bi * cr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
    if (inverse) {
      for (let i = 0; i < n; i++) {
        re[i] = re[i]! / n;
        im[i] = im[i]! / n;
      }
    }
  }
}

/** Periodic Hann window: overlapping copies at hop n/2 sum to exactly 1. */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

export const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHz = (mel: number): number => 700 * (Math.pow(10, mel / 2595) - 1);

/** Triangular mel filters over FFT bins (HTK style); `weights[b]` is a dense row of fftSize/2+1 bins. */
export interface MelFilterbank {
  readonly centersHz: Float64Array;
  readonly weights: Float64Array[];
  readonly firstBin: Uint32Array;
  readonly lastBin: Uint32Array;
}

export function melFilterbank(
  bands: number,
  fftSize: number,
  sampleRate: number,
  lowHz: number,
  highHz: number,
): MelFilterbank {
  const bins = fftSize / 2 + 1;
  const lowMel = hzToMel(lowHz);
  const highMel = hzToMel(highHz);
  const edges = new Float64Array(bands + 2);
  for (let i = 0; i < bands + 2; i++) edges[i] = melToHz(lowMel + ((highMel - lowMel) * i) / (bands + 1));
  const weights: Float64Array[] = [];
  const firstBin = new Uint32Array(bands);
  const lastBin = new Uint32Array(bands);
  const centersHz = new Float64Array(bands);
  for (let b = 0; b < bands; b++) {
    const lo = edges[b]!;
    const mid = edges[b + 1]!;
    const hi = edges[b + 2]!;
    centersHz[b] = mid;
    const row = new Float64Array(bins);
    let first = bins;
    let last = 0;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / fftSize;
      const w = f <= lo || f >= hi ? 0 : f <= mid ? (f - lo) / (mid - lo) : (hi - f) / (hi - mid);
      row[k] = w;
      if (w > 0) {
        first = Math.min(first, k);
        last = k;
      }
    }
    // A band narrower than one bin still takes the nearest bin, so no band is ever empty.
    if (first > last) {
      const k = Math.round((mid * fftSize) / sampleRate);
      row[k] = 1;
      first = k;
      last = k;
    }
    weights.push(row);
    firstBin[b] = first;
    lastBin[b] = last;
  }
  return { centersHz, weights, firstBin, lastBin };
}
