import { kaiser, sinc } from './dsp';

/** Zero crossings of the sinc kept on each side; with beta 9 this gives ~-90 dB stopband. */
const ZERO_CROSSINGS = 16;
const KAISER_BETA = 9;
/** Passband edge as a fraction of the lower Nyquist frequency; the transition band lies above it. */
const ROLLOFF = 0.92;
/** Above this many phases (awkward ratios such as 44100 -> 47999) phases are quantised. */
const MAX_PHASES = 4096;

const gcd = (a: number, b: number): number => {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
};

/**
 * Band-limited sample-rate conversion with a polyphase Kaiser-windowed sinc filter (rational
 * ratio, 16 zero crossings, stopband below -85 dB). Downsampling removes content above the new
 * Nyquist frequency instead of aliasing it. Output length is ceil(n * toRate / fromRate) and
 * output sample k is aligned with input time k / toRate (no added delay).
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!Number.isInteger(fromRate) || fromRate <= 0) throw new RangeError(`Invalid fromRate ${fromRate}`);
  if (!Number.isInteger(toRate) || toRate <= 0) throw new RangeError(`Invalid toRate ${toRate}`);
  if (fromRate === toRate) return samples.slice();
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const n = samples.length;
  const outLength = Math.ceil((n * up) / down);
  const out = new Float32Array(outLength);
  if (n === 0) return out;

  // Cutoff relative to the input Nyquist; when downsampling it drops to the output Nyquist.
  const cutoff = Math.min(1, up / down) * ROLLOFF;
  const half = Math.ceil(ZERO_CROSSINGS / cutoff);
  const taps = 2 * half;
  const phases = Math.min(up, MAX_PHASES);
  // table[p * taps + k] weights input sample (i0 - half + 1 + k) for an output at i0 + p / phases.
  const table = new Float64Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = frac + half - 1 - k;
      const h = cutoff * sinc(cutoff * t) * kaiser(t / half, KAISER_BETA);
      table[p * taps + k] = h;
      sum += h;
    }
    // Normalising each phase keeps DC gain exactly 1 and removes phase-dependent ripple.
    for (let k = 0; k < taps; k++) table[p * taps + k] = (table[p * taps + k] ?? 0) / sum;
  }

  let i0 = 0; // integer input position
  let rem = 0; // position remainder, in units of 1/up input samples
  for (let m = 0; m < outLength; m++) {
    let p = phases === up ? rem : Math.round((rem * phases) / up);
    let base = i0 - half + 1;
    if (p === phases) {
      p = 0;
      base += 1;
    }
    const row = p * taps;
    let acc = 0;
    if (base >= 0 && base + taps <= n) {
      for (let k = 0; k < taps; k++) acc += (table[row + k] ?? 0) * (samples[base + k] ?? 0);
    } else {
      // Edges: samples outside the signal are zero.
      const kStart = Math.max(0, -base);
      const kEnd = Math.min(taps, n - base);
      for (let k = kStart; k < kEnd; k++) acc += (table[row + k] ?? 0) * (samples[base + k] ?? 0);
    }
    out[m] = acc;
    rem += down;
    if (rem >= up) {
      const q = Math.floor(rem / up);
      i0 += q;
      rem -= q * up;
    }
  }
  return out;
}
