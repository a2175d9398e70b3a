/** Deterministic 32-bit PRNG (mulberry32): fixtures must be identical on every run and machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // Box-Muller; 1 - u keeps log() away from 0.
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Root-mean-square of a signal. */
export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

function scaleToRms(samples: Float32Array, target: number): Float32Array {
  const current = rms(samples);
  if (current > 0) {
    const g = target / current;
    for (let i = 0; i < samples.length; i++) samples[i] = (samples[i] ?? 0) * g;
  }
  return samples;
}

/** Gaussian white noise with exactly the given RMS. */
export function whiteNoise(n: number, targetRms: number, seed: number): Float32Array {
  const next = gaussian(seededRandom(seed));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return scaleToRms(out, targetRms);
}

/** Pink (1/f) noise with exactly the given RMS: Paul Kellet's refined filter over Gaussian white noise. */
export function pinkNoise(n: number, targetRms: number, seed: number): Float32Array {
  const next = gaussian(seededRandom(seed));
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let i = 0; i < n; i++) {
    const w = next();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return scaleToRms(out, targetRms);
}
