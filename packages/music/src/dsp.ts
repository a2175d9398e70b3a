import type { Rng } from './prng';

/** One-pole low-pass; `set` may be called per sample for sweeps. */
export class OnePole {
  private y = 0;
  private a = 1;

  constructor(
    private readonly sampleRate: number,
    cutoff: number,
  ) {
    this.set(cutoff);
  }

  set(cutoff: number): void {
    this.a = 1 - Math.exp((-2 * Math.PI * Math.min(cutoff, this.sampleRate * 0.45)) / this.sampleRate);
  }

  process(x: number): number {
    this.y += this.a * (x - this.y);
    return this.y;
  }
}

/**
 * Topology-preserving state-variable filter (Zavalishin). Stable under per-sample cutoff
 * modulation, which the swept effects (whoosh, wind, explosion) depend on.
 */
export class Svf {
  private ic1 = 0;
  private ic2 = 0;
  private g = 0;
  private k = 1;
  lowpass = 0;
  bandpass = 0;
  highpass = 0;

  constructor(
    private readonly sampleRate: number,
    cutoff: number,
    q: number,
  ) {
    this.set(cutoff, q);
  }

  set(cutoff: number, q: number): void {
    const fc = Math.min(Math.max(cutoff, 10), this.sampleRate * 0.45);
    this.g = Math.tan((Math.PI * fc) / this.sampleRate);
    this.k = 1 / Math.max(q, 0.05);
  }

  process(x: number): void {
    const g = this.g;
    const k = this.k;
    const hp = (x - (k + g) * this.ic1 - this.ic2) / (1 + g * (g + k));
    const bp = g * hp + this.ic1;
    const lp = g * bp + this.ic2;
    this.ic1 = 2 * bp - this.ic1;
    this.ic2 = 2 * lp - this.ic2;
    this.highpass = hp;
    this.bandpass = bp;
    this.lowpass = lp;
  }
}

export function white(rng: Rng): number {
  return rng.next() * 2 - 1;
}

/** Leaky-integrated white noise (≈ brown, −6 dB/octave), roughly unit scale. */
export class BrownNoise {
  private y = 0;

  constructor(private readonly rng: Rng) {}

  next(): number {
    this.y = 0.995 * this.y + 0.1 * white(this.rng);
    return this.y;
  }
}

/** Smoothly wandering value in [lo, hi]: random targets every `hold` seconds, one-pole glide. */
export class Wander {
  private value: number;
  private target: number;
  private countdown = 0;
  private readonly coef: number;

  constructor(
    private readonly rng: Rng,
    private readonly sampleRate: number,
    private readonly lo: number,
    private readonly hi: number,
    private readonly hold: number,
  ) {
    this.value = rng.range(lo, hi);
    this.target = this.value;
    this.coef = 1 - Math.exp(-1 / (hold * 0.5 * sampleRate));
  }

  next(): number {
    if (--this.countdown <= 0) {
      this.target = this.rng.range(this.lo, this.hi);
      this.countdown = Math.round(this.hold * this.sampleRate * this.rng.range(0.5, 1.5));
    }
    this.value += this.coef * (this.target - this.value);
    return this.value;
  }
}

/** Adds `source` into `target` at sample offset `at` (clipped to the target). */
export function mixInto(target: Float32Array, source: Float32Array, at: number, gain = 1): void {
  const start = Math.max(0, at);
  const end = Math.min(target.length, at + source.length);
  for (let i = start; i < end; i++) target[i] = (target[i] ?? 0) + (source[i - at] ?? 0) * gain;
}

/** First-order DC blocker (≈ 10 Hz corner at 48 kHz), in place. */
export function removeDc(samples: Float32Array, sampleRate: number): void {
  const r = Math.exp((-2 * Math.PI * 10) / sampleRate);
  let x1 = 0;
  let y1 = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] ?? 0;
    const y = x - x1 + r * y1;
    x1 = x;
    y1 = y;
    samples[i] = y;
  }
}

/**
 * Mix-bus compressor (peak detector, gain smoothed in dB): tames the drum and attack transients
 * of a raw synth mix so the final true-peak limiter only shaves, instead of doing 6–8 dB of
 * pumping gain reduction to reach −14 LUFS under −1 dBTP. In place.
 */
export function compressBus(
  samples: Float32Array,
  sampleRate: number,
  opts: { thresholdDb: number; ratio: number; attackSeconds: number; releaseSeconds: number },
): void {
  const att = Math.exp(-1 / (opts.attackSeconds * sampleRate));
  const rel = Math.exp(-1 / (opts.releaseSeconds * sampleRate));
  const slope = 1 - 1 / opts.ratio;
  let reduction = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] ?? 0;
    const level = 20 * Math.log10(Math.abs(x) + 1e-12);
    const want = level > opts.thresholdDb ? (level - opts.thresholdDb) * slope : 0;
    reduction = want > reduction ? att * reduction + (1 - att) * want : rel * reduction + (1 - rel) * want;
    samples[i] = x * Math.pow(10, -reduction / 20);
  }
}
