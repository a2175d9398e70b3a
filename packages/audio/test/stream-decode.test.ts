import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { FfmpegError, decodeStream, decodeToMonoFloat, encodeWav } from '../src/index';
import { ffmpeg, ffmpegPath, tempDir } from './support/ffmpeg';
import { speechLike } from './support/signals';

/** Whether any live process has `needle` on its command line (Linux /proc). */
function processWith(needle: string): boolean {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(needle)) return true;
    } catch {
      // The process exited while we looked.
    }
  }
  return false;
}

async function gone(needle: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (!processWith(needle)) return true;
    await sleep(20);
  }
  return false;
}

describe('decodeStream', () => {
  const dir = tempDir('stream-decode-');
  after(() => dir.dispose());
  const source = dir.path('source.wav');
  writeFileSync(source, encodeWav(speechLike(44100, 4, 5), 44100));
  const flac = dir.path('speech-long.flac');
  // 10 minutes of stereo FLAC: long enough that ffmpeg is still running when the consumer stops.
  ffmpeg('-stream_loop', '150', '-i', source, '-ac', '2', flac);

  it("yields fixed-size blocks that concatenate to decodeToMonoFloat's output", async () => {
    const expected = await decodeToMonoFloat(source, 48000);
    for (const blockSamples of [777, 48000]) {
      const got = new Float32Array(expected.length);
      let o = 0;
      const sizes: number[] = [];
      for await (const block of decodeStream(source, 48000, { blockSamples, ffmpegPath })) {
        got.set(block, o);
        o += block.length;
        sizes.push(block.length);
      }
      assert.equal(o, expected.length);
      assert.deepEqual(got, expected);
      assert.ok(sizes.slice(0, -1).every((n) => n === blockSamples));
      assert.ok((sizes.at(-1) ?? 0) > 0 && (sizes.at(-1) ?? 0) <= blockSamples);
    }
  });

  it('kills ffmpeg when the consumer breaks out early', async () => {
    let blocks = 0;
    for await (const block of decodeStream(flac, 48000, { ffmpegPath })) {
      assert.equal(block.length, 48000);
      if (++blocks === 3) {
        assert.ok(processWith(flac), 'ffmpeg should still be running (held back by backpressure)');
        break;
      }
    }
    assert.ok(await gone(flac), 'ffmpeg still running after break');
  });

  it('kills ffmpeg and rejects with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    let blocks = 0;
    await assert.rejects(
      (async () => {
        for await (const block of decodeStream(flac, 16000, { ffmpegPath, signal: controller.signal })) {
          void block;
          if (++blocks === 2) controller.abort(reason);
        }
      })(),
      (e: unknown) => e === reason,
    );
    assert.ok(await gone(flac), 'ffmpeg still running after abort');
  });

  it("throws FfmpegError carrying ffmpeg's stderr tail for undecodable input and a missing binary", async () => {
    const junk = dir.path('junk.bin');
    writeFileSync(junk, Buffer.alloc(4096, 7));
    await assert.rejects(
      (async () => {
        for await (const block of decodeStream(junk, 48000, { ffmpegPath })) void block;
      })(),
      (e: unknown) =>
        e instanceof FfmpegError && e.exitCode !== 0 && e.stderrTail.length > 0 && e.message.includes(e.stderrTail),
    );
    await assert.rejects(
      (async () => {
        for await (const block of decodeStream(source, 48000, { ffmpegPath: dir.path('no-ffmpeg') })) void block;
      })(),
      (e: unknown) => e instanceof FfmpegError && /Could not run ffmpeg/.test(e.message),
    );
  });
});
