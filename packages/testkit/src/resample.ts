/**
 * Windowed-sinc resampler for fixtures (not production quality, but alias-free enough that SNR
 * measurements reflect the denoiser rather than the resampler). Kept local so testkit has no
 * dependency on @voice/audio.
 */
export function resampleForTest(input: Float32Array, fromRate: number, toRate: number, halfTaps = 32): Float32Array {
  if (fromRate === toRate) return input.slice();
  const ratio = toRate / fromRate;
  const outLength = Math.round(input.length * ratio);
  const out = new Float32Array(outLength);
  // Low-pass at the lower Nyquist; when downsampling the kernel widens by 1/ratio.
  const cutoff = Math.min(1, ratio);
  const width = halfTaps / cutoff;
  for (let i = 0; i < outLength; i++) {
    const t = i / ratio;
    const first = Math.max(0, Math.ceil(t - width));
    const last = Math.min(input.length - 1, Math.floor(t + width));
    let acc = 0;
    for (let k = first; k <= last; k++) {
      const x = (t - k) * cutoff;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      // Hann window over ±width input samples.
      const w = 0.5 + 0.5 * Math.cos((Math.PI * (t - k)) / width);
      acc += (input[k] ?? 0) * sinc * w;
    }
    out[i] = acc * cutoff;
  }
  return out;
}
