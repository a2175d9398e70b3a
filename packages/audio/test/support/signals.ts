/** Deterministic signal generators shared by the tests. */

/** Mulberry32: a small seeded PRNG so fixtures are identical on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sine(
  frequency: number,
  sampleRate: number,
  seconds: number,
  amplitude: number,
  phase = 0,
): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate + phase);
  return out;
}

/** Applies raised-cosine fades so band-limited measurements are not dominated by edge steps. */
export function fade(samples: Float32Array, sampleRate: number, seconds = 0.01): Float32Array {
  const n = Math.min(Math.round(seconds * sampleRate), Math.floor(samples.length / 2));
  for (let i = 0; i < n; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
    samples[i] = (samples[i] ?? 0) * g;
    samples[samples.length - 1 - i] = (samples[samples.length - 1 - i] ?? 0) * g;
  }
  return samples;
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const dbToAmp = (db: number): number => Math.pow(10, db / 20);

/**
 * Speech-like material: voiced syllables (harmonic series on a gliding f0 with formant-shaped
 * amplitudes and fast attacks), noisy fricative/plosive bursts, and pauses. Peak-to-loudness
 * ratio and transients resemble real speech, which is what the limiter has to cope with.
 */
export function speechLike(sampleRate: number, seconds: number, seed = 1): Float32Array {
  const rand = rng(seed);
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  let t = 0;
  while (t < n) {
    const kind = rand();
    const length = Math.round(sampleRate * (0.06 + rand() * 0.22));
    const level = 0.05 + rand() * 0.3;
    if (kind < 0.7) {
      const f0 = 90 + rand() * 140;
      const glide = (rand() - 0.5) * 60;
      const formant = 400 + rand() * 2200;
      // Random harmonic phases: in-phase harmonics would give a buzz far peakier than a voice.
      const phases = Array.from({ length: 64 }, () => rand() * 2 * Math.PI);
      let phase = 0;
      for (let i = 0; i < length && t + i < n; i++) {
        const env = Math.min(1, i / (0.004 * sampleRate)) * Math.exp((-3 * i) / length);
        phase += (2 * Math.PI * (f0 + (glide * i) / length)) / sampleRate;
        let v = 0;
        for (let h = 1; h * f0 < Math.min(4000, sampleRate / 2 - 200); h++) {
          const f = h * f0;
          const weight = 1 / (1 + Math.pow((f - formant) / 300, 2)) + 0.3 / h;
          v += weight * Math.sin(h * phase + (phases[h] ?? 0));
        }
        out[t + i] = level * 0.35 * env * v;
      }
    } else if (kind < 0.85) {
      // Plosive: near-instant attack, very short decay.
      for (let i = 0; i < length / 3 && t + i < n; i++) {
        out[t + i] = level * 0.6 * (rand() * 2 - 1) * Math.exp((-12 * i) / length);
      }
    } else {
      for (let i = 0; i < length && t + i < n; i++) {
        out[t + i] = level * 0.4 * (rand() * 2 - 1) * Math.sin((Math.PI * i) / length);
      }
    }
    t += length + Math.round(sampleRate * rand() * rand() * 0.4);
  }
  return out;
}

/** Gaussian-ish white noise (sum of uniforms) with the given RMS. */
export function noise(sampleRate: number, seconds: number, rms: number, seed = 7): Float32Array {
  const rand = rng(seed);
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  // Sum of 4 uniforms in [-1, 1] has variance 4/3.
  const scale = rms / Math.sqrt(4 / 3);
  for (let i = 0; i < n; i++) out[i] = scale * (rand() * 2 - 1 + rand() * 2 - 1 + rand() * 2 - 1 + rand() * 2 - 1);
  return out;
}
