import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { temporal } from '@temporalio/proto';
import { users } from '@voice/db';
import { GPU_PRIORITY_KEYS, workflowIdForJob } from '@voice/shared';
import { eq } from 'drizzle-orm';

import { GpuWorkerProcesses, makeNoisySpeech, startTestPlatform, type NoisySpeech, type TestPlatform } from '../src';

const FREE_JOBS = 4;

/**
 * Task priority on the GPU queue, on the real dev server (scripts/test.mjs starts it with
 * temporal-config/dev-server-dynamic-config.json): with one GPU slot and a backlog of free jobs, a premium job
 * submitted last is the first to reach the GPU. No GPU worker runs while the jobs queue up, so every inference
 * task is in the backlog when the single-slot worker starts; the order it takes them in is the server's.
 */
describe('premium jobs on a busy GPU queue', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let input: NoisySpeech;
  const gpuWorkers = new GpuWorkerProcesses(() => platform);

  before(async () => {
    [platform, input] = await Promise.all([
      startTestPlatform({}, { embeddedGpuWorker: false }),
      makeNoisySpeech({ snrDb: 10, seed: 5 }),
    ]);
  });
  after(async () => {
    gpuWorkers.killAll();
    await platform?.close();
  });

  /** Resolves once the job's workflow has scheduled its inference on the GPU queue (it waits in the backlog). */
  async function gpuTaskScheduled(jobId: string): Promise<void> {
    const handle = platform.client.workflow.getHandle(workflowIdForJob(jobId));
    for (let attempt = 0; attempt < 240; attempt++) {
      const { events } = await handle.fetchHistory();
      const scheduled = (events ?? []).some(
        (event) => event.activityTaskScheduledEventAttributes?.taskQueue?.name === platform.env.TASK_QUEUE_GPU,
      );
      if (scheduled) return;
      await sleep(250);
    }
    throw new Error(`job ${jobId} never scheduled its GPU activity`);
  }

  /** When the job's GPU activity started (its ActivityTaskStarted event), and with which priority key. */
  async function gpuStart(jobId: string): Promise<{ startedAt: number; priorityKey: number }> {
    const { events = [] } = await platform.client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
    const scheduled = events?.find(
      (event) => event.activityTaskScheduledEventAttributes?.taskQueue?.name === platform.env.TASK_QUEUE_GPU,
    );
    const started = events?.find(
      (event) =>
        event.activityTaskStartedEventAttributes &&
        String(event.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled?.eventId),
    );
    const time = started?.eventTime;
    assert.ok(scheduled && time, `job ${jobId} ran its GPU activity`);
    return {
      startedAt: Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6),
      priorityKey: scheduled.activityTaskScheduledEventAttributes?.priority?.priorityKey ?? 0,
    };
  }

  async function gpuBacklog() {
    return platform.client.workflowService.describeTaskQueue({
      namespace: platform.env.TEMPORAL_NAMESPACE,
      taskQueue: {
        name: platform.env.TASK_QUEUE_GPU,
        kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportStats: true,
    });
  }

  test('a premium job submitted after four free ones starts its inference before all of them', async () => {
    const free = platform.api();
    await free.register(`free-${Date.now()}@example.com`);
    const premium = platform.api();
    const premiumUser = await premium.register(`premium-${Date.now()}@example.com`);
    // What PATCH /api/admin/users/:id { tier } does (tested with the admin API): the tier is read at submit.
    await platform.database.db.update(users).set({ subscriptionTier: 'premium' }).where(eq(users.id, premiumUser.id));

    const submit = async (client: typeof free) => {
      const accepted = await client.upload('/api/audio/denoise', input.wav, 'speech.wav');
      assert.equal(accepted.status, 202, accepted.text);
      return accepted.json['jobId'] as string;
    };
    const freeJobs: string[] = [];
    for (let index = 0; index < FREE_JOBS; index++) freeJobs.push(await submit(free));
    await Promise.all(freeJobs.map(gpuTaskScheduled));
    const premiumJob = await submit(premium);
    await gpuTaskScheduled(premiumJob);

    // All five wait for a GPU; the server reports the backlog per priority key (the admin system page shows it).
    let byKey: Record<string, number> = {};
    for (let attempt = 0; attempt < 40; attempt++) {
      const described = await gpuBacklog();
      byKey = Object.fromEntries(
        Object.entries(described.statsByPriorityKey ?? {}).map(([key, stats]) => [
          key,
          Number(stats.approximateBacklogCount ?? 0),
        ]),
      );
      if (byKey[String(GPU_PRIORITY_KEYS.premium)] === 1 && byKey[String(GPU_PRIORITY_KEYS.free)] === FREE_JOBS) break;
      await sleep(250);
    }
    assert.equal(byKey[String(GPU_PRIORITY_KEYS.premium)], 1, JSON.stringify(byKey));
    assert.equal(byKey[String(GPU_PRIORITY_KEYS.free)], FREE_JOBS, JSON.stringify(byKey));

    // One GPU slot.
    gpuWorkers.spawn({ GPU_WORKER_CONCURRENCY: '1' });
    for (const jobId of [premiumJob, ...freeJobs]) {
      const client = jobId === premiumJob ? premium : free;
      const final = await client.waitForJob(jobId, { timeoutMs: 240_000 });
      assert.equal(final['status'], 'completed', `${JSON.stringify(final)}\n${gpuWorkers.log}`);
    }

    const premiumStart = await gpuStart(premiumJob);
    const freeStarts = await Promise.all(freeJobs.map(gpuStart));
    assert.equal(premiumStart.priorityKey, GPU_PRIORITY_KEYS.premium);
    assert.ok(freeStarts.every((start) => start.priorityKey === GPU_PRIORITY_KEYS.free));
    const order = [
      { job: 'premium', ...premiumStart },
      ...freeStarts.map((start, i) => ({ job: `free ${i + 1}`, ...start })),
    ]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((entry) => entry.job);
    assert.equal(order[0], 'premium', `GPU start order: ${order.join(', ')}`);
    assert.ok(freeStarts.every((start) => start.startedAt > premiumStart.startedAt));
  });
});
