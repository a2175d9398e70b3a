import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  LIMITER_MARGIN_DB,
  MAX_COMPENSATION_PASSES,
  nextCompensationGainDb,
  type LoudnessAttempt,
} from '../src/dynamics';
import {
  AudioMeter,
  LoudnessNormalizerStream,
  planLoudnessGain,
  readWavStream,
  type LoudnessMeasurement,
  type LoudnessTarget,
} from '../src/index';
import { concat, speechLike } from './support/signals';

const RATE = 48000;

function* blocks(samples: Float32Array, blockSize: number): Generator<Float32Array> {
  for (let i = 0; i < samples.length; i += blockSize) yield samples.subarray(i, i + blockSize);
}

const sourceOf = (samples: Float32Array, blockSize: number) =>
  async function* () {
    yield* blocks(samples, blockSize);
  };

function measure(samples: Float32Array): LoudnessMeasurement {
  const meter = new AudioMeter(RATE);
  meter.push(samples);
  const { integratedLufs, truePeakDbtp } = meter.result();
  return { integratedLufs, truePeakDbtp };
}

function renderStream(samples: Float32Array, measured: LoudnessMeasurement, target: LoudnessTarget, gainDb: number) {
  const stream = new LoudnessNormalizerStream(RATE, measured, target, { gainDb });
  const parts = [...blocks(samples, 4096)].map((block) => stream.push(block));
  return { out: concat(...parts, stream.flush()), limitedDb: stream.limitedDb };
}

/**
 * The planner as it was: every attempted gain rendered in full through the stream and metered (with the limiter
 * onset for the first correction unless `slopeOne`, the rule before it).
 */
function renderEveryAttempt(
  samples: Float32Array,
  measured: LoudnessMeasurement,
  target: LoudnessTarget,
  { slopeOne = false } = {},
) {
  const loudnessAt = (gainDb: number): number => {
    const meter = new AudioMeter(RATE, { truePeak: false });
    meter.push(renderStream(samples, measured, target, gainDb).out);
    return meter.result().integratedLufs;
  };
  let gainDb = target.targetLufs - measured.integratedLufs;
  let lufs = loudnessAt(gainDb);
  let renders = 1;
  let previous: LoudnessAttempt | undefined;
  const onset = target.truePeakCeilingDbtp - LIMITER_MARGIN_DB - measured.truePeakDbtp;
  for (let pass = 0; pass < MAX_COMPENSATION_PASSES; pass++) {
    const next = nextCompensationGainDb(target.targetLufs, { gainDb, lufs }, previous, slopeOne ? undefined : onset);
    if (next === undefined) break;
    previous = { gainDb, lufs };
    gainDb = next;
    lufs = loudnessAt(gainDb);
    renders++;
  }
  return { gainDb, lufs, renders };
}

/**
 * Speech-like test signal at about −28.5 LUFS with −7.6 dBTP peaks: brought to −16 LUFS, the limiter takes 8 dB off
 * its peaks and 2 LU off its loudness (like the denoised speech of the bench), which took 3 full renders to plan.
 */
const speech = (seconds: number, seed: number): Float32Array =>
  concat(speechLike(RATE, seconds, seed), new Float32Array(RATE / 4), speechLike(RATE, 1, seed + 1));

describe('planLoudnessGain: trial passes from stored limiter holds, then one render', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'loudness-plan-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const { name, target, blockSize } of [
    { name: 'limiter-heavy speech at −16 LUFS', target: -16, blockSize: 4800 },
    { name: 'the same in odd 777-sample blocks', target: -16, blockSize: 777 },
    // 8.4 dB of corrections, past the holds' reach (7 dB): they are analysed again with a lower floor.
    { name: 'heavier limiting at −12 LUFS', target: -12, blockSize: 48000 },
    { name: 'extreme limiting at −9 LUFS, where the corrections run out', target: -9, blockSize: 48000 },
  ]) {
    it(`${name}: one render, with the gain, loudness and output of rendering every attempt`, async () => {
      const input = speech(8, 3);
      const podcast: LoudnessTarget = { targetLufs: target, truePeakCeilingDbtp: -1 };
      const measured = measure(input);
      const scratchDir = await mkdtemp(path.join(dir, 'scratch-'));
      const outputPath = path.join(dir, `out-${target}-${blockSize}.wav`);

      const plan = await planLoudnessGain(sourceOf(input, blockSize), RATE, measured, podcast, {
        outputPath,
        scratchDir,
      });
      const reference = renderEveryAttempt(input, measured, podcast);

      assert.equal(plan.passes, 1, 'a single full render');
      assert.equal(plan.trials, reference.renders, 'one trial per attempt the old planner rendered');
      assert.ok(plan.trials >= 2, `the limiter made the static gain miss (${plan.trials} attempts)`);
      assert.equal(plan.gainDb, reference.gainDb);
      assert.equal(plan.integratedLufs, reference.lufs);
      if (reference.renders <= MAX_COMPENSATION_PASSES) {
        assert.ok(Math.abs(plan.integratedLufs - target) <= 0.1, `landed at ${plan.integratedLufs} LUFS`);
      }
      // The written output is the stream's output at that gain, sample for sample.
      const separate = renderStream(input, measured, podcast, plan.gainDb);
      assert.ok(separate.limitedDb > 3, `the limiter took ${separate.limitedDb} dB`);
      assert.equal(plan.renderedLimitedDb, separate.limitedDb);
      const kept: Float32Array[] = [];
      for await (const block of readWavStream(outputPath)) kept.push(block);
      const written = concat(...kept);
      assert.equal(written.length, input.length);
      assert.equal(
        written.findIndex((sample, i) => sample !== separate.out[i]),
        -1,
      );
      const check = new AudioMeter(RATE);
      check.push(written);
      assert.ok(check.result().truePeakDbtp <= podcast.truePeakCeilingDbtp);
      assert.deepEqual(await readdir(scratchDir), [], 'the holds file is removed');
    });
  }

  it('corrects once where assuming slope 1 took two corrections, and still lands within 0.1 LU', async () => {
    const input = speech(8, 5);
    const podcast: LoudnessTarget = { targetLufs: -16, truePeakCeilingDbtp: -1 };
    const measured = measure(input);
    const plan = await planLoudnessGain(sourceOf(input, 4800), RATE, measured, podcast, { scratchDir: dir });
    const slopeOne = renderEveryAttempt(input, measured, podcast, { slopeOne: true });
    assert.equal(slopeOne.renders, 3, 'the old first step fell short of the tolerance');
    assert.equal(plan.trials, 2);
    assert.ok(Math.abs(plan.integratedLufs - podcast.targetLufs) <= 0.1, `landed at ${plan.integratedLufs} LUFS`);
    assert.ok(renderStream(input, measured, podcast, plan.gainDb).limitedDb > 3, 'the limiter does heavy work here');
  });

  it('stops at the next block when cancelled and leaves no holds file behind', async () => {
    const input = speech(4, 5);
    const scratchDir = await mkdtemp(path.join(dir, 'cancel-'));
    const controller = new AbortController();
    let read = 0;
    const source = async function* () {
      for (const block of blocks(input, 4800)) {
        // Cancelled during the second pass over the input (the first trial).
        if (++read === Math.ceil(input.length / 4800) + 2) controller.abort(new Error('cancelled'));
        yield block;
      }
    };
    await assert.rejects(
      planLoudnessGain(
        source,
        RATE,
        measure(input),
        { targetLufs: -16, truePeakCeilingDbtp: -1 },
        {
          signal: controller.signal,
          scratchDir,
        },
      ),
      /cancelled/,
    );
    assert.deepEqual(await readdir(scratchDir), []);
  });
});
