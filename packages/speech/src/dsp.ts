/**
 * Time-stretch by WSOLA (waveform-similarity overlap-add): 30 ms Hann frames at 50% overlap, each
 * frame's read position searched ±10 ms for the best match with the natural continuation of the
 * previous frame, so periodic (voiced) speech stays phase-coherent. `rate` > 1 shortens the audio:
 * output length ≈ input length / rate. Pitch is unchanged.
 */
export function timeStretch(samples: Float32Array, sampleRate: number, rate: number): Float32Array {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`Invalid stretch rate ${rate}`);
  const outLength = Math.max(0, Math.round(samples.length / rate));
  if (Math.abs(rate - 1) < 1e-3 || samples.length === 0) return samples.slice();
  const frame = Math.max(32, 2 * Math.round(0.015 * sampleRate));
  const hop = frame / 2;
  const tolerance = Math.round(0.01 * sampleRate);
  const window = new Float32Array(frame);
  for (let i = 0; i < frame; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame);
  const out = new Float32Array(outLength + frame);
  const norm = new Float32Array(outLength + frame);
  const at = (i: number): number => (i >= 0 && i < samples.length ? (samples[i] ?? 0) : 0);
  // Correlating every second sample halves the search cost with no audible difference.
  const step = sampleRate > 12000 ? 2 : 1;
  let prevRead = 0;
  for (let outPos = 0; outPos < outLength; outPos += hop) {
    const nominal = Math.round(outPos * rate);
    let best = nominal;
    if (outPos > 0) {
      const natural = prevRead + hop;
      let bestScore = -Infinity;
      for (let d = -tolerance; d <= tolerance; d++) {
        const cand = nominal + d;
        let score = 0;
        for (let i = 0; i < frame; i += step) score += at(cand + i) * at(natural + i);
        if (score > bestScore) {
          bestScore = score;
          best = cand;
        }
      }
    }
    for (let i = 0; i < frame; i++) {
      const w = window[i] ?? 0;
      out[outPos + i] = (out[outPos + i] ?? 0) + w * at(best + i);
      norm[outPos + i] = (norm[outPos + i] ?? 0) + w;
    }
    prevRead = best;
  }
  const result = new Float32Array(outLength);
  for (let i = 0; i < outLength; i++) {
    const n = norm[i] ?? 0;
    result[i] = n > 1e-3 ? (out[i] ?? 0) / n : (out[i] ?? 0);
  }
  return result;
}

/** Reads `samples` at `ratio` input samples per output sample with Catmull-Rom cubic interpolation. */
function resampleByRatio(samples: Float32Array, ratio: number): Float32Array {
  const outLength = Math.floor(samples.length / ratio);
  const out = new Float32Array(outLength);
  const at = (i: number): number => samples[Math.min(samples.length - 1, Math.max(0, i))] ?? 0;
  for (let j = 0; j < outLength; j++) {
    const x = j * ratio;
    const i = Math.floor(x);
    const t = x - i;
    const p0 = at(i - 1);
    const p1 = at(i);
    const p2 = at(i + 1);
    const p3 = at(i + 2);
    out[j] = p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
  }
  return out;
}

/**
 * Shifts pitch by `factor` (2 = one octave up) keeping duration: WSOLA-stretch the audio by `factor`,
 * then resample it back to the original length, which scales every frequency by `factor`. Formants move
 * with the pitch (no formant correction), which is acceptable within about ±4 semitones.
 */
export function pitchShift(samples: Float32Array, sampleRate: number, factor: number): Float32Array {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`Invalid pitch factor ${factor}`);
  if (Math.abs(factor - 1) < 1e-3) return samples.slice();
  const stretched = timeStretch(samples, sampleRate, 1 / factor);
  const shifted = resampleByRatio(stretched, factor);
  // Rounding in the two steps can leave the length a few samples off; pin it to the input's.
  const out = new Float32Array(samples.length);
  out.set(shifted.subarray(0, samples.length));
  return out;
}

/** Concatenates pieces with `pauseSeconds` of silence between them. */
export function joinWithPauses(
  pieces: readonly Float32Array[],
  sampleRate: number,
  pauseSeconds: number,
): Float32Array {
  const pause = Math.round(pauseSeconds * sampleRate);
  const total = pieces.reduce((sum, p) => sum + p.length, 0) + pause * Math.max(0, pieces.length - 1);
  const out = new Float32Array(total);
  let offset = 0;
  pieces.forEach((piece, i) => {
    if (i > 0) offset += pause;
    out.set(piece, offset);
    offset += piece.length;
  });
  return out;
}

/** Trims leading and trailing near-silence (below `threshold` absolute amplitude), keeping `keepSeconds` margin. */
export function trimSilenceEdges(samples: Float32Array, sampleRate: number, threshold = 0.01, keepSeconds = 0.03) {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < threshold) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) < threshold) last--;
  if (first >= samples.length) return new Float32Array(0);
  const keep = Math.round(keepSeconds * sampleRate);
  return samples.slice(Math.max(0, first - keep), Math.min(samples.length, last + 1 + keep));
}
