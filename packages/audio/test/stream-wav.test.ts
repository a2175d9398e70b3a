import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';

import {
  AudioValidationError,
  WavFileReader,
  WavStreamWriter,
  decodeWav,
  encodeWav,
  readWavInfo,
  readWavStream,
} from '../src/index';
import { ffmpeg, tempDir } from './support/ffmpeg';
import { noise, speechLike } from './support/signals';

const RATE = 48000;

async function collect(blocks: AsyncIterable<Float32Array>): Promise<{ samples: Float32Array; sizes: number[] }> {
  const parts: Float32Array[] = [];
  for await (const b of blocks) parts.push(b);
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    samples.set(p, o);
    o += p.length;
  }
  return { samples, sizes: parts.map((p) => p.length) };
}

describe('WavStreamWriter / readWavStream', () => {
  const dir = tempDir('stream-wav-');
  after(() => dir.dispose());
  const signal = speechLike(RATE, 2.5, 8);
  signal[7] = 1.5; // clamps in pcm16
  signal[8] = Number.NaN;

  for (const format of ['float32', 'pcm16'] as const) {
    it(`writes ${format} block by block that decodeWav reads as encodeWav's output`, async () => {
      const path = dir.path(`out-${format}.wav`);
      const writer = await WavStreamWriter.create(path, RATE, { format });
      for (let i = 0; i < signal.length; i += 777) await writer.write(signal.subarray(i, i + 777));
      await writer.close();
      assert.equal(writer.length, signal.length);
      const expected = decodeWav(encodeWav(signal, RATE, { format }));
      const bytes = readFileSync(path);
      const decoded = decodeWav(bytes);
      assert.equal(decoded.sampleRate, RATE);
      assert.deepEqual(decoded.samples, expected.samples);
      // RIFF size patched to the real length.
      assert.equal(bytes.readUInt32LE(4), bytes.length - 8);
      const streamed = await collect(readWavStream(path, { blockSamples: 1000 }));
      assert.deepEqual(streamed.samples, expected.samples);
      assert.deepEqual(streamed.sizes.slice(0, -1), new Array<number>(streamed.sizes.length - 1).fill(1000));
      assert.equal(streamed.sizes.at(-1), signal.length % 1000 || 1000);
    });
  }

  it('leaves a readable file with "unknown" sizes if never closed (crashed writer)', async () => {
    const path = dir.path('crashed.wav');
    const writer = await WavStreamWriter.create(path, RATE, { format: 'float32' });
    await writer.write(signal.subarray(0, 5000));
    // No close(): the header still says 0xFFFFFFFF, meaning "to the end of the file".
    const info = await readWavInfo(path);
    assert.equal(info.frames, 5000);
    const { samples } = await collect(readWavStream(path));
    assert.equal(samples.length, 5000);
    assert.equal(decodeWav(readFileSync(path)).samples.length, 5000);
    await writer.close();
    assert.equal((await readWavInfo(path)).frames, 5000);
  });

  it('mixes multi-channel 24-bit and 32-bit PCM down to mono exactly like decodeWav', async () => {
    const left = noise(RATE, 1.3, 0.2, 3);
    const mono = dir.path('mono.wav');
    writeFileSync(mono, encodeWav(left, RATE, { format: 'float32' }));
    for (const codec of ['pcm_s24le', 'pcm_s32le', 'pcm_s16le']) {
      const path = dir.path(`stereo-${codec}.wav`);
      // Three different channels, plus a LIST chunk (metadata) the reader must skip.
      ffmpeg('-i', mono, '-af', 'pan=3c|c0=c0|c1=0.5*c0|c2=-0.3*c0', '-c:a', codec, '-metadata', 'title=x', path);
      const whole = decodeWav(readFileSync(path));
      const info = await readWavInfo(path);
      assert.equal(info.channels, 3);
      assert.equal(info.frames, whole.samples.length);
      assert.equal(info.sampleRate, RATE);
      const { samples } = await collect(readWavStream(path, { blockSamples: 4097 }));
      assert.deepEqual(samples, whole.samples, codec);
      // Random access reads the same mixdown at any position, and clamps at the edges.
      const reader = await WavFileReader.open(path);
      try {
        assert.equal(reader.length, whole.samples.length);
        for (const [start, end] of [
          [0, 1],
          [12_345, 20_000],
          [whole.samples.length - 7, whole.samples.length + 50],
          [-5, 3],
        ] as const) {
          assert.deepEqual(
            reader.read(start, end),
            whole.samples.slice(Math.max(0, start), end),
            `${codec} [${start}, ${end})`,
          );
        }
        assert.equal(reader.read(whole.samples.length + 1, whole.samples.length + 9).length, 0);
      } finally {
        await reader.close();
      }
      assert.throws(() => reader.read(0, 10), /after close/);
    }
  });

  it("rejects truncated, non-WAV and empty files with decodeWav's reasons", async () => {
    const good = readFileSync(dir.path('out-pcm16.wav'));
    const cut = dir.path('cut.wav');
    writeFileSync(cut, good.subarray(0, 1000));
    await assert.rejects(
      readWavInfo(cut),
      (e: unknown) => e instanceof AudioValidationError && e.reason === 'truncated',
    );
    const text = dir.path('text.wav');
    writeFileSync(text, 'hello, this is not audio at all');
    await assert.rejects(
      collect(readWavStream(text)),
      (e: unknown) => e instanceof AudioValidationError && e.reason === 'not_audio',
    );
    const empty = dir.path('empty.wav');
    writeFileSync(empty, '');
    await assert.rejects(readWavInfo(empty), (e: unknown) => e instanceof AudioValidationError && e.reason === 'empty');
  });
});
