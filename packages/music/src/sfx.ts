import { BrownNoise, mixInto, OnePole, Svf, Wander, white } from './dsp';
import { MusicRequestError } from './errors';
import { Rng } from './prng';

/** Shaping words found in the description, applied to the recipe's parameters. */
export interface SfxModifiers {
  /** Frequency scale: "deep"/"low" < 1 < "high"/"sharp". */
  readonly pitch: number;
  /** Event rate scale: "slow" < 1 < "fast"/"rapid". */
  readonly rate: number;
  /** "heavy"/"big"/"strong" lengthen decays and add low end. */
  readonly heavy: boolean;
}

interface SfxContext {
  readonly n: number;
  readonly sampleRate: number;
  readonly rng: Rng;
  readonly mods: SfxModifiers;
}

type Synth = (ctx: SfxContext) => Float32Array;

interface Recipe {
  readonly id: string;
  /** Words that select the recipe (whole words; a trailing plural "s" is ignored). */
  readonly keywords: readonly string[];
  readonly synth: Synth;
  /**
   * Sparse transients (a click, a knock) cannot reach an integrated-loudness target under a −1 dBTP
   * ceiling without being flattened by the limiter; they are peak-normalised instead.
   */
  readonly impulsive?: boolean;
}

const TAU = 2 * Math.PI;

/** Linear ramp from 0 at 0 to 1 at 1, then a bell: sin² lifted toward an earlier peak by `skew` (< 1). */
function bell(x: number, skew: number): number {
  return Math.pow(Math.sin(Math.PI * Math.pow(Math.min(1, Math.max(0, x)), skew)), 2);
}

/** Times at which repeated events fall: every `interval` s (jittered), starting at `first`. */
function schedule(ctx: SfxContext, interval: number, first: number, jitter: number): number[] {
  const out: number[] = [];
  const seconds = ctx.n / ctx.sampleRate;
  for (let t = first; t < seconds; t += interval * (1 + ctx.rng.gauss() * jitter)) out.push(t);
  return out.length > 0 ? out : [0];
}

const whoosh: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const bp = new Svf(sampleRate, 400, 1.8);
  const low = new OnePole(sampleRate, 800);
  const lo = 250 * mods.pitch;
  const hi = 3200 * mods.pitch;
  for (let i = 0; i < n; i++) {
    const x = i / n;
    const env = bell(x, 0.8);
    // The band rises with the air speed and falls after the pass: pitch follows the envelope.
    bp.set(lo * Math.pow(hi / lo, env), 1.8);
    const w = white(rng);
    bp.process(w);
    out[i] = env * (bp.bandpass + 0.3 * low.process(w));
  }
  return out;
};

const rain: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const hiss = new Svf(sampleRate, 3000 * mods.pitch, 0.5);
  const swell = new Wander(rng, sampleRate, 0.6, 1, 1.5);
  for (let i = 0; i < n; i++) {
    hiss.process(white(rng));
    out[i] = 0.25 * hiss.bandpass * swell.next();
  }
  // Drops: bubble resonances whose pitch rises as they ring (Minnaert-style chirp).
  const perSecond = 90 * mods.rate * (mods.heavy ? 2 : 1);
  const drops = Math.round((perSecond * n) / sampleRate);
  const dropLen = Math.round(0.02 * sampleRate);
  const drop = new Float32Array(dropLen);
  for (let d = 0; d < drops; d++) {
    const f0 = rng.range(1500, 4500) * mods.pitch;
    const amp = Math.pow(rng.next(), 2) * 0.5;
    let phase = 0;
    for (let i = 0; i < dropLen; i++) {
      const t = i / sampleRate;
      phase += (TAU * f0 * (1 + 8 * t)) / sampleRate;
      drop[i] = amp * Math.sin(phase) * Math.exp(-t / 0.004);
    }
    mixInto(out, drop, rng.int(0, n - 1));
  }
  return out;
};

const wind: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const brown = new BrownNoise(rng);
  const bp = new Svf(sampleRate, 500, 2.5);
  const centre = new Wander(rng, sampleRate, 250 * mods.pitch, 900 * mods.pitch, 1.2 / mods.rate);
  const gust = new Wander(rng, sampleRate, 0.25, 1, 1.8 / mods.rate);
  for (let i = 0; i < n; i++) {
    const g = gust.next();
    // Stronger gusts whistle higher, as air speed over edges rises.
    bp.set(centre.next() * (0.8 + 0.5 * g), 2.5);
    bp.process(brown.next() + 0.3 * white(rng));
    out[i] = g * bp.bandpass;
  }
  return out;
};

const waves: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const lp = new Svf(sampleRate, 400, 0.7);
  const brown = new BrownNoise(rng);
  let cycleStart = -rng.range(0, 3) * sampleRate;
  let period = (rng.range(5, 9) * sampleRate) / mods.rate;
  for (let i = 0; i < n; i++) {
    if (i - cycleStart >= period) {
      cycleStart = i;
      period = (rng.range(5, 9) * sampleRate) / mods.rate;
    }
    const x = (i - cycleStart) / period;
    // Surge builds for 35% of the cycle, breaks, then washes back out with a long hissing tail.
    const env = x < 0.35 ? Math.pow(x / 0.35, 2) : Math.exp(-(x - 0.35) * 4.5);
    lp.set((300 + 3500 * env) * mods.pitch, 0.7);
    lp.process(white(rng));
    out[i] = lp.lowpass * (0.15 + 0.85 * env) + 0.05 * brown.next();
  }
  return out;
};

const thunder: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const seconds = n / sampleRate;
  const rumble = new Svf(sampleRate, 120 * mods.pitch, 0.8);
  const crack = new Svf(sampleRate, 2500, 0.7);
  const brown = new BrownNoise(rng);
  const start = Math.min(0.05, seconds * 0.05);
  // Rolls: decaying peaks scattered over the first part, as echoes arrive from different distances.
  const rolls = Array.from({ length: 3 + Math.floor(seconds / 3) }, () => ({
    at: start + rng.range(0, seconds * 0.5),
    amp: rng.range(0.3, 1),
    tau: rng.range(0.4, 1.5),
  }));
  const tau = Math.max(0.5, seconds / 3);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate - start;
    if (t < 0) continue;
    let env = Math.exp(-t / tau);
    for (const r of rolls) {
      const d = i / sampleRate - r.at;
      if (d >= 0) env += r.amp * Math.exp(-d / r.tau) * Math.min(1, d / 0.05);
    }
    rumble.process(brown.next() * 4);
    crack.process(white(rng));
    out[i] = env * rumble.lowpass * 0.5 + crack.bandpass * Math.exp(-t / 0.08) * 0.8;
  }
  return out;
};

const explosion: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const seconds = n / sampleRate;
  const lp = new Svf(sampleRate, 5000, 0.9);
  const tau = Math.min(seconds / 2.5, (mods.heavy ? 1.4 : 0.9) + seconds * 0.1);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    // Cutoff falls from a bright blast to a dull roar; a sub-bass thump drops in pitch underneath.
    lp.set((150 + 5000 * Math.exp(-t / 0.25)) * mods.pitch, 0.9);
    lp.process(white(rng) * (1 + 0.5 * Math.sin(TAU * 7 * t) * rng.next()));
    const f = (30 + 70 * Math.exp(-t / 0.08)) * mods.pitch;
    phase += (TAU * f) / sampleRate;
    const attack = Math.min(1, t / 0.003);
    out[i] = attack * (lp.lowpass * Math.exp(-t / tau) + 0.9 * Math.sin(phase) * Math.exp(-t / 0.35));
  }
  // Debris: sparse crackles in the first half.
  const crackle = new Float32Array(Math.round(0.004 * sampleRate));
  for (let c = 0; c < seconds * 25; c++) {
    for (let i = 0; i < crackle.length; i++) crackle[i] = white(rng) * Math.exp(-i / (0.001 * sampleRate));
    const at = Math.round(rng.range(0.05, 0.5) * n);
    mixInto(out, crackle, at, 0.15 * Math.exp(-at / sampleRate / tau));
  }
  return out;
};

const laser: Synth = (ctx) => {
  const { n, sampleRate, mods } = ctx;
  const out = new Float32Array(n);
  const shotLen = Math.min(n, Math.round(0.22 * sampleRate));
  const shot = new Float32Array(shotLen);
  let phase = 0;
  for (let i = 0; i < shotLen; i++) {
    const x = i / shotLen;
    // Exponential pitch fall is the "pew"; tanh gives a buzzy near-square tone.
    const f = 1800 * mods.pitch * Math.pow(250 / 1800, x);
    phase += (TAU * f) / sampleRate;
    shot[i] = Math.tanh(3 * Math.sin(phase)) * Math.exp(-x * 2.5) * Math.min(1, i / 48);
  }
  for (const t of schedule(ctx, 0.4 / mods.rate, 0, 0.15)) mixInto(out, shot, Math.round(t * sampleRate), 0.5);
  return out;
};

const click: Synth = (ctx) => {
  const { n, sampleRate, rng, mods } = ctx;
  const out = new Float32Array(n);
  const len = Math.round(0.012 * sampleRate);
  for (const t of schedule(ctx, 0.5 / mods.rate, 0.01, 0.1)) {
    const bp = new Svf(sampleRate, rng.range(2500, 3500) * mods.pitch, 3);
    const c = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      bp.process(i < 96 ? white(rng) : 0);
      c[i] =
        bp.bandpass * Math.exp(-i / (0.002 * sampleRate)) +
        0.4 * Math.sin((TAU * 1500 * mods.pitch * i) / sampleRate) * Math.exp(-i / (0.003 * sampleRate));
    }
    mixInto(out, c, Math.round(t * sampleRate));
  }
  return out;
};

const pop: Synth = (ctx) => {
  const { n, sampleRate, rng, mods } = ctx;
  const out = new Float32Array(n);
  const len = Math.round(0.06 * sampleRate);
  for (const t of schedule(ctx, 0.35 / mods.rate, 0.01, 0.4)) {
    const p = new Float32Array(len);
    const f0 = rng.range(500, 800) * mods.pitch;
    let phase = 0;
    for (let i = 0; i < len; i++) {
      const s = i / sampleRate;
      phase += (TAU * (f0 * 0.3 + f0 * 0.7 * Math.exp(-s / 0.01))) / sampleRate;
      p[i] = Math.sin(phase) * Math.exp(-s / 0.015) * Math.min(1, i / 24);
    }
    mixInto(out, p, Math.round(t * sampleRate));
  }
  return out;
};

const beep: Synth = ({ n, sampleRate, mods }) => {
  const out = new Float32Array(n);
  const period = Math.round((0.3 / mods.rate) * sampleRate);
  const on = Math.round(period * 0.5);
  const ramp = Math.round(0.005 * sampleRate);
  const f = 1000 * mods.pitch;
  for (let i = 0; i < n; i++) {
    const k = i % period;
    if (k >= on) continue;
    const edge = Math.min(1, k / ramp, (on - k) / ramp);
    out[i] = 0.5 * Math.sin((TAU * f * i) / sampleRate) * edge;
  }
  return out;
};

/** Struck bar or bell tone: partials (ratio, amplitude, decay seconds). */
function strike(
  sampleRate: number,
  f0: number,
  partials: readonly (readonly [number, number, number])[],
  seconds: number,
): Float32Array {
  const len = Math.round(seconds * sampleRate);
  const out = new Float32Array(len);
  for (const [ratio, amp, decay] of partials) {
    const w = (TAU * f0 * ratio) / sampleRate;
    if (f0 * ratio >= sampleRate / 2) continue;
    for (let i = 0; i < len; i++) out[i] = (out[i] ?? 0) + amp * Math.sin(w * i) * Math.exp(-i / (decay * sampleRate));
  }
  const attack = Math.round(0.002 * sampleRate);
  for (let i = 0; i < attack && i < len; i++) out[i] = (out[i] ?? 0) * (i / attack);
  return out;
}

const chime: Synth = (ctx) => {
  const { n, sampleRate, mods } = ctx;
  const out = new Float32Array(n);
  const partials = [
    [1, 1, 0.6],
    [2, 0.35, 0.3],
    [3, 0.12, 0.15],
    [4.2, 0.08, 0.1],
  ] as const;
  // A rising major triad (C6–E6–G6), the common "success"/notification gesture.
  const notes = [1046.5, 1318.5, 1568].map((f) => strike(sampleRate, f * mods.pitch, partials, 1.2));
  const gap = 0.11 / mods.rate;
  for (const t of schedule(ctx, Math.max(1.5, 2.5 / mods.rate), 0, 0)) {
    notes.forEach((note, k) => mixInto(out, note, Math.round((t + k * gap) * sampleRate), 0.4));
  }
  return out;
};

const bellSound: Synth = (ctx) => {
  const { n, sampleRate, mods } = ctx;
  const out = new Float32Array(n);
  // Church-bell partials: hum, prime, minor-third tierce, quint, nominal and upper partials.
  const partials = [
    [0.5, 0.6, 4],
    [1, 0.8, 3],
    [1.19, 0.5, 2.2],
    [1.5, 0.35, 1.8],
    [2, 0.6, 1.5],
    [2.52, 0.25, 1],
    [2.66, 0.2, 0.9],
    [3.01, 0.15, 0.7],
    [4.1, 0.1, 0.5],
    [5.4, 0.06, 0.3],
  ] as const;
  const tone = strike(sampleRate, (mods.heavy ? 150 : 260) * mods.pitch, partials, Math.min(6, n / sampleRate + 1));
  for (const t of schedule(ctx, 2.5 / mods.rate, 0, 0)) mixInto(out, tone, Math.round(t * sampleRate), 0.4);
  return out;
};

const applause: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const seconds = n / sampleRate;
  const claps = Math.round(seconds * 30 * mods.rate);
  const len = Math.round(0.02 * sampleRate);
  const one = new Float32Array(len);
  for (let c = 0; c < claps; c++) {
    const bp = new Svf(sampleRate, rng.range(800, 2500) * mods.pitch, rng.range(1, 2.5));
    for (let i = 0; i < len; i++) {
      bp.process(white(rng));
      one[i] = bp.bandpass * Math.exp(-i / (0.005 * sampleRate));
    }
    const t = rng.next() * seconds;
    // The crowd swells in over half a second and thins out over the last third.
    const swell = Math.min(1, t / 0.5) * Math.min(1, (seconds - t) / Math.max(0.3, seconds / 3));
    mixInto(out, one, Math.round(t * sampleRate), rng.range(0.3, 1) * swell);
  }
  return out;
};

const footsteps: Synth = (ctx) => {
  const { n, sampleRate, rng, mods } = ctx;
  const out = new Float32Array(n);
  const len = Math.round(0.15 * sampleRate);
  let foot = 0;
  for (const t of schedule(ctx, 0.55 / mods.rate, 0.05, 0.05)) {
    const step = new Float32Array(len);
    const thud = new OnePole(sampleRate, 300 * mods.pitch);
    const scuff = new Svf(sampleRate, 2000 * mods.pitch, 1.2);
    const toe = Math.round(rng.range(0.04, 0.07) * sampleRate);
    for (let i = 0; i < len; i++) {
      const s = i / sampleRate;
      const heel =
        thud.process(white(rng)) * 3 * Math.exp(-s / 0.03) +
        0.6 * Math.sin(TAU * 70 * mods.pitch * s) * Math.exp(-s / 0.04);
      scuff.process(i >= toe ? white(rng) : 0);
      step[i] = heel + (i >= toe ? 0.3 * scuff.bandpass * Math.exp(-(i - toe) / (0.025 * sampleRate)) : 0);
    }
    // Left and right feet land slightly differently.
    mixInto(out, step, Math.round(t * sampleRate), foot++ % 2 === 0 ? 1 : 0.8);
  }
  return out;
};

const heartbeat: Synth = (ctx) => {
  const { n, sampleRate, mods } = ctx;
  const out = new Float32Array(n);
  const thump = (f: number): Float32Array => {
    const len = Math.round(0.18 * sampleRate);
    const b = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      const s = i / sampleRate;
      b[i] = Math.sin(TAU * f * mods.pitch * s) * Math.min(1, s / 0.01) * Math.exp(-s / 0.05);
    }
    return b;
  };
  const lub = thump(55);
  const dub = thump(70);
  // 70 bpm at rate 1: the "lub" (mitral/tricuspid) is louder than the "dub" 0.3 s later.
  for (const t of schedule(ctx, 60 / (70 * mods.rate), 0.05, 0.02)) {
    mixInto(out, lub, Math.round(t * sampleRate), 1);
    mixInto(out, dub, Math.round((t + 0.28 / Math.sqrt(mods.rate)) * sampleRate), 0.7);
  }
  return out;
};

const engine: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const lp = new Svf(sampleRate, 900, 0.8);
  const rpm = new Wander(rng, sampleRate, 0.95, 1.05, 0.8);
  const f0 = (mods.heavy ? 28 : 38) * mods.pitch * mods.rate;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (f0 * rpm.next()) / sampleRate;
    phase -= Math.floor(phase);
    // Each firing is a sharp pressure pulse; the exhaust noise is modulated by it.
    const pulse = Math.exp(-phase * 10);
    lp.process(pulse - 0.1 + 0.25 * white(rng) * (0.4 + pulse));
    out[i] = lp.lowpass;
  }
  return out;
};

const hum: Synth = ({ n, sampleRate, rng, mods }) => {
  const out = new Float32Array(n);
  const f = 50 * mods.pitch;
  const harmonics = [
    [1, 1],
    [2, 0.5],
    [3, 0.35],
    [4, 0.15],
    [5, 0.12],
    [7, 0.06],
  ] as const;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const [k, a] of harmonics) s += a * Math.sin((TAU * f * k * i) / sampleRate);
    out[i] = 0.3 * s + 0.01 * white(rng);
  }
  return out;
};

const knock: Synth = (ctx) => {
  const { n, sampleRate, rng, mods } = ctx;
  const out = new Float32Array(n);
  const len = Math.round(0.12 * sampleRate);
  // Knock-knock-knock, then a pause, like someone at the door.
  for (const group of schedule(ctx, 1.6 / mods.rate, 0.05, 0.05)) {
    for (let k = 0; k < 3; k++) {
      const body = new Svf(sampleRate, rng.range(160, 200) * mods.pitch, 6);
      const panel = new Svf(sampleRate, rng.range(380, 460) * mods.pitch, 5);
      const hit = new Float32Array(len);
      for (let i = 0; i < len; i++) {
        const x = i < 60 ? white(rng) : 0;
        body.process(x);
        panel.process(x);
        hit[i] = (4 * body.bandpass + 2 * panel.bandpass) * Math.exp(-i / (0.03 * sampleRate)) + (i < 30 ? 0.5 * x : 0);
      }
      mixInto(out, hit, Math.round((group + (k * 0.19) / mods.rate) * sampleRate), k === 2 ? 1 : 0.85);
    }
  }
  return out;
};

const RECIPES: readonly Recipe[] = [
  { id: 'whoosh', keywords: ['whoosh', 'swoosh', 'woosh', 'swish', 'swipe', 'swoop', 'transition'], synth: whoosh },
  { id: 'rain', keywords: ['rain', 'rainfall', 'drizzle', 'downpour', 'raindrop'], synth: rain },
  { id: 'wind', keywords: ['wind', 'windy', 'breeze', 'gust', 'howling'], synth: wind },
  { id: 'ocean-waves', keywords: ['ocean', 'wave', 'sea', 'surf', 'beach', 'shore', 'seaside'], synth: waves },
  { id: 'thunder', keywords: ['thunder', 'thunderstorm', 'lightning', 'storm', 'rumble'], synth: thunder },
  {
    id: 'explosion',
    keywords: ['explosion', 'explode', 'boom', 'blast', 'bomb', 'detonation', 'impact'],
    synth: explosion,
  },
  { id: 'laser', keywords: ['laser', 'zap', 'pew', 'blaster', 'phaser', 'raygun'], synth: laser },
  { id: 'click', keywords: ['click', 'tick', 'tap', 'clicking'], synth: click, impulsive: true },
  { id: 'pop', keywords: ['pop', 'bubble', 'plop', 'popping'], synth: pop },
  { id: 'beep', keywords: ['beep', 'bleep', 'alarm', 'beeping'], synth: beep },
  { id: 'chime', keywords: ['chime', 'notification', 'ding', 'alert', 'ping', 'success', 'message'], synth: chime },
  { id: 'applause', keywords: ['applause', 'clapping', 'clap', 'cheering', 'audience', 'ovation'], synth: applause },
  { id: 'footsteps', keywords: ['footstep', 'steps', 'walking', 'walk', 'running', 'stomp'], synth: footsteps },
  { id: 'heartbeat', keywords: ['heartbeat', 'heart', 'pulse'], synth: heartbeat },
  { id: 'engine', keywords: ['engine', 'motor', 'car', 'truck', 'idle', 'idling', 'motorcycle'], synth: engine },
  { id: 'hum', keywords: ['hum', 'humming', 'buzz', 'mains', 'electrical', 'transformer'], synth: hum },
  { id: 'bell', keywords: ['bell', 'church', 'toll', 'gong'], synth: bellSound },
  { id: 'door-knock', keywords: ['knock', 'knocking', 'door'], synth: knock, impulsive: true },
];

/** Every keyword the SFX generator understands, sorted. */
export const SFX_KEYWORDS: readonly string[] = [...new Set(RECIPES.flatMap((r) => r.keywords))].sort();
/** Recipe ids (what `metadata.effect` reports). */
export const SFX_EFFECTS: readonly string[] = RECIPES.map((r) => r.id);

/** What a description resolved to. */
export interface SfxPlan {
  readonly effect: string;
  /** Peak-normalise instead of loudness-normalise (see Recipe.impulsive). */
  readonly impulsive: boolean;
  readonly keyword: string;
  readonly modifiers: SfxModifiers;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

/**
 * Picks the recipe for a description: the earliest word (in reading order) that is a keyword,
 * so "door knock in the rain" is a knock. Throws {@link MusicRequestError} listing every
 * supported keyword when nothing matches.
 */
export function planSfx(description: string): SfxPlan {
  const tokens = words(description);
  for (const token of tokens) {
    const singular = token.length > 3 && token.endsWith('s') ? token.slice(0, -1) : token;
    const recipe = RECIPES.find((r) => r.keywords.includes(token) || r.keywords.includes(singular));
    if (recipe) {
      return {
        effect: recipe.id,
        impulsive: recipe.impulsive === true,
        keyword: token,
        modifiers: modifiersOf(tokens),
      };
    }
  }
  throw new MusicRequestError(
    'unknown_sfx',
    `No sound effect matches "${description.slice(0, 200)}". Describe it with one of: ${SFX_KEYWORDS.join(', ')}.`,
    SFX_KEYWORDS,
  );
}

function modifiersOf(tokens: readonly string[]): SfxModifiers {
  const has = (...w: string[]): boolean => w.some((x) => tokens.includes(x));
  const pitch = has('deep', 'low', 'big', 'heavy', 'huge')
    ? 0.7
    : has('high', 'sharp', 'small', 'tiny', 'bright')
      ? 1.4
      : 1;
  const rate = has('fast', 'rapid', 'quick', 'racing', 'running')
    ? 1.5
    : has('slow', 'gentle', 'lazy', 'calm')
      ? 0.7
      : 1;
  return { pitch, rate, heavy: has('heavy', 'big', 'huge', 'massive', 'strong') };
}

/** Synthesises the planned effect: exactly `n` mono samples, unnormalised. */
export function synthesizeSfx(plan: SfxPlan, n: number, sampleRate: number, seed: number): Float32Array {
  const recipe = RECIPES.find((r) => r.id === plan.effect);
  if (!recipe) throw new Error(`internal: no recipe ${plan.effect}`);
  const rng = new Rng(seed).fork(recipe.id);
  const out = recipe.synth({ n, sampleRate, rng, mods: plan.modifiers });
  if (out.length !== n) throw new Error(`internal: recipe ${plan.effect} returned ${out.length} samples, wanted ${n}`);
  return out;
}
