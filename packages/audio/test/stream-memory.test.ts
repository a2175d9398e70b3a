import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { AudioMeter, LoudnessNormalizerStream, WavStreamWriter, readWavInfo, readWavStream } from '../src/index';
import { tempDir } from './support/ffmpeg';
import { rng, speechLike } from './support/signals';

const RATE = 48000;
const MINUTES = 30;
const BLOCK = 48000;
const MB = 1024 * 1024;

/**
 * 30 minutes of speech-like audio made block by block: a small pool of 1 s phrases (fixed memory)
 * replayed in a seeded order at varying levels, with an occasional inter-sample spike. The whole
 * signal never exists as one array.
 */
async function* synthetic(): AsyncGenerator<Float32Array> {
  const pool = Array.from({ length: 8 }, (_, k) => speechLike(RATE, 1, 100 + k));
  const rand = rng(42);
  const blocks = (MINUTES * 60 * RATE) / BLOCK;
  for (let b = 0; b < blocks; b++) {
    const phrase = pool[Math.floor(rand() * pool.length)] ?? new Float32Array(BLOCK);
    const gain = 0.5 + rand();
    const out = new Float32Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) out[i] = (phrase[i] ?? 0) * gain;
    if (b % 37 === 5) {
      out[1000] = 0.8;
      out[1001] = -0.8;
    }
    yield out;
  }
}

describe('bounded memory on long inputs', () => {
  const dir = tempDir('stream-memory-');
  after(() => dir.dispose());

  it(`meters, normalises, writes and re-reads ${MINUTES} minutes with bounded RSS`, async () => {
    const target = { targetLufs: -16, truePeakCeilingDbtp: -1 };
    const path = dir.path('long.wav');
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const started = performance.now();

    const meter = new AudioMeter(RATE);
    for await (const block of synthetic()) {
      meter.push(block);
      sample();
    }
    const measured = meter.result();
    const afterMeter = peak;
    // Gain planning (extra render passes) is covered by the normaliser tests; one pass keeps this quick.
    const stream = new LoudnessNormalizerStream(RATE, measured, target);
    const writer = await WavStreamWriter.create(path, RATE, { format: 'float32' });
    for await (const block of synthetic()) {
      await writer.write(stream.push(block));
      sample();
    }
    await writer.write(stream.flush());
    await writer.close();
    const afterWrite = peak;

    const check = new AudioMeter(RATE);
    for await (const block of readWavStream(path, { blockSamples: BLOCK })) {
      check.push(block);
      sample();
    }
    const result = check.result();
    const seconds = (performance.now() - started) / 1000;
    const frames = (await readWavInfo(path)).frames;
    const growthMb = (peak - before) / MB;
    console.log(
      `${MINUTES} min (3 passes: meter, normalise+write, read+meter): ` +
        `${seconds.toFixed(1)} s wall = ${((MINUTES * 60) / seconds).toFixed(0)}x real time overall; ` +
        `RSS ${(before / MB).toFixed(0)} MB -> peak ${(peak / MB).toFixed(0)} MB (growth ${growthMb.toFixed(1)} MB; ` +
        `peak after meter ${(afterMeter / MB).toFixed(0)}, normalise+write ${(afterWrite / MB).toFixed(0)} MB); ` +
        `in ${measured.integratedLufs.toFixed(2)} LUFS / ${measured.truePeakDbtp.toFixed(2)} dBTP -> ` +
        `out ${result.integratedLufs.toFixed(2)} LUFS / ${result.truePeakDbtp.toFixed(2)} dBTP, limited ${stream.limitedDb.toFixed(2)} dB`,
    );
    assert.equal(frames, MINUTES * 60 * RATE);
    assert.equal(result.durationMs, MINUTES * 60 * 1000);
    // Without planning, limiting costs some loudness (see the normaliser tests); it only goes down.
    assert.ok(
      result.integratedLufs <= target.targetLufs + 0.1 && result.integratedLufs > target.targetLufs - 2,
      `integrated ${result.integratedLufs}`,
    );
    assert.ok(result.truePeakDbtp <= target.truePeakCeilingDbtp, `true peak ${result.truePeakDbtp}`);
    assert.ok(growthMb < 150, `RSS grew by ${growthMb.toFixed(1)} MB`);
  });
});
