import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { getModel, isInstalled, type ModelLocation, type ModelManifest } from '@voice/models';
import { mixAtSnr, synthesizeSpeech, whiteNoise } from '@voice/testkit';
import { loadDenoiser, type Denoiser, type DenoiseStream } from '../src';

const RATE = 48000;
// Same place the models CLI installs to (it also honours MODELS_DIR).
const location: ModelLocation = { modelsDir: process.env.MODELS_DIR || undefined };
// DENOISE_STREAM_FULL=1 streams 20 minutes through every engine: about 4 minutes of CPU.
const FULL = Boolean(process.env.DENOISE_STREAM_FULL);

function model(id: string): ModelManifest {
  const m = getModel(id);
  assert.ok(m, `model ${id} missing from the registry`);
  return m;
}

// Locally a missing native install is a skip with instructions; in CI the model must be there.
const dfnSkip =
  !isInstalled(model('deepfilternet3'), location) && !process.env.CI
    ? 'deepfilternet3 is not installed: run `npm run models -- install --only deepfilternet3` (required when CI is set)'
    : false;

/**
 * Minutes of synthetic audio each engine streams in the memory spec. By default the 20-minute run goes through
 * speex (the fastest, RTF ~0.01) — the buffering under test is the engine-independent stream layer — and the
 * slower engines run long enough to show their own state stays flat (gtcrn RTF ~0.12, deepfilternet3 ~0.15).
 */
const MEMORY_MINUTES: Record<string, number> = FULL
  ? { speex: 20, rnnoise: 20, gtcrn: 20, deepfilternet3: 20 }
  : { speex: 20, rnnoise: 2, gtcrn: 1, deepfilternet3: 1 };

const ENGINES = ['gtcrn', 'rnnoise', 'speex', 'deepfilternet3'] as const;
type EngineId = (typeof ENGINES)[number];
const skipFor = (id: EngineId): string | false => (id === 'deepfilternet3' ? dfnSkip : false);

/** Splits `input` into consecutive blocks of the given sizes, cycling through them. */
function* blocks(input: Float32Array, sizes: readonly number[]): Generator<Float32Array> {
  let at = 0;
  for (let i = 0; at < input.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    yield input.subarray(at, Math.min(input.length, at + size));
    at += size;
  }
}

/** Streams `input` block by block, checking after each push that the output never trails by more than the delay. */
async function streamThrough(
  stream: DenoiseStream,
  parts: Iterable<Float32Array>,
  total: number,
): Promise<Float32Array> {
  const out = new Float32Array(total);
  let fed = 0;
  let written = 0;
  for (const block of parts) {
    const chunk = await stream.push(block);
    fed += block.length;
    out.set(chunk, written);
    written += chunk.length;
    // Bounded buffering: the model's delay plus at most one partial frame (frames are ≤ 960 samples).
    assert.ok(fed - written <= stream.latency + 960, `output trails input by ${fed - written} samples`);
  }
  const tail = await stream.flush();
  assert.equal(written + tail.length, total, 'push outputs + flush cover the input exactly');
  out.set(tail, written);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/**
 * Speech-like synthetic audio made on demand: a harmonic voice whose pitch glides between 100 and 220 Hz,
 * chopped into ~4 Hz syllables and 2.5 s phrases with 1 s pauses, over white noise from a seeded LCG.
 * The voice repeats every three phrases (computed once: per-sample sines would dominate the test's time);
 * each cycle ends in a pause so the wrap is click-free. The noise never repeats.
 */
function* syntheticTalk(totalSamples: number, blockSize: number): Generator<Float32Array> {
  const voice = new Float32Array(Math.round(10.5 * RATE));
  let phase = 0;
  for (let i = 0; i < voice.length; i++) {
    const t = i / RATE;
    phase += (2 * Math.PI * (160 + 60 * Math.sin((2 * Math.PI * t) / 3.5))) / RATE;
    const voiced = t % 3.5 < 2.5 ? Math.max(0, Math.sin(2 * Math.PI * 4 * t)) : 0;
    voice[i] = 0.25 * voiced * (0.5 * Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.2 * Math.sin(3 * phase));
  }
  let seed = 12345;
  for (let start = 0; start < totalSamples; start += blockSize) {
    const block = new Float32Array(Math.min(blockSize, totalSamples - start));
    for (let i = 0; i < block.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      block[i] = (voice[(start + i) % voice.length] ?? 0) + 0.03 * (seed / 2 ** 32 - 0.5);
    }
    yield block;
  }
}

describe('denoise stream', () => {
  let input: Float32Array;
  const denoisers = new Map<EngineId, Denoiser>();

  function denoiser(id: EngineId): Denoiser {
    const d = denoisers.get(id);
    assert.ok(d, `denoiser ${id} not loaded`);
    return d;
  }

  before(async () => {
    // ~1.6 s of speech at 5 dB SNR, cut to a length that is no multiple of any frame size.
    const speech = await synthesizeSpeech('Streaming keeps memory flat on long recordings.', {
      voice: 'slt',
      sampleRate: RATE,
    });
    const clean = speech.samples.subarray(0, Math.min(speech.samples.length, RATE + 30011));
    input = mixAtSnr(clean, whiteNoise(clean.length, 0.1, 7), 5, { sampleRate: RATE });
    for (const id of ENGINES) if (!skipFor(id)) denoisers.set(id, await loadDenoiser(model(id), location));
  });

  const PATTERNS: ReadonlyArray<readonly [string, readonly number[]]> = [
    ['1', [1]],
    ['479', [479]],
    ['480', [480]],
    ['481', [481]],
    ['4096', [4096]],
    ['48000', [48000]],
    ['mixed incl. empty blocks', [1, 4096, 0, 479, 48000, 7, 481, 0, 480, 1000, 3]],
  ];

  for (const id of ENGINES) {
    it(
      `${id}: every block pattern yields process()'s output, same length, within 1e-6`,
      { skip: skipFor(id) },
      async (t) => {
        // The wet/dry arithmetic is engine-independent: the slow native engine checks the job default only.
        for (const strength of id === 'deepfilternet3' ? [0.95] : [0.95, 1, 0.7]) {
          const reference = await denoiser(id).process(input, { strength });
          // Every pattern at the job default; the mixed one at the other strengths too.
          const patterns = strength === 0.95 ? PATTERNS : PATTERNS.slice(-1);
          const figures: string[] = [];
          for (const [name, sizes] of patterns) {
            const stream = await denoiser(id).openStream({ strength });
            const out = await streamThrough(stream, blocks(input, sizes), input.length);
            assert.equal(out.length, reference.length);
            const diff = maxAbsDiff(out, reference);
            figures.push(`${name}: ${diff}`);
            assert.ok(diff <= 1e-6, `${id} blocks of ${name} at strength ${strength}: max |diff| ${diff}`);
          }
          t.diagnostic(`${id} strength ${strength} max |stream − process| by block size: ${figures.join(', ')}`);
        }
      },
    );
  }

  it('passes audio through undelayed at strength 0, and an empty stream flushes to nothing', async () => {
    const stream = await denoiser('gtcrn').openStream({ strength: 0 });
    assert.equal(stream.latency, 0);
    const head = await stream.push(input.subarray(0, 1000));
    assert.deepEqual(head, input.subarray(0, 1000));
    assert.equal((await stream.flush()).length, 0);
    const empty = await denoiser('gtcrn').openStream({ strength: 1 });
    assert.equal((await empty.flush()).length, 0);
    await assert.rejects(denoiser('gtcrn').openStream({ strength: 2 }), RangeError);
  });

  for (const id of ENGINES) {
    const minutes = MEMORY_MINUTES[id] ?? 1;
    it(
      `${id}: streams ${minutes} min of synthetic speech in noise with flat memory`,
      { skip: skipFor(id) },
      async (t) => {
        const total = minutes * 60 * RATE;
        const stream = await denoiser(id).openStream({ strength: 0.95 });
        let fed = 0;
        let written = 0;
        let energy = 0;
        let baseline = 0;
        let peak = 0;
        const started = performance.now();
        // 0.1 s blocks, as a decoder would hand them over; nothing is kept but running totals.
        for (const block of syntheticTalk(total, RATE / 10)) {
          const out = await stream.push(block);
          fed += block.length;
          written += out.length;
          for (const s of out) energy += s * s;
          assert.ok(fed - written <= stream.latency + 960);
          if (fed % (10 * RATE) === 0) {
            const rss = process.memoryUsage.rss();
            // Baseline after 10 s: wasm heaps, JIT and native arenas have reached their working size.
            if (fed === 10 * RATE) baseline = rss;
            peak = Math.max(peak, rss);
          }
        }
        written += (await stream.flush()).length;
        const seconds = (performance.now() - started) / 1000;
        assert.equal(written, total);
        assert.ok(energy > 0, 'the model produced signal');
        const growthMb = (peak - baseline) / 2 ** 20;
        // A whole-input buffer would be 230 MB for 20 minutes of float32, so 100 MB separates O(block) from O(input).
        const inputMb = (total * 4) / 2 ** 20;
        t.diagnostic(
          `${id}: ${minutes} min (${inputMb.toFixed(0)} MB as float32) in ${seconds.toFixed(1)} s (RTF ${(seconds / (minutes * 60)).toFixed(3)}); ` +
            `RSS ${(baseline / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MB (growth ${growthMb.toFixed(1)} MB)`,
        );
        assert.ok(growthMb < 100, `RSS grew ${growthMb.toFixed(1)} MB`);
      },
    );
  }

  for (const id of ['gtcrn', 'deepfilternet3'] as const) {
    it(
      `${id}: an abort mid-push rejects with the reason within 1 s and frees the stream`,
      { skip: skipFor(id) },
      async (t) => {
        const controller = new AbortController();
        const reason = new Error('job cancelled');
        const stream = await denoiser(id).openStream({ strength: 1, signal: controller.signal });
        // 30 s in one push: seconds of work, so the abort lands inside it.
        const started = performance.now();
        const run = stream.push(whiteNoise(RATE * 30, 0.05, 3));
        let abortedAt = 0;
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort(reason);
        }, 200);
        await assert.rejects(run, (error: unknown) => error === reason);
        const latencyMs = performance.now() - abortedAt;
        t.diagnostic(`${id}: push rejected ${latencyMs.toFixed(1)} ms after the abort`);
        assert.ok(abortedAt > 0 && latencyMs < 1000, `rejected ${latencyMs.toFixed(0)} ms after abort`);
        assert.ok(performance.now() - started < 2000, 'stopped early instead of finishing the block');
        // The stream is finished: later calls reject with the same reason, close stays harmless.
        await assert.rejects(stream.push(new Float32Array(480)), (error: unknown) => error === reason);
        await assert.rejects(stream.flush(), (error: unknown) => error === reason);
        stream.close();
        stream.close();
      },
    );
  }

  it('rejects an already-aborted signal, and an abort between pushes fails the next push', async () => {
    await assert.rejects(denoiser('rnnoise').openStream({ strength: 1, signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
    const controller = new AbortController();
    const stream = await denoiser('rnnoise').openStream({ strength: 1, signal: controller.signal });
    assert.ok((await stream.push(input.subarray(0, 4800))).length > 0);
    controller.abort();
    await assert.rejects(stream.push(input.subarray(4800, 9600)), { name: 'AbortError' });
  });

  it('close() is idempotent, rejects later calls, and stops a push in progress', async () => {
    const stream = await denoiser('speex').openStream({ strength: 1 });
    await stream.push(input.subarray(0, 5000));
    stream.close();
    stream.close();
    await assert.rejects(stream.push(input.subarray(0, 10)), /closed/);
    await assert.rejects(stream.flush(), /closed/);

    // Closing during a long push (from a timer, between frames) ends it without touching freed state.
    const busy = await denoiser('gtcrn').openStream({ strength: 1 });
    const run = busy.push(whiteNoise(RATE * 30, 0.05, 4));
    setTimeout(() => busy.close(), 100);
    await assert.rejects(run, /closed during a call/);
    busy.close();
    // The denoiser itself stays usable: each stream owns its state.
    assert.equal((await denoiser('gtcrn').process(input, { strength: 1 })).length, input.length);
  });

  it('refuses overlapping calls instead of interleaving frames', async () => {
    const stream = await denoiser('speex').openStream({ strength: 1 });
    const first = stream.push(input);
    await assert.rejects(stream.push(input.subarray(0, 480)), /await the previous push/);
    assert.ok((await first).length > 0);
    stream.close();
  });
});
