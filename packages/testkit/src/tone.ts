/** Power of the `hz` component relative to total power over x[from, to) (Goertzel): ~1 for a pure tone there. */
export function toneFraction(
  x: Float32Array,
  sampleRate: number,
  hz: number,
  fromIndex = 0,
  toIndex = x.length,
): number {
  const from = Math.round(fromIndex);
  const to = Math.round(toIndex);
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let total = 0;
  for (let i = from; i < to; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += x[i]! * x[i]!;
  }
  const n = to - from;
  const power = (s1 * s1 + s2 * s2 - coeff * s1 * s2) / ((n * n) / 2);
  return power / (total / n);
}
