import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  AudioMeter,
  LoudnessNormalizerStream,
  analyzeAudio,
  normalizeLoudness,
  planLoudnessGain,
  readWavStream,
  type LoudnessTarget,
} from '../src/index';
import { concat, dbToAmp, noise, speechLike } from './support/signals';

const RATE = 48000;

function speechWithSpikes(seconds: number, seed: number): Float32Array {
  const s = concat(speechLike(RATE, seconds - 1, seed), new Float32Array(RATE / 2), speechLike(RATE, 0.5, seed + 1));
  for (let k = 1; k <= 4; k++) {
    const at = Math.floor((s.length * k) / 5);
    s[at] = 0.9;
    s[at + 1] = -0.9;
  }
  return s;
}

function* blocks(samples: Float32Array, blockSize: number): Generator<Float32Array> {
  for (let i = 0; i < samples.length; i += blockSize) yield samples.subarray(i, i + blockSize);
}

/** Runs the stream over `samples` in `blockSize` blocks, collecting output without a huge spread. */
function render(stream: LoudnessNormalizerStream, samples: Float32Array, blockSize: number): Float32Array {
  const out = new Float32Array(samples.length);
  let o = 0;
  for (const block of blocks(samples, blockSize)) {
    const part = stream.push(block);
    out.set(part, o);
    o += part.length;
  }
  const tail = stream.flush();
  assert.equal(o + tail.length, samples.length, 'output length');
  out.set(tail, o);
  return out;
}

/**
 * Streaming normalisation: AudioMeter pass, optional gain planning (extra render passes that make
 * up limiting loss), then the LoudnessNormalizerStream pass, all in `blockSize` blocks.
 */
async function normalizeStreaming(
  samples: Float32Array,
  target: LoudnessTarget,
  blockSize: number,
  plan = true,
): Promise<{ out: Float32Array; stream: LoudnessNormalizerStream; passes: number }> {
  const meter = new AudioMeter(RATE);
  for (const block of blocks(samples, blockSize)) meter.push(block);
  const measured = meter.result();
  const planned = plan
    ? await planLoudnessGain(
        async function* () {
          yield* blocks(samples, blockSize);
        },
        RATE,
        measured,
        target,
      )
    : undefined;
  const stream = new LoudnessNormalizerStream(RATE, measured, target, { gainDb: planned?.gainDb });
  return { out: render(stream, samples, blockSize), stream, passes: planned?.passes ?? 0 };
}

const measure = (samples: Float32Array): { lufs: number; tp: number } => {
  const meter = new AudioMeter(RATE);
  meter.push(samples);
  const r = meter.result();
  return { lufs: r.integratedLufs, tp: r.truePeakDbtp };
};

describe('LoudnessNormalizerStream (second pass of a two-pass normalise)', () => {
  const podcast: LoudnessTarget = { targetLufs: -16, truePeakCeilingDbtp: -1 };

  it('reaches the podcast target like normalizeLoudness, under the true-peak ceiling, with identical length', async () => {
    const input = speechWithSpikes(20, 11);
    const { out, stream, passes } = await normalizeStreaming(input, podcast, 777);
    const whole = normalizeLoudness(input, RATE, podcast);
    const got = measure(out);
    assert.equal(out.length, input.length);
    assert.ok(stream.limitedDb > 1, `the limiter should engage on the spikes (limited ${stream.limitedDb} dB)`);
    assert.ok(passes >= 1);
    assert.ok(Math.abs(got.lufs - podcast.targetLufs) <= 0.5, `integrated ${got.lufs}`);
    assert.ok(got.tp <= podcast.truePeakCeilingDbtp, `true peak ${got.tp}`);
    assert.ok(Math.abs(got.lufs - whole.integratedLufs) <= 0.5, `stream ${got.lufs} vs whole ${whole.integratedLufs}`);
    // Same gain structure: the waveforms differ only where the two limiters act differently.
    let err = 0;
    let ref = 0;
    for (let i = 0; i < out.length; i++) {
      err += ((out[i] ?? 0) - (whole.samples[i] ?? 0)) ** 2;
      ref += (whole.samples[i] ?? 0) ** 2;
    }
    const snr = 10 * Math.log10(ref / err);
    assert.ok(snr > 20, `stream vs whole-array SNR ${snr} dB`);
    console.log(
      `podcast: stream ${got.lufs.toFixed(3)} LUFS / ${got.tp.toFixed(3)} dBTP (gain ${stream.gainDb.toFixed(2)} dB, ` +
        `limited ${stream.limitedDb.toFixed(2)} dB, ${passes} planning passes); whole-array ` +
        `${whole.integratedLufs.toFixed(3)} LUFS / ${whole.truePeakDbtp.toFixed(3)} dBTP (gain ${whole.gainDb.toFixed(2)} dB); ` +
        `waveform SNR ${snr.toFixed(1)} dB`,
    );
  });

  it('without gain planning, loses loudness to limiting but still keeps the ceiling', async () => {
    const input = speechWithSpikes(20, 11);
    const { out, stream } = await normalizeStreaming(input, podcast, 4096, false);
    const got = measure(out);
    assert.equal(stream.gainDb, podcast.targetLufs - analyzeAudio(input, RATE).integratedLufs);
    assert.ok(got.lufs < podcast.targetLufs - 0.2 && got.lufs > podcast.targetLufs - 3, `integrated ${got.lufs}`);
    assert.ok(got.tp <= podcast.truePeakCeilingDbtp, `true peak ${got.tp}`);
  });

  it('matches normalizeLoudness under extreme limiting (-10 LUFS on spiky speech) and keeps the ceiling', async () => {
    const input = speechWithSpikes(12, 21);
    const loud: LoudnessTarget = { targetLufs: -10, truePeakCeilingDbtp: -1 };
    const { out, stream } = await normalizeStreaming(input, loud, 48000);
    const whole = normalizeLoudness(input, RATE, loud);
    const got = measure(out);
    assert.equal(out.length, input.length);
    assert.ok(stream.limitedDb > 3, `limited ${stream.limitedDb}`);
    assert.ok(got.tp <= loud.truePeakCeilingDbtp, `true peak ${got.tp}`);
    // Both give up after the same three corrections (limiting > 30 dB): what matters is agreement.
    assert.ok(Math.abs(got.lufs - whole.integratedLufs) <= 0.1, `stream ${got.lufs} vs whole ${whole.integratedLufs}`);
    assert.ok(Math.abs(got.lufs - loud.targetLufs) <= 1, `integrated ${got.lufs}`);
    console.log(
      `heavy: stream ${got.lufs.toFixed(3)} LUFS / ${got.tp.toFixed(3)} dBTP (limited ${stream.limitedDb.toFixed(2)} dB); ` +
        `whole-array ${whole.integratedLufs.toFixed(3)} LUFS / ${whole.truePeakDbtp.toFixed(3)} dBTP`,
    );
  });

  it('keeps its last planning pass as the output when asked: identical to a separate final render', async () => {
    const input = speechWithSpikes(6, 5);
    const target: LoudnessTarget = { targetLufs: -14, truePeakCeilingDbtp: -1 };
    const measured = new AudioMeter(RATE);
    measured.push(input);
    const measurement = measured.result();
    const dir = await mkdtemp(path.join(tmpdir(), 'plan-output-'));
    try {
      const outputPath = path.join(dir, 'out.wav');
      const plan = await planLoudnessGain(
        async function* () {
          yield* blocks(input, 4800);
        },
        RATE,
        measurement,
        target,
        { outputPath },
      );
      assert.ok(plan.passes > 0, 'the spikes make the limiter engage');
      const stream = new LoudnessNormalizerStream(RATE, measurement, target, { gainDb: plan.gainDb });
      const separate = render(stream, input, 4800);
      const kept: Float32Array[] = [];
      for await (const block of readWavStream(outputPath)) kept.push(block);
      const written = concat(...kept);
      assert.equal(written.length, separate.length);
      // Sample for sample the same (the file stores -0 as 0, so compare values, not bit patterns).
      const differing = written.findIndex((sample, i) => sample !== separate[i]);
      assert.equal(differing, -1, `first differing sample ${differing}`);
      assert.equal(plan.renderedLimitedDb, stream.limitedDb);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is sample-aligned: with an unreachable ceiling it applies exactly the static gain', async () => {
    const input = concat(speechLike(RATE, 3, 2), noise(RATE, 0.5, 0.01));
    const measured = analyzeAudio(input, RATE);
    const target = { targetLufs: measured.integratedLufs + 4, truePeakCeilingDbtp: 20 };
    for (const blockSize of [1, 777, 48000]) {
      const { out, stream, passes } = await normalizeStreaming(input, target, blockSize);
      assert.equal(passes, 0, 'no planning pass is needed when the limiter cannot engage');
      assert.equal(stream.limitedDb, 0);
      const g = dbToAmp(stream.gainDb);
      for (let i = 0; i < input.length; i++) {
        if (out[i] !== Math.fround((input[i] ?? 0) * g)) assert.fail(`block ${blockSize}: sample ${i} differs`);
      }
    }
  });

  it('produces the same output whatever the block size, and returns latency samples on flush', async () => {
    const input = speechWithSpikes(4, 31);
    const a = (await normalizeStreaming(input, podcast, 1, false)).out;
    const b = (await normalizeStreaming(input, podcast, 777, false)).out;
    const c = (await normalizeStreaming(input, podcast, input.length, false)).out;
    assert.deepEqual(a, b);
    assert.deepEqual(b, c);
    const stream = new LoudnessNormalizerStream(RATE, { integratedLufs: -20, truePeakDbtp: -3 }, podcast);
    assert.equal(stream.push(input.subarray(0, 50)).length, 0);
    assert.equal(stream.push(input.subarray(50, 1050)).length, 1050 - stream.latency);
    assert.equal(stream.flush().length, stream.latency);
  });

  it('gives silence 0 dB gain and zeroes non-finite samples', () => {
    const quiet = noise(RATE, 1, dbToAmp(-100));
    quiet[10] = Number.NaN;
    const stream = new LoudnessNormalizerStream(RATE, { integratedLufs: -Infinity, truePeakDbtp: -90 }, podcast);
    const out = render(stream, quiet, 4800);
    assert.equal(stream.gainDb, 0);
    assert.equal(out[10], 0);
    assert.equal(out[500], quiet[500]);
  });
});
