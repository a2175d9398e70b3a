import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import type { RetentionActivities, WebhookActivities } from '@voice/activities';
import type { RetentionInput, RetentionReport, RetentionWorkflow } from '@voice/shared';

/**
 * The retention workflow's control flow on a real Temporal server (the test environment's dev server, from the CLI
 * `npm test` installed), over in-memory activities that model the database: which batches it asks for, in what
 * order, where the durable wait sits, and how a long backlog continues as new with its totals.
 */
const cli = process.env['TEST_TEMPORAL_CLI'];
const TASK_QUEUE = 'wf-test-retention';
const LINK_LIFETIME_MS = 400;

interface HeldJob {
  id: string;
  running: boolean;
  held: number;
}

/** The fake world the activities read and change. */
let held: HeldJob[] = [];
let expirable = 0;
let expiredAwaitingDeletion = 0;
let calls: Array<{ name: string; input: unknown }> = [];

const activities: RetentionActivities = {
  async reconcileHolds(input) {
    calls.push({ name: 'reconcileHolds', input });
    const after = held.filter((job) => input.afterJobId === undefined || job.id > input.afterJobId);
    const items = after.slice(0, input.limit);
    let orphanedHoldsReleased = 0;
    let creditsReleased = 0;
    const failedJobIds: string[] = [];
    for (const job of items) {
      if (job.running || job.held === 0) continue;
      orphanedHoldsReleased += 1;
      creditsReleased += job.held;
      job.held = 0;
      failedJobIds.push(job.id);
    }
    return {
      holdsChecked: items.length,
      orphanedHoldsReleased,
      creditsReleased,
      failedJobIds,
      lastJobId: items.at(-1)?.id,
      more: items.length === input.limit,
    };
  },
  async expireJobs(input) {
    calls.push({ name: 'expireJobs', input });
    const jobsExpired = Math.min(expirable, input.limit);
    expirable -= jobsExpired;
    expiredAwaitingDeletion += jobsExpired;
    return {
      jobsExpired,
      creditsReleased: jobsExpired * 10,
      more: jobsExpired === input.limit,
      linkLifetimeMs: LINK_LIFETIME_MS,
    };
  },
  async deleteExpiredFiles(input) {
    calls.push({ name: 'deleteExpiredFiles', input });
    const jobsDeleted = Math.min(expiredAwaitingDeletion, input.limit);
    expiredAwaitingDeletion -= jobsDeleted;
    return { jobsDeleted, filesDeleted: jobsDeleted * 4, more: jobsDeleted === input.limit };
  },
};

/** The webhook side: which events the workflow announced (no endpoints here, so no deliveries start). */
const webhookActivities: Pick<WebhookActivities, 'prepareWebhookEvent'> = {
  async prepareWebhookEvent(event) {
    calls.push({ name: 'prepareWebhookEvent', input: { type: event.type, subject: event.subject } });
    return { deliveryIds: [], retry: { initialSeconds: 1, maxIntervalSeconds: 1, windowSeconds: 1 } };
  },
};

const called = (name: string) => calls.filter((call) => call.name === name).map((call) => call.input);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Activity names and timers of a history, in order: `activity:<name>` / `timer:<ms>` / `continue-as-new`. */
function timeline(events: HistoryEvent[]): string[] {
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) return [`activity:${scheduled}`];
    const timer = event.timerStartedEventAttributes?.startToFireTimeout;
    if (timer) {
      const seconds = typeof timer.seconds === 'number' ? timer.seconds : (timer.seconds?.toNumber() ?? 0);
      return [`timer:${seconds * 1000 + Math.round((timer.nanos ?? 0) / 1e6)}`];
    }
    if (event.workflowExecutionContinuedAsNewEventAttributes) return ['continue-as-new'];
    return [];
  });
}

describe('retentionWorkflow', { skip: cli ? false : 'TEST_TEMPORAL_CLI is not set (run through npm test)' }, () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let sequence = 0;

  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli ?? '' } },
    });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src'),
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: console.error,
      },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle,
      activities: { ...activities, ...webhookActivities },
    });
    running = worker.run();
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  beforeEach(() => {
    held = [];
    expirable = 0;
    expiredAwaitingDeletion = 0;
    calls = [];
  });

  const run = async (input: RetentionInput) => {
    sequence += 1;
    const handle = await env.client.workflow.start<RetentionWorkflow>('retentionWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `retention-test-${sequence}-${Date.now()}`,
      args: [input],
    });
    return { handle, report: await handle.result() };
  };

  test('releases closed workflows’ holds page by page, expires, waits one link lifetime, then deletes', async () => {
    held = ['a', 'b', 'c', 'd', 'e'].map((id, index) => ({ id, running: index % 2 === 1, held: 100 + index }));
    expirable = 3;
    const { handle, report } = await run({ batchSize: 2 });

    // The cursor moves past jobs whose workflow still runs, so each is looked at once.
    assert.deepEqual(called('reconcileHolds'), [
      { limit: 2 },
      { limit: 2, afterJobId: 'b' },
      { limit: 2, afterJobId: 'd' },
    ]);
    assert.deepEqual(
      held.map((job) => job.held),
      [0, 101, 0, 103, 0],
      'only holds of closed workflows are released',
    );
    // Each job the reconcile failed is announced like any failure, once.
    assert.deepEqual(called('prepareWebhookEvent'), [
      { type: 'job.failed', subject: 'a' },
      { type: 'job.failed', subject: 'c' },
      { type: 'job.failed', subject: 'e' },
    ]);
    const expected: RetentionReport = {
      holdsChecked: 5,
      orphanedHoldsReleased: 3,
      creditsReleased: 100 + 102 + 104 + 3 * 10,
      jobsExpired: 3,
      jobsDeleted: 3,
      filesDeleted: 12,
    };
    assert.deepEqual(report, expected);

    const { events } = await handle.fetchHistory();
    assert.deepEqual(timeline(events ?? []), [
      'activity:reconcileHolds',
      'activity:prepareWebhookEvent',
      'activity:reconcileHolds',
      'activity:prepareWebhookEvent',
      'activity:reconcileHolds',
      'activity:prepareWebhookEvent',
      'activity:expireJobs',
      'activity:expireJobs',
      `timer:${LINK_LIFETIME_MS}`,
      'activity:deleteExpiredFiles',
      'activity:deleteExpiredFiles',
    ]);
    // Every batch of a run cuts at the same reference time.
    const cutoffs = new Set(called('expireJobs').map((input) => (input as { asOf: string }).asOf));
    assert.equal(cutoffs.size, 1);
  });

  test('with nothing newly expired there is no wait: earlier expiries are past theirs already', async () => {
    expiredAwaitingDeletion = 2;
    const { handle, report } = await run({});
    assert.equal(report.jobsExpired, 0);
    assert.equal(report.jobsDeleted, 2);
    const { events } = await handle.fetchHistory();
    assert.deepEqual(timeline(events ?? []), [
      'activity:reconcileHolds',
      'activity:expireJobs',
      'activity:deleteExpiredFiles',
    ]);
  });

  test('a long backlog continues as new where it stands and carries its totals and its cutoff', async () => {
    held = Array.from({ length: 5 }, (_, index) => ({ id: `h${index}`, running: false, held: 1 }));
    expirable = 9;
    const { handle, report } = await run({ batchSize: 2, callsPerRun: 4 });

    assert.deepEqual(report, {
      holdsChecked: 5,
      orphanedHoldsReleased: 5,
      creditsReleased: 5 + 9 * 10,
      jobsExpired: 9,
      jobsDeleted: 9,
      filesDeleted: 36,
    });
    // Holds 3 calls and 5 announcements, expiry 5, deletion 5; at 4 per run the first run ends after the holds
    // (its announcements count too, so a run of big batches cannot outgrow its history).
    assert.deepEqual(
      called('reconcileHolds').map((input) => (input as { afterJobId?: string }).afterJobId),
      [undefined, 'h1', 'h3'],
    );
    assert.equal(called('prepareWebhookEvent').length, 5, 'every failed job announced once, across the hand-overs');
    assert.equal(new Set(called('expireJobs').map((input) => (input as { asOf: string }).asOf)).size, 1);
    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    assert.deepEqual(timeline(first.events ?? []), [
      'activity:reconcileHolds',
      'activity:prepareWebhookEvent',
      'activity:prepareWebhookEvent',
      'activity:reconcileHolds',
      'activity:prepareWebhookEvent',
      'activity:prepareWebhookEvent',
      'continue-as-new',
    ]);
    const description = await handle.describe();
    assert.equal(description.status.name, 'COMPLETED');
    assert.notEqual(description.runId, handle.firstExecutionRunId, 'the result came from a continued run');
  });
});
