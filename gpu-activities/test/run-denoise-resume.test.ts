import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AudioMeter, decodeWav, encodeWav } from '@voice/audio';
import { jobStorageKeys, type InferenceHeartbeat } from '@voice/shared';
import type { LocalStorage } from '@voice/storage';
import { synthesizeSpeech, testLocalStorage, whiteNoise } from '@voice/testkit';
import {
  createGpuActivities,
  denoisePartKey,
  type DenoiseCheckpoint,
  type GpuActivities,
  type RunDenoiseInput,
  type RunDenoiseResult,
} from '../src';

const RATE = 48_000;
/** Small spacings so a 24 s input makes 13 parts; the defaults (10 s, 20 parts) are for real recordings. */
const SPACING_SECONDS = 2;
const CHECKPOINTS = { minInputSeconds: 5, minSpacingSeconds: SPACING_SECONDS, maxParts: 100, preRollSeconds: 2 };

type Beat = InferenceHeartbeat<DenoiseCheckpoint>;

describe('runDenoise resumes from its heartbeat checkpoint', () => {
  let root: string;
  let storage: LocalStorage;
  let activities: GpuActivities;
  let input: Float32Array;
  let uninterrupted: Float32Array;

  const inputFor = (jobId: string): RunDenoiseInput => ({
    jobId,
    stepIndex: 1,
    inputKey: `jobs/${jobId}/work/00-preprocess.wav`,
    modelId: 'rnnoise',
    noiseLevel: 'aggressive',
  });
  const upload = (jobId: string) =>
    storage.putBuffer(inputFor(jobId).inputKey, encodeWav(input, RATE, { format: 'float32' }), 'audio/wav');
  const output = async (jobId: string) =>
    decodeWav(await storage.getBuffer(jobStorageKeys(jobId).step(1, 'denoise'))).samples;

  /** Runs runDenoise as attempt `attempt` with `heartbeatDetails`, recording its heartbeats. */
  const run = async (jobId: string, options: { details?: Beat; attempt?: number; cancelAt?: number } = {}) => {
    const env = new MockActivityEnvironment({ heartbeatDetails: options.details, attempt: options.attempt ?? 1 });
    const beats: Beat[] = [];
    env.on('heartbeat', (beat: Beat) => {
      beats.push(beat);
      // Stands in for a crash: the attempt stops after a checkpoint past `cancelAt`, and its local disk goes.
      if (options.cancelAt !== undefined && beat.checkpoint && beat.fraction >= options.cancelAt) env.cancel();
    });
    const result = env.run<[RunDenoiseInput], RunDenoiseResult, GpuActivities['runDenoise']>(
      activities.runDenoise,
      inputFor(jobId),
    );
    return { result, beats };
  };

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'denoise-resume-'));
    storage = testLocalStorage(path.join(root, 'storage'));
    activities = createGpuActivities({
      storage,
      workDir: path.join(root, 'work'),
      heartbeatIntervalMs: 0,
      denoiseCheckpoints: CHECKPOINTS,
    });
    // Speech over noise, 24 s at the working rate: long enough for six parts, short enough for seconds.
    const speech = await synthesizeSpeech('Please call Stella and ask her to bring these things from the store.', {
      voice: 'kal16',
      sampleRate: RATE,
    });
    input = whiteNoise(24 * RATE + 1234, 0.02, 5);
    for (let at = 0; at + speech.samples.length < input.length; at += speech.samples.length + RATE) {
      for (let i = 0; i < speech.samples.length; i++) input[at + i]! += 0.3 * speech.samples[i]!;
    }
    await upload('full');
    const { result } = await run('full');
    assert.equal((await result).resumedFromFraction, 0);
    uninterrupted = await output('full');
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('an uninterrupted run checkpoints every spacing, keeps the exact length and removes its parts', async () => {
    await upload('fresh');
    const { result, beats } = await run('fresh');
    const done = await result;
    assert.equal(done.resumedFromFraction, 0);
    const checkpoints = beats.flatMap((beat) => (beat.checkpoint ? [beat.checkpoint] : []));
    const distinct = [...new Map(checkpoints.map((c) => [c.segments, c])).values()];
    const spacing = SPACING_SECONDS * RATE;
    assert.deepEqual(
      distinct.map((c) => c.frames),
      Array.from({ length: Math.floor((input.length - 1) / spacing) }, (_, k) => (k + 1) * spacing),
    );
    assert.equal((await output('fresh')).length, input.length);
    assert.deepEqual(await output('fresh'), uninterrupted, 'the same input denoises to the same output');
    for (let k = 0; k <= distinct.length; k++) {
      assert.equal(await storage.exists(denoisePartKey(done.outputKey, k)), false, `part ${k} was removed`);
    }
    assert.deepEqual(await readdir(path.join(root, 'work')), [], 'no scratch is left behind');
  });

  it('a retry after a crash at 60% starts past 50% and yields the same length, identical up to the checkpoint', async () => {
    await upload('crash');
    const first = await run('crash', { cancelAt: 0.6 });
    await assert.rejects(first.result, CancelledFailure);
    const last = first.beats.at(-1)!;
    assert.ok(last.checkpoint, 'the crashed attempt heartbeated a checkpoint');
    assert.deepEqual(await readdir(path.join(root, 'work')), [], 'the crashed attempt left no scratch (a new disk)');

    const retry = await run('crash', { details: last, attempt: 2 });
    const done = await retry.result;
    const resumedAt = last.checkpoint.frames;
    assert.equal(done.resumedFromFraction, resumedAt / input.length);
    assert.ok(done.resumedFromFraction > 0.5, `resumed from ${done.resumedFromFraction}`);
    // The retry's first beat already carries the old checkpoint; its first progress is the resume point.
    assert.deepEqual(retry.beats[0]?.checkpoint, last.checkpoint);
    const firstProgress = retry.beats.find((beat) => beat.totalSeconds > 0)!;
    assert.equal(firstProgress.fraction, resumedAt / input.length);
    assert.ok(
      retry.beats.every((beat) => beat.totalSeconds === 0 || beat.fraction >= resumedAt / input.length),
      'progress never goes back into the pre-roll',
    );

    const resumed = await output('crash');
    assert.equal(resumed.length, uninterrupted.length, 'sample-exact length');
    assert.deepEqual(resumed.subarray(0, resumedAt), uninterrupted.subarray(0, resumedAt));
    // After the pre-roll the model state has settled: the continuation matches the uninterrupted run closely.
    let error = 0;
    let energy = 0;
    for (let i = resumedAt; i < resumed.length; i++) {
      error += (resumed[i]! - uninterrupted[i]!) ** 2;
      energy += uninterrupted[i]! ** 2;
    }
    const errorDb = 10 * Math.log10(error / energy);
    assert.ok(errorDb < -30, `continuation differs from the uninterrupted run by ${errorDb.toFixed(1)} dB`);
  });

  it('reports the loudness of the output it stored, resumed or not, for normalize to reuse', async () => {
    const meterOf = (samples: Float32Array) => {
      const meter = new AudioMeter(RATE);
      meter.push(samples);
      const { integratedLufs, truePeakDbtp } = meter.result();
      return { integratedLufs, truePeakDbtp };
    };
    await upload('loud');
    const fresh = await (await run('loud')).result;
    assert.ok(fresh.loudness, 'a fresh run measured its output');
    assert.deepEqual(fresh.loudness, meterOf(await output('loud')));

    await upload('loud-crash');
    const first = await run('loud-crash', { cancelAt: 0.6 });
    await assert.rejects(first.result, CancelledFailure);
    const retry = await (await run('loud-crash', { details: first.beats.at(-1), attempt: 2 })).result;
    assert.ok(retry.resumedFromFraction > 0.5);
    // The parts of the crashed attempt count too: the whole stored output is what was measured.
    assert.deepEqual(retry.loudness, meterOf(await output('loud-crash')));
  });

  it('starts from zero when the checkpoint points at parts that are gone', async () => {
    await upload('lost');
    const details: Beat = {
      fraction: 0.7,
      processedSeconds: 16.8,
      totalSeconds: 24,
      checkpoint: { segments: 4, frames: 16 * RATE },
    };
    const { result } = await run('lost', { details, attempt: 2 });
    const done = await result;
    assert.equal(done.resumedFromFraction, 0);
    assert.deepEqual(await output('lost'), uninterrupted);
  });

  it('fails for good, as UnknownModel, on a model that does not exist', async () => {
    await upload('unknown');
    const env = new MockActivityEnvironment();
    await assert.rejects(
      env.run(activities.runDenoise, { ...inputFor('unknown'), modelId: 'no-such-denoiser' }),
      (error: unknown) => error instanceof ApplicationFailure && error.type === 'UnknownModel' && error.nonRetryable,
    );
  });
});
