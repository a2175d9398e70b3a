import { createHash } from 'node:crypto';

/** Test-side signal analysis, independent of the generator's own code. */

export function sha256(samples: Float32Array): string {
  return createHash('sha256')
    .update(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength))
    .digest('hex');
}

export function rmsDb(samples: Float32Array): number {
  let e = 0;
  for (const s of samples) e += s * s;
  return 10 * Math.log10(e / Math.max(1, samples.length) + 1e-20);
}

/**
 * Tempo from onset autocorrelation: log-energy rises per 256-sample hop, autocorrelated over
 * lags of `minBpm`..`maxBpm`; the best lag is refined by parabolic interpolation.
 */
export function estimateTempo(samples: Float32Array, sampleRate: number, minBpm: number, maxBpm: number): number {
  const hop = 256;
  const frames = Math.floor(samples.length / hop);
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * hop; i < (f + 1) * hop; i++) e += (samples[i] ?? 0) ** 2;
    energy[f] = Math.log10(e + 1e-9);
  }
  const onset = new Float64Array(frames);
  for (let f = 1; f < frames; f++) onset[f] = Math.max(0, (energy[f] ?? 0) - (energy[f - 1] ?? 0));
  const mean = onset.reduce((a, b) => a + b, 0) / frames;
  for (let f = 0; f < frames; f++) onset[f] = (onset[f] ?? 0) - mean;
  const fps = sampleRate / hop;
  const minLag = Math.floor((60 / maxBpm) * fps);
  const maxLag = Math.ceil((60 / minBpm) * fps);
  const ac = (lag: number): number => {
    let s = 0;
    for (let f = 0; f + lag < frames; f++) s += (onset[f] ?? 0) * (onset[f + lag] ?? 0);
    return s / (frames - lag);
  };
  let best = minLag;
  let bestVal = -Infinity;
  for (let lag = minLag; lag <= maxLag; lag++) {
    const v = ac(lag);
    if (v > bestVal) {
      bestVal = v;
      best = lag;
    }
  }
  const a = ac(best - 1);
  const c = ac(best + 1);
  const shift = a - 2 * bestVal + c !== 0 ? (0.5 * (a - c)) / (a - 2 * bestVal + c) : 0;
  return (60 * fps) / (best + shift);
}

/** Energy per pitch class (MIDI 48–95) by Goertzel over 16384-sample frames. */
export function chroma(samples: Float32Array, sampleRate: number): number[] {
  const out = new Array<number>(12).fill(0);
  const frame = 16384;
  for (let start = 0; start + frame <= samples.length; start += frame) {
    for (let midi = 48; midi <= 95; midi++) {
      const f = 440 * Math.pow(2, (midi - 69) / 12);
      const coeff = 2 * Math.cos((2 * Math.PI * f) / sampleRate);
      let s1 = 0;
      let s2 = 0;
      for (let i = start; i < start + frame; i++) {
        const s0 = (samples[i] ?? 0) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      const pc = midi % 12;
      out[pc] = (out[pc] ?? 0) + s1 * s1 + s2 * s2 - coeff * s1 * s2;
    }
  }
  return out;
}

// Krumhansl–Kessler key profiles.
const MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((x, y) => x + y, 0) / a.length;
  const mb = b.reduce((x, y) => x + y, 0) / b.length;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += ((a[i] ?? 0) - ma) * ((b[i] ?? 0) - mb);
    da += ((a[i] ?? 0) - ma) ** 2;
    db += ((b[i] ?? 0) - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** Best Krumhansl key for a chroma vector: tonic pitch class and mode. */
export function detectKey(c: readonly number[]): { tonic: number; mode: 'major' | 'minor' } {
  let best = { tonic: 0, mode: 'major' as 'major' | 'minor', r: -Infinity };
  for (let tonic = 0; tonic < 12; tonic++) {
    const rotated = c.map((_, i) => c[(i + tonic) % 12] ?? 0);
    for (const [mode, profile] of [
      ['major', MAJOR],
      ['minor', MINOR],
    ] as const) {
      const r = correlation(rotated, profile);
      if (r > best.r) best = { tonic, mode, r };
    }
  }
  return { tonic: best.tonic, mode: best.mode };
}

/** Best-matching major or minor triad (root pitch class and quality) for a chroma vector. */
export function detectTriad(c: readonly number[]): { root: number; mode: 'major' | 'minor' } {
  let best = { root: 0, mode: 'major' as 'major' | 'minor', score: -Infinity };
  for (let root = 0; root < 12; root++) {
    for (const [mode, third] of [
      ['major', 4],
      ['minor', 3],
    ] as const) {
      const template = new Array<number>(12).fill(0);
      template[root] = 1;
      template[(root + third) % 12] = 1;
      template[(root + 7) % 12] = 1;
      const score = correlation(c, template);
      if (score > best.score) best = { root, mode, score };
    }
  }
  return { root: best.root, mode: best.mode };
}

/** The relative major/minor of a key shares its pitch-class set; chroma alone cannot tell them apart. */
export function sameKeySignature(
  a: { tonic: number; mode: 'major' | 'minor' },
  b: { tonic: number; mode: 'major' | 'minor' },
): boolean {
  const major = (k: { tonic: number; mode: 'major' | 'minor' }): number =>
    k.mode === 'major' ? k.tonic : (k.tonic + 3) % 12;
  return major(a) === major(b);
}
