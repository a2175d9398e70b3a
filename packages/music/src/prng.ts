/**
 * Small seeded PRNG (mulberry32 over a splitmix32-scrambled seed). Deterministic across platforms
 * because it uses only 32-bit integer arithmetic; `fork` derives independent streams so adding a
 * random call in one part (say the melody) does not change another part (the drums).
 */
export class Rng {
  private state: number;
  /** Seed-derived constant that names this stream for {@link fork}. */
  private readonly base: number;

  constructor(seed: number) {
    this.state = splitmix32(seed >>> 0);
    this.base = Math.imul(this.state, 0x9e3779b1) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Approximately normal (sum of uniforms); cheap and deterministic. */
  gauss(): number {
    return this.next() + this.next() + this.next() + this.next() - 2;
  }

  /** An independent stream named by `label`, stable however much this stream has been used. */
  fork(label: string): Rng {
    let h = this.base;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return new Rng(h ^ this.base);
  }
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
