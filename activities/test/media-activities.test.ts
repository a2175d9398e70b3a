import assert from 'node:assert/strict';
import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { AudioMeter, decodeWav, encodeWav } from '@voice/audio';
import { QUALITY_LIMITS, TRUE_PEAK_CEILING_DBTP, jobStorageKeys, type MeasuredLoudness } from '@voice/shared';
import type { LocalStorage } from '@voice/storage';
import { testLocalStorage } from '@voice/testkit';
import { createMediaActivities, type MediaActivities } from '../src';

const RATE = 48_000;

/** A five-second chord with a little seeded noise, quiet (about −30 LUFS), as a float WAV. */
function quietChord(seconds = 5): Float32Array {
  const samples = new Float32Array(seconds * RATE);
  let seed = 1;
  for (let i = 0; i < samples.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const t = i / RATE;
    samples[i] =
      0.02 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 330 * t)) + 0.002 * (seed / 2 ** 31 - 0.5);
  }
  return samples;
}

function measure(wav: Buffer) {
  const { samples, sampleRate } = decodeWav(wav);
  const meter = new AudioMeter(sampleRate);
  meter.push(samples);
  return meter.result();
}

/** Runs `work` (an activity call) in the SDK's mock activity context. */
const inActivity = <R>(work: () => Promise<R>): Promise<R> => new MockActivityEnvironment().run(work) as Promise<R>;

describe('media activities on local storage', () => {
  let root: string;
  let workDir: string;
  let storage: LocalStorage;
  let activities: MediaActivities;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'media-activities-'));
    workDir = path.join(root, 'work');
    storage = testLocalStorage(path.join(root, 'storage'));
    activities = createMediaActivities({ storage, workDir });
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('normalizeLoudness lands on the target under the true-peak ceiling, and checkQuality then delivers it', async () => {
    const jobId = 'job-loud';
    const inputKey = jobStorageKeys(jobId).step(1, 'denoise');
    await storage.putBuffer(inputKey, encodeWav(quietChord(), RATE, { format: 'float32' }), 'audio/wav');

    const normalized = await inActivity(() =>
      activities.normalizeLoudness({ jobId, stepIndex: 2, inputKey, targetLufs: -16 }),
    );
    assert.equal(normalized.outputKey, jobStorageKeys(jobId).step(2, 'normalize'));
    assert.ok(normalized.gainDb !== null && normalized.gainDb > 5, `gain ${normalized.gainDb} dB`);
    const measured = measure(await storage.getBuffer(normalized.outputKey));
    assert.ok(
      Math.abs(measured.integratedLufs + 16) <= QUALITY_LIMITS.loudnessToleranceLu,
      `${measured.integratedLufs}`,
    );
    assert.ok(measured.truePeakDbtp <= TRUE_PEAK_CEILING_DBTP + QUALITY_LIMITS.truePeakToleranceDb);

    const quality = await inActivity(() =>
      activities.checkQuality({ jobId, candidateKey: normalized.outputKey, expectedDurationMs: 5000, targetLufs: -16 }),
    );
    assert.equal(quality.outputKey, jobStorageKeys(jobId).output);
    assert.equal(quality.durationMs, 5000);
    assert.equal(decodeWav(await storage.getBuffer(quality.outputKey)).samples.length, 5 * RATE);
    assert.deepEqual(await readdir(workDir), [], 'scratch is removed after each activity');
  });

  it('normalizeLoudness uses the loudness the previous step measured instead of measuring the input again', async () => {
    // Clicks on the chord make the limiter engage, so planning and its trial passes run.
    const samples = quietChord();
    for (let i = RATE / 2; i < samples.length; i += RATE) {
      samples[i] = 0.5;
      samples[i + 1] = -0.5;
    }
    const run = async (jobId: string, measured?: MeasuredLoudness) => {
      const inputKey = jobStorageKeys(jobId).step(1, 'denoise');
      await storage.putBuffer(inputKey, encodeWav(samples, RATE, { format: 'float32' }), 'audio/wav');
      const result = await inActivity(() =>
        activities.normalizeLoudness({
          jobId,
          stepIndex: 2,
          inputKey,
          targetLufs: -16,
          ...(measured ? { measured } : {}),
        }),
      );
      return { ...result, wav: await storage.getBuffer(result.outputKey) };
    };
    const own = await run('job-measures');
    assert.ok(own.limitedDb !== null && own.limitedDb > 1, `limited ${own.limitedDb} dB`);
    const { integratedLufs, truePeakDbtp } = measure(encodeWav(samples, RATE, { format: 'float32' }));

    // The same numbers give the same file, sample for sample.
    const given = await run('job-given', { integratedLufs, truePeakDbtp });
    assert.ok(given.wav.equals(own.wav), 'same measurement, same output');
    // A JSON payload turns -Infinity into null: such a measurement is ignored, not trusted.
    const nulled = JSON.parse(JSON.stringify({ integratedLufs: -Infinity, truePeakDbtp })) as MeasuredLoudness;
    assert.ok((await run('job-nulled', nulled)).wav.equals(own.wav), 'an unusable measurement is measured again');
    // A different (wrong by 2 LU) measurement is used as given: another first gain, so another path to the target.
    const other = await run('job-other', { integratedLufs: integratedLufs - 2, truePeakDbtp });
    assert.notEqual(other.gainDb, own.gainDb);
    assert.ok(Math.abs(measure(other.wav).integratedLufs + 16) <= QUALITY_LIMITS.loudnessToleranceLu);
    assert.deepEqual(await readdir(workDir), [], 'no scratch (trial holds included) is left behind');
  });

  it('checkQuality fails a silent output for good, as QualityCheckFailed, and delivers nothing', async () => {
    const jobId = 'job-silent';
    const candidateKey = jobStorageKeys(jobId).step(1, 'normalize');
    await storage.putBuffer(candidateKey, encodeWav(new Float32Array(2 * RATE), RATE, { format: 'float32' }));
    await assert.rejects(
      inActivity(() => activities.checkQuality({ jobId, candidateKey, expectedDurationMs: 2000, targetLufs: -16 })),
      (error: unknown) =>
        error instanceof ApplicationFailure &&
        error.type === 'QualityCheckFailed' &&
        error.nonRetryable &&
        /silent/.test(error.message),
    );
    assert.equal(await storage.exists(jobStorageKeys(jobId).output), false);
    assert.deepEqual(await readdir(workDir), [], 'scratch is removed after a failure too');
  });

  it('preprocessAudio cancelled mid-decode closes its work file (no handle is left for the GC to close)', async () => {
    const jobId = 'job-cancelled-decode';
    const inputKey = jobStorageKeys(jobId).input('wav');
    // A minute of audio: long enough that the cancel lands while ffmpeg is still decoding.
    await storage.putBuffer(inputKey, encodeWav(quietChord(60), RATE, { format: 'float32' }), 'audio/wav');
    const env = new MockActivityEnvironment();
    const running = env.run(() => activities.preprocessAudio({ jobId, inputKey }));
    setTimeout(() => env.cancel(), 150);
    await assert.rejects(running);
    const openInScratch: string[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      const target = await readlink(path.join('/proc/self/fd', fd)).catch(() => '');
      if (target.startsWith(workDir)) openInScratch.push(target);
    }
    assert.deepEqual(openInScratch, [], 'no file under the scratch dir is still open');
  });

  it('preprocessAudio maps a file that is not audio to a non-retryable InvalidAudio failure', async () => {
    const jobId = 'job-garbage';
    const inputKey = jobStorageKeys(jobId).input('wav');
    await storage.putBuffer(inputKey, Buffer.from('this is a text file pretending to be a wav, and long enough'));
    await assert.rejects(
      inActivity(() => activities.preprocessAudio({ jobId, inputKey })),
      (error: unknown) => error instanceof ApplicationFailure && error.type === 'InvalidAudio' && error.nonRetryable,
    );
  });
});
