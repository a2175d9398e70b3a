import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ScheduleHandle } from '@temporalio/client';
import { ORPHANED_JOB_ERROR } from '@voice/activities';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { creditLedger, getCreditSummary, getJobById, jobReleaseKey, jobStorageKeysOf, processingJobs } from '@voice/db';
import { retentionScheduleId, workflowIdForJob, type RetentionReport, type RetentionWorkflow } from '@voice/shared';
import { LocalStorage } from '@voice/storage';
import { makeNoisySpeech, startTestPlatform, type ApiClient, type NoisySpeech, type TestPlatform } from '../src';

/**
 * The retention schedule on the whole platform: real jobs, their rows moved back past RETENTION_DAYS, the schedule
 * triggered (ScheduleHandle.trigger, as the UI's "Trigger" button does), then files, rows, the API's answers and the
 * ledger checked. An orphaned hold (its workflow terminated mid-run) is released once, however often it runs.
 */
const RETENTION_DAYS = 7;
/** Seconds a download link lives: the run waits this long between expiring and deleting. */
const LINK_TTL_SECONDS = 10;

describe('the retention schedule', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let input: NoisySpeech;
  let longInput: NoisySpeech;
  let schedule: ScheduleHandle;

  before(async () => {
    [platform, input, longInput] = await Promise.all([
      startTestPlatform({ RETENTION_DAYS: String(RETENTION_DAYS), SIGNED_URL_TTL_SECONDS: String(LINK_TTL_SECONDS) }),
      makeNoisySpeech({ snrDb: 10, seed: 21 }),
      makeNoisySpeech({ snrDb: 10, minSeconds: 60, seed: 22 }),
    ]);
    schedule = platform.client.schedule.getHandle(retentionScheduleId(platform.env.TASK_QUEUE_CPU));
  });
  after(async () => {
    await platform?.close();
  });

  /** Triggers one run and returns its workflow id, once the schedule reports it started. */
  const trigger = async (): Promise<string> => {
    const before = new Set((await schedule.describe()).info.recentActions.map((a) => a.action.workflow.workflowId));
    await schedule.trigger();
    for (let attempt = 0; attempt < 200; attempt++) {
      const started = (await schedule.describe()).info.recentActions
        .map((action) => action.action.workflow.workflowId)
        .find((workflowId) => !before.has(workflowId));
      if (started) return started;
      await sleep(100);
    }
    throw new Error('the triggered run never started');
  };
  const result = (workflowId: string): Promise<RetentionReport> =>
    platform.client.workflow.getHandle<RetentionWorkflow>(workflowId).result();

  const submit = async (api: ApiClient, wav: Buffer, name: string): Promise<string> => {
    const accepted = await api.upload('/api/audio/denoise', wav, name);
    assert.equal(accepted.status, 202, accepted.text);
    return accepted.json['jobId'] as string;
  };

  /** Every file in the job's storage folder (the test platform uses the local driver). */
  const filesUnder = async (jobId: string): Promise<string[]> => {
    const { storage } = platform;
    assert.ok(storage instanceof LocalStorage, 'the test platform stores files locally');
    const entries = await readdir(path.join(storage.root, 'jobs', jobId), {
      recursive: true,
      withFileTypes: true,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  };

  /** The job's recorded storage keys that exist now (input, work file, output). */
  const storedKeys = async (jobId: string): Promise<string[]> => {
    const job = await getJobById(platform.database.db, jobId);
    assert.ok(job);
    const keys = jobStorageKeysOf(job);
    const present = await Promise.all(keys.map((key) => platform.storage.exists(key)));
    return keys.filter((_key, index) => present[index]);
  };

  test('the schedule exists at start, runs retentionWorkflow daily on the CPU queue, and is listed', async () => {
    const description = await schedule.describe();
    assert.equal(description.action.type, 'startWorkflow');
    assert.equal(description.action.workflowType, 'retentionWorkflow');
    assert.equal(description.action.taskQueue, platform.env.TASK_QUEUE_CPU);
    const [calendar] = description.spec.calendars ?? [];
    assert.equal(calendar?.hour[0]?.start, 3, 'daily at 03:30 UTC');
    assert.equal(calendar?.minute[0]?.start, 30);
    assert.equal(description.spec.calendars?.length, 1);
    assert.equal(description.policies.overlap, 'SKIP');
    assert.ok(description.info.nextActionTimes.length > 0, 'it has upcoming runs');
    // What the Temporal UI's Schedules page lists: its own server's API when the suite has a UI, else ListSchedules
    // (the call behind that API). Listing is eventually consistent.
    const ui = process.env['TEST_TEMPORAL_UI_URL'];
    const listedIds = async (): Promise<string[]> => {
      if (ui) {
        const response = await fetch(`${ui}/api/v1/namespaces/${platform.env.TEMPORAL_NAMESPACE}/schedules`);
        const body = (await response.json()) as { schedules?: Array<{ scheduleId: string }> };
        return (body.schedules ?? []).map((entry) => entry.scheduleId);
      }
      const ids: string[] = [];
      for await (const summary of platform.client.schedule.list()) ids.push(summary.scheduleId);
      return ids;
    };
    let listed = false;
    for (let attempt = 0; attempt < 100 && !listed; attempt++) {
      listed = (await listedIds()).includes(schedule.scheduleId);
      if (!listed) await sleep(200);
    }
    assert.ok(listed, `the ${ui ? 'Temporal UI' : 'schedule list'} shows ${schedule.scheduleId}`);
  });

  test('expires and deletes old jobs’ files, answers 410 for them, releases an orphaned hold once, keeps fresh jobs', async () => {
    const api = platform.api();
    const user = await api.register(`retention-${Date.now()}@example.com`);
    const db = platform.database.db;

    // Three finished jobs: one downloaded (charged), one never downloaded (still holding its settled credits), one fresh.
    const [paid, unpaid, fresh] = [
      await submit(api, input.wav, 'paid.wav'),
      await submit(api, input.wav, 'unpaid.wav'),
      await submit(api, input.wav, 'fresh.wav'),
    ];
    for (const jobId of [paid, unpaid, fresh]) {
      assert.equal((await api.waitForJob(jobId, { timeoutMs: 180_000 }))['status'], 'completed');
    }
    for (const jobId of [paid, fresh]) {
      assert.equal((await api.request('POST', `/api/audio/download/${jobId}`)).status, 200);
    }
    // The orphan: its workflow is terminated mid-run (as from the UI), so no compensation releases its hold.
    const orphan = await submit(api, longInput.wav, 'orphan.wav');
    await sleep(500);
    await platform.client.workflow.getHandle(workflowIdForJob(orphan)).terminate('test: an orphaned hold');
    const orphanHold = (await getJobById(db, orphan))?.creditsHeld ?? 0;
    assert.ok(orphanHold > 0, 'the terminated job still holds credits');

    const oldKeys = { paid: await storedKeys(paid), unpaid: await storedKeys(unpaid) };
    assert.ok(
      oldKeys.paid.length >= 3 && oldKeys.unpaid.length >= 3,
      `input, work file, output: ${JSON.stringify(oldKeys)}`,
    );
    const oldFileCount = (await filesUnder(paid)).length + (await filesUnder(unpaid)).length;
    const freshKeys = await storedKeys(fresh);
    const freshFiles = await filesUnder(fresh);
    const unpaidHold = (await getJobById(db, unpaid))?.creditsHeld ?? 0;
    assert.ok(unpaidHold > 0, 'a completed job holds its output length until downloaded');

    // Time travel: two jobs ended more than RETENTION_DAYS ago, the orphan is older than the hold grace.
    await db
      .update(processingJobs)
      .set({
        createdAt: sql`${processingJobs.createdAt} - interval '${sql.raw(String(RETENTION_DAYS + 1))} days'`,
        completedAt: sql`${processingJobs.completedAt} - interval '${sql.raw(String(RETENTION_DAYS + 1))} days'`,
      })
      .where(inArray(processingJobs.id, [paid, unpaid, orphan]));

    // Two runs overlapping (the second starts while the first waits out the link lifetime), then a third.
    const first = await trigger();
    await sleep(1_100);
    const second = await trigger();
    const reports = await Promise.all([result(first), result(second)]);
    const total = (key: keyof RetentionReport) => reports.reduce((sum, report) => sum + report[key], 0);
    assert.equal(total('orphanedHoldsReleased'), 1, JSON.stringify(reports));
    assert.equal(total('jobsExpired'), 2);
    assert.equal(total('jobsDeleted'), 2);
    assert.equal(total('filesDeleted'), oldFileCount, 'every file of both jobs, work files included');
    assert.equal(total('creditsReleased'), orphanHold + unpaidHold);
    const third = await result(await trigger());
    assert.deepEqual(
      { ...third, holdsChecked: 0 },
      {
        holdsChecked: 0,
        orphanedHoldsReleased: 0,
        creditsReleased: 0,
        jobsExpired: 0,
        jobsDeleted: 0,
        filesDeleted: 0,
      },
      'a later run finds nothing left to do',
    );

    // Files: the old jobs' are gone, folders and all; the fresh job's are all there.
    for (const jobId of [paid, unpaid]) {
      assert.deepEqual(await storedKeys(jobId), []);
      assert.deepEqual(await filesUnder(jobId), []);
    }
    assert.deepEqual(await storedKeys(fresh), freshKeys);
    assert.deepEqual(await filesUnder(fresh), freshFiles);

    // Rows are marked; the API answers 410 with a code, not a 500, and charges nothing.
    for (const jobId of [paid, unpaid]) {
      const row = await getJobById(db, jobId);
      assert.ok(row?.filesExpiredAt && row.filesDeletedAt, `${jobId} is marked`);
      const download = await api.request('POST', `/api/audio/download/${jobId}`);
      assert.equal(download.status, 410, download.text);
      assert.equal(download.json['error']['code'], 'OUTPUT_EXPIRED');
      const inputLink = await api.request('GET', `/api/jobs/${jobId}/input`);
      assert.equal(inputLink.status, 410, inputLink.text);
      assert.equal(inputLink.json['error']['code'], 'INPUT_EXPIRED');
      const status = await api.status(jobId);
      assert.equal(status.json['downloadable'], false);
      assert.equal(status.json['filesExpiredAt'], row.filesExpiredAt.toISOString());
    }
    const freshRow = await getJobById(db, fresh);
    assert.equal(freshRow?.filesExpiredAt, null);
    assert.equal((await api.request('POST', `/api/audio/download/${fresh}`)).status, 200, 'a fresh job downloads');

    // The ledger: the never-downloaded job was released, not charged; the orphan released exactly once.
    const entries = await db
      .select()
      .from(creditLedger)
      .where(and(eq(creditLedger.userId, user.id), inArray(creditLedger.jobId, [paid, unpaid, orphan])));
    const of = (jobId: string, kind: string) => entries.filter((entry) => entry.jobId === jobId && entry.kind === kind);
    assert.equal(of(paid, 'charge').length, 1, 'the downloaded job keeps its one charge');
    assert.equal(of(unpaid, 'charge').length, 0, 'an expired job is never charged');
    const releasedByKey = (jobId: string) => entries.filter((entry) => entry.idempotencyKey === jobReleaseKey(jobId));
    assert.deepEqual(
      releasedByKey(unpaid).map((entry) => entry.amount),
      [unpaidHold],
    );
    assert.deepEqual(
      releasedByKey(orphan).map((entry) => entry.amount),
      [orphanHold],
      'one release of the orphaned hold, through the compensation’s key',
    );
    const orphanRow = await getJobById(db, orphan);
    assert.equal(orphanRow?.status, 'failed');
    assert.equal(orphanRow?.error, ORPHANED_JOB_ERROR);
    assert.equal(orphanRow?.creditsHeld, 0);
    const summary = await getCreditSummary(db, user.id);
    assert.equal(summary.ledgerSum, summary.balance);
    assert.equal(summary.held, 0);
  });
});
