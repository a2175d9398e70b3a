import assert from 'node:assert/strict';
import { whiteNoise } from '@voice/testkit';
import type { Denoiser } from '../../src';

/** Every engine reports strictly increasing progress from above 0, with exactly one final 1. */
export async function assertProgressEndsAtOne(denoiser: Denoiser, input: Float32Array): Promise<void> {
  const seen: number[] = [];
  await denoiser.process(input, { strength: 1, yieldEveryFrames: 4, onProgress: (f) => seen.push(f) });
  assert.ok(seen.length > 5, `only ${seen.length} progress reports`);
  for (let i = 1; i < seen.length; i++) assert.ok((seen[i] ?? 0) > (seen[i - 1] ?? 0), 'strictly increasing');
  assert.ok((seen[0] ?? 0) > 0);
  assert.equal(seen.at(-1), 1);
  assert.equal(seen.filter((f) => f >= 1).length, 1, '1 is reported once, at the end');
}

/**
 * An abort mid-stream (`seconds` of noise: long enough that it lands mid-stream) rejects with the abort's reason
 * within 1 s, stops early, and leaves the denoiser usable.
 */
export async function assertAbortsMidStream(denoiser: Denoiser, seconds: number): Promise<void> {
  const rate = denoiser.sampleRate;
  const long = whiteNoise(rate * seconds, 0.05, 3);
  const controller = new AbortController();
  const reason = new Error('job cancelled');
  let abortedAt = 0;
  let lastProgress = 0;
  const run = denoiser.process(long, {
    strength: 1,
    signal: controller.signal,
    onProgress: (f) => {
      lastProgress = f;
      if (f > 0.05 && abortedAt === 0) {
        abortedAt = performance.now();
        // From a timer, as a heartbeat-delivered cancellation would arrive, not synchronously.
        setTimeout(() => controller.abort(reason), 0);
      }
    },
  });
  await assert.rejects(run, (error: unknown) => error === reason);
  const latencyMs = performance.now() - abortedAt;
  assert.ok(abortedAt > 0 && latencyMs < 1000, `rejected ${latencyMs.toFixed(0)} ms after abort`);
  assert.ok(lastProgress < 0.5, 'stopped early instead of finishing the stream');
  assert.equal((await denoiser.process(long.subarray(0, rate), { strength: 1 })).length, rate);
}
