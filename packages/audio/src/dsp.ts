/** Zeroth-order modified Bessel function of the first kind (series expansion). */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Kaiser window evaluated at u in [-1, 1] (0 outside). */
export function kaiser(u: number, beta: number): number {
  if (u <= -1 || u >= 1) return 0;
  return besselI0(beta * Math.sqrt(1 - u * u)) / besselI0(beta);
}

/** Normalised sinc: sin(pi x) / (pi x). */
export function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Converts a linear amplitude to dB, mapping 0 to -Infinity. */
export function toDb(linear: number): number {
  return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

/** Converts dB to a linear amplitude factor. */
export function fromDb(db: number): number {
  return Math.pow(10, db / 20);
}

export function assertSampleRate(sampleRate: number, name = 'sampleRate'): void {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new RangeError(`Invalid ${name} ${sampleRate}`);
}
