import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getCreditSummary, listLedger } from '@voice/db';
import { workflowIdForJob } from '@voice/shared';
import {
  GpuWorkerProcesses,
  makeNoisySpeech,
  startTestPlatform,
  waitForInference,
  type NoisySpeech,
  type TestPlatform,
} from '../src';

describe('cancelling a job mid-inference', { timeout: 240_000 }, () => {
  let platform: TestPlatform;
  let longInput: NoisySpeech;

  before(async () => {
    [platform, longInput] = await Promise.all([startTestPlatform(), makeNoisySpeech({ snrDb: 5, minSeconds: 150 })]);
  });
  after(async () => platform?.close());

  test('stops inference within seconds, ends cancelled and restores every credit', async () => {
    const api = platform.api();
    const user = await api.register(`cancel-${Date.now()}@example.com`);
    const accepted = await api.upload('/api/audio/denoise', longInput.wav, 'long.wav');
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;

    const progress = await waitForInference(api, jobId);
    assert.ok(progress > 0 && progress < 100);
    const during = await api.credits();
    assert.ok(during.creditsHeld >= Math.floor(longInput.durationSeconds), 'the input length is on hold while running');
    const early = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(early.status, 409, 'a running job cannot be downloaded');

    const cancelledAt = Date.now();
    const cancel = await api.request('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(cancel.status, 202, cancel.text);
    const final = await api.waitForJob(jobId, { timeoutMs: 30_000 });
    assert.equal(final['status'], 'cancelled');

    assert.ok(Date.now() - cancelledAt < 10_000, `cancel took ${Date.now() - cancelledAt} ms`);

    // The model itself stopped, not just the workflow: the inference activity reported its cancellation.
    const history = await platform.client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
    const events = history.events ?? [];
    const denoiseScheduled = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runDenoise',
    );
    assert.ok(denoiseScheduled, 'runDenoise was scheduled');
    const denoiseCancelled = events.find(
      (event) =>
        event.activityTaskCanceledEventAttributes &&
        String(event.activityTaskCanceledEventAttributes.scheduledEventId) === String(denoiseScheduled.eventId),
    );
    assert.ok(denoiseCancelled, 'runDenoise acknowledged the cancel');
    assert.ok(
      !events.some(
        (event) =>
          event.activityTaskCompletedEventAttributes &&
          String(event.activityTaskCompletedEventAttributes.scheduledEventId) === String(denoiseScheduled.eventId),
      ),
      'inference did not run to completion',
    );

    const credits = await api.credits();
    assert.equal(credits.creditsRemaining, user.creditsRemaining, 'the hold is released in full');
    assert.equal(credits.creditsHeld, 0);
    const summary = await getCreditSummary(platform.database.db, user.id);
    assert.equal(summary.ledgerSum, summary.balance);

    const again = await api.request('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(again.status, 409, 'a finished job cannot be cancelled twice');
  });
});

describe('a GPU worker killed mid-inference', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let input: NoisySpeech;
  const gpuWorkers = new GpuWorkerProcesses(() => platform);

  before(async () => {
    [platform, input] = await Promise.all([
      startTestPlatform({}, { embeddedGpuWorker: false }),
      makeNoisySpeech({ snrDb: 5, minSeconds: 90, seed: 11 }),
    ]);
  });
  after(async () => {
    gpuWorkers.killAll();
    await platform?.close();
  });

  test('the job completes once a worker is back, and is charged once', async () => {
    const api = platform.api();
    const user = await api.register(`crash-${Date.now()}@example.com`);
    const first = gpuWorkers.spawn();
    const accepted = await api.upload('/api/audio/denoise', input.wav, 'crash.wav');
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;

    await waitForInference(api, jobId);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    gpuWorkers.spawn();
    const final = await api.waitForJob(jobId, { timeoutMs: 180_000 });
    assert.equal(final['status'], 'completed', `${JSON.stringify(final)}\n${gpuWorkers.log}`);

    // The row is marked completed by the workflow's last activity, a moment before the workflow returns.
    const handle = platform.client.workflow.getHandle(workflowIdForJob(jobId));
    await handle.result();
    assert.equal((await handle.describe()).status.name, 'COMPLETED');

    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    await api.request('POST', `/api/audio/download/${jobId}`);
    const ledger = await listLedger(platform.database.db, user.id, 100);
    assert.equal(ledger.filter((entry) => entry.kind === 'charge').length, 1, 'charged once');
    const heldNet = ledger
      .filter((entry) => entry.jobId === jobId && (entry.kind === 'hold' || entry.kind === 'hold_release'))
      .reduce((sum, entry) => sum + entry.amount, 0);
    assert.equal(heldNet, 0, 'every credit held for the job was released or converted into the charge');
    const credits = await api.credits();
    assert.equal(credits.creditsRemaining, user.creditsRemaining - (download.json['creditsCharged'] as number));
  });
});
