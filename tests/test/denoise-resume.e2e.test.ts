import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/client';
import { readWavInfo } from '@voice/audio';
import { QUALITY_LIMITS, jobStorageKeys, workflowIdForJob } from '@voice/shared';
import { GpuWorkerProcesses, makeNoisySpeech, startTestPlatform, type NoisySpeech, type TestPlatform } from '../src';

/** What runDenoise returned, as the workflow history recorded it. */
interface DenoiseOutcome {
  outputKey: string;
  modelId: string;
  resumedFromFraction: number;
}

describe('a long denoise whose GPU worker is killed at about 60%', { timeout: 420_000 }, () => {
  let platform: TestPlatform;
  let input: NoisySpeech;
  const gpuWorkers = new GpuWorkerProcesses(() => platform);

  before(async () => {
    // Two minutes of audio: at DeepFilterNet3's RTF (~0.08 here) 60% is several seconds into the inference, and
    // the default spacing (10 s of audio) leaves a checkpoint between 50% and 60%.
    [platform, input] = await Promise.all([
      startTestPlatform({}, { embeddedGpuWorker: false }),
      makeNoisySpeech({ snrDb: 5, minSeconds: 120, seed: 23 }),
    ]);
  });
  after(async () => {
    gpuWorkers.killAll();
    await platform?.close();
  });

  test('the retry resumes past 50% from its heartbeat checkpoint and keeps the exact duration', async (t) => {
    const api = platform.api();
    await api.register(`resume-${Date.now()}@example.com`);
    const first = gpuWorkers.spawn();
    const accepted = await api.upload('/api/audio/denoise', input.wav, 'long.wav');
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;

    // Progress comes from the activity's heartbeat details (through describe()), as a client sees it.
    let killedAt = 0;
    const deadline = Date.now() + 180_000;
    while (killedAt === 0) {
      assert.ok(Date.now() < deadline, `denoise never reached 60%\n${gpuWorkers.log}`);
      const response = await api.request('GET', `/api/jobs/${jobId}/progress`);
      const steps = (response.json['steps'] ?? []) as Array<{ op: string; state: string; progress: number }>;
      const denoise = steps.find((step) => step.op === 'denoise');
      assert.notEqual(denoise?.state, 'completed', 'the denoise finished before the worker could be killed');
      if (denoise?.state === 'running' && denoise.progress >= 60) killedAt = denoise.progress;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    assert.ok(killedAt < 100, `killed at ${killedAt}%`);

    gpuWorkers.spawn();
    const final = await api.waitForJob(jobId, { timeoutMs: 240_000 });
    assert.equal(final['status'], 'completed', `${JSON.stringify(final)}\n${gpuWorkers.log}`);

    const history = await platform.client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runDenoise',
    );
    assert.ok(scheduled, 'runDenoise was scheduled');
    const isOurs = (id: unknown) => String(id) === String(scheduled.eventId);
    const started = events.find((event) => isOurs(event.activityTaskStartedEventAttributes?.scheduledEventId));
    const completed = events.find((event) => isOurs(event.activityTaskCompletedEventAttributes?.scheduledEventId));
    assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 2, 'the second attempt completed the stage');
    const payload = completed?.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    assert.ok(payload, 'runDenoise completed with a result');
    const outcome = defaultPayloadConverter.fromPayload<DenoiseOutcome>(payload);
    assert.ok(
      outcome.resumedFromFraction > 0.5,
      `the retry resumed from ${(outcome.resumedFromFraction * 100).toFixed(1)}%, killed at ${killedAt}%`,
    );

    t.diagnostic(`killed at ${killedAt}%, resumed from ${(outcome.resumedFromFraction * 100).toFixed(1)}%`);

    // The killed worker's scratch (its checkpoint parts, its temp dir) was swept when the next worker started, and
    // the job's own scratch went when its activities ended: only the live processes' empty temp dirs remain.
    const workDir = path.join(platform.dataDir, 'work');
    const leftovers = (await readdir(workDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name !== '.owner')
      .map((entry) => path.join(entry.parentPath, entry.name));
    assert.deepEqual(leftovers, [], 'scratch files left under DATA_DIR/work');
    assert.ok(!existsSync(path.join(workDir, jobId)), 'the job has no scratch folder once it ended');
    const processDirs = (await readdir(workDir)).filter((name) => name.startsWith('process-'));
    assert.ok(
      !processDirs.includes(`process-${first.pid ?? 0}`),
      `the killed worker's temp dir remains: ${processDirs.join(', ')}`,
    );

    // Sample-exact: the denoised work file has exactly as many frames as the preprocessed input, as an
    // uninterrupted run's has (the stream's contract), and the delivered job lasts as long as the upload.
    const local = (key: string) => path.join(platform.dataDir, 'storage', key);
    const before = await readWavInfo(local(jobStorageKeys(jobId).preprocessed));
    const after = await readWavInfo(local(outcome.outputKey));
    assert.equal(after.frames, before.frames);
    assert.equal(after.sampleRate, before.sampleRate);
    const tolerance = Math.max(QUALITY_LIMITS.durationToleranceMs, input.durationSeconds * 1000 * 0.005);
    assert.ok(
      Math.abs((final['outputDurationMs'] as number) - input.durationSeconds * 1000) <= tolerance,
      `output lasts ${String(final['outputDurationMs'])} ms for ${input.durationSeconds * 1000} ms of input`,
    );
  });
});
