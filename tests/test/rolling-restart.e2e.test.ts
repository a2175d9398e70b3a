import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { creditLedger, getCreditSummary, getJobById, processingJobs } from '@voice/db';
import { freePort } from '@voice/runtime';
import { workflowIdForJob } from '@voice/shared';
import {
  ApiClient,
  freshGet,
  makeNoisySpeech,
  readSseFrames,
  slowUpload,
  startTestPlatform,
  testInfra,
  waitForInference,
  WorkerProcesses,
  type NoisySpeech,
  type RawReply,
  type TestPlatform,
} from '../src';

/**
 * A rolling deploy, for real: the platform's API with standalone worker processes (apps/worker for workflows,
 * bookkeeping and media; apps/gpu-worker for inference), a stream of jobs, and each worker replaced in turn by
 * SIGTERM while its successor starts. Then the API process's own SIGTERM, with a stream and an upload open.
 */
const pg = testInfra().databaseUrl;
const GRACE_SECONDS = 60;
const SHORT_JOBS = 10;

describe('rolling restart', { skip: pg ? false : 'needs PostgreSQL (TEST_DATABASE_URL)', timeout: 900_000 }, () => {
  let platform: TestPlatform;
  let short: NoisySpeech;
  let long: NoisySpeech;
  const workers = new WorkerProcesses(() => platform);

  before(async () => {
    [platform, short, long] = await Promise.all([
      startTestPlatform(
        { SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) },
        { embeddedCpuWorker: false, embeddedMediaWorker: false, embeddedGpuWorker: false },
      ),
      makeNoisySpeech({ snrDb: 10, seed: 3 }),
      makeNoisySpeech({ snrDb: 5, minSeconds: 25, seed: 5 }),
    ]);
  });
  after(async () => {
    workers.killAll();
    await platform?.close();
  });

  test('replacing the GPU worker, then the CPU worker, loses no job and charges each exactly once', async (t) => {
    const began = Date.now();
    const phase = (what: string) => t.diagnostic(`${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);
    let cpu = workers.spawn('cpu');
    let gpu = workers.spawn('gpu');
    await Promise.all([workers.polling('cpu', cpu), workers.polling('gpu', gpu)]);

    const api = platform.api();
    const user = await api.register(`rolling-${Date.now()}@example.com`);
    const jobIds: string[] = [];
    const submit = async (wav: Buffer, name: string) => {
      const accepted = await api.upload('/api/audio/denoise', wav, name);
      assert.equal(accepted.status, 202, accepted.text);
      const jobId = accepted.json['jobId'] as string;
      jobIds.push(jobId);
      return jobId;
    };

    // One long job, so an inference is certainly running when its worker gets SIGTERM; short ones keep arriving
    // (a bounded stream: one GPU worker on this machine works through about one short job every few seconds).
    phase('workers polling');
    const longJob = await submit(long.wav, 'long.wav');
    const stream = (async () => {
      for (let index = 0; index < SHORT_JOBS; index++) {
        await submit(short.wav, `short-${index}.wav`);
        await sleep(1_500);
      }
    })();

    await waitForInference(api, longJob);
    phase('long inference running: SIGTERM to the GPU worker');
    // Rolling: the replacement starts while the old one drains.
    const oldGpu = gpu;
    gpu = workers.spawn('gpu');
    const gpuSignalledAt = Date.now();
    const gpuExit = await workers.stop(oldGpu, 'SIGTERM');
    assert.deepEqual(gpuExit, { code: 0, signal: null }, `the GPU worker exits cleanly\n${workers.log}`);
    await workers.polling('gpu', gpu);
    phase('old GPU worker exited, new one polling');

    // The CPU worker holds the workflows: replace it while jobs are in every stage.
    const oldCpu = cpu;
    cpu = workers.spawn('cpu');
    const cpuSignalledAt = Date.now();
    const cpuExit = await workers.stop(oldCpu, 'SIGTERM');
    assert.deepEqual(cpuExit, { code: 0, signal: null }, `the CPU worker exits cleanly\n${workers.log}`);
    await workers.polling('cpu', cpu);
    phase('old CPU worker exited, new one polling');
    await stream;
    assert.equal(jobIds.length, SHORT_JOBS + 1);

    // Every job completes, and its first download charges it.
    for (const jobId of jobIds) {
      const final = await api.waitForJob(jobId, { timeoutMs: 300_000 });
      assert.equal(final['status'], 'completed', `${jobId}: ${JSON.stringify(final)}\n${workers.log}`);
      const download = await api.request('POST', `/api/audio/download/${jobId}`);
      assert.equal(download.status, 200, download.text);
      assert.equal(download.json['alreadyCharged'], false);
    }

    phase(`${jobIds.length} jobs completed and downloaded`);

    // The ledger itself: exactly one charge per job, no hold left open, and the balance is the ledger's sum.
    const db = platform.database.db;
    const charges = await db
      .select({ jobId: creditLedger.jobId, count: sql<number>`count(*)`.mapWith(Number) })
      .from(creditLedger)
      .where(and(eq(creditLedger.kind, 'charge'), inArray(creditLedger.jobId, jobIds)))
      .groupBy(creditLedger.jobId);
    assert.equal(charges.length, jobIds.length, 'every job was charged');
    assert.ok(
      charges.every((row) => row.count === 1),
      `each exactly once: ${JSON.stringify(charges)}`,
    );
    const open = await db
      .select({ id: processingJobs.id })
      .from(processingJobs)
      .where(sql`${processingJobs.userId} = ${user.id} and ${processingJobs.creditsHeld} > 0`);
    assert.deepEqual(open, [], 'no hold is left open');
    const holds = await db
      .select({ net: sql<number>`coalesce(sum(${creditLedger.amount}), 0)`.mapWith(Number) })
      .from(creditLedger)
      .where(and(inArray(creditLedger.kind, ['hold', 'hold_release']), inArray(creditLedger.jobId, jobIds)));
    assert.equal(holds[0]?.net, 0, 'every credit held was released or turned into the charge');
    const summary = await getCreditSummary(db, user.id);
    assert.equal(summary.ledgerSum, summary.balance);
    assert.equal(summary.held, 0);

    // Graceful, not a crash: the old GPU worker finished the inference it was running after its SIGTERM, on the
    // first attempt (a killed worker's attempt would have timed out and run again elsewhere).
    const history = await platform.client.workflow.getHandle(workflowIdForJob(longJob)).fetchHistory();
    const events = history.events ?? [];
    const denoise = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runDenoise',
    );
    const started = events.find(
      (event) =>
        String(event.activityTaskStartedEventAttributes?.scheduledEventId ?? '') === String(denoise?.eventId ?? '-'),
    );
    const completed = events.find(
      (event) =>
        String(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(denoise?.eventId ?? '-'),
    );
    assert.equal(started?.activityTaskStartedEventAttributes?.attempt, 1);
    assert.equal(completed?.activityTaskCompletedEventAttributes?.identity, workers.identity(oldGpu));
    const completedAt = Number(String(completed?.eventTime?.seconds ?? 0)) * 1000;
    assert.ok(completedAt >= gpuSignalledAt - 1000, 'it completed after the SIGTERM, within the grace period');

    // Workflows moved from the old CPU worker to its replacement mid-run: some job has workflow tasks from both.
    const identities = await Promise.all(
      jobIds.map(async (jobId) => {
        const { events: jobEvents } = await platform.client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
        return new Set(
          (jobEvents ?? []).flatMap((event) => {
            const identity = event.workflowTaskCompletedEventAttributes?.identity;
            return identity ? [identity] : [];
          }),
        );
      }),
    );
    assert.ok(
      identities.some((seen) => seen.has(workers.identity(oldCpu)) && seen.has(workers.identity(cpu))),
      `a job spanned the CPU restart (signalled ${new Date(cpuSignalledAt).toISOString()})`,
    );
  });

  describe('the API process on SIGTERM', () => {
    let apiProcess: ChildProcess;
    let baseUrl: string;
    const output: string[] = [];

    before(async () => {
      const port = await freePort('127.0.0.1');
      baseUrl = `http://127.0.0.1:${port}`;
      const env = platform.env;
      apiProcess = spawn(process.execPath, [path.resolve(__dirname, '../../../apps/api/dist/src/main.js')], {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          LOG_LEVEL: 'warn',
          DATA_DIR: platform.dataDir,
          API_HOST: '127.0.0.1',
          API_PORT: String(port),
          ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
          TEMPORAL_ADDRESS: platform.temporalAddress,
          TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE,
          // No worker polls this queue: the job it starts stays pending, so its event stream stays open.
          TASK_QUEUE_CPU: `${env.TASK_QUEUE_CPU}-unpolled`,
          STORAGE_DRIVER: 'local',
          JOB_EVENTS_POLL_MS: '200',
          SHUTDOWN_GRACE_SECONDS: '30',
          SHUTDOWN_DRAIN_DELAY_SECONDS: '2',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      apiProcess.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      for (let attempt = 0; ; attempt++) {
        const live = await freshGet(`${baseUrl}/api/health/live`);
        if ('status' in live && live.status === 200) break;
        if (apiProcess.exitCode !== null || attempt > 600) throw new Error(`the API did not start\n${output.join('')}`);
        await sleep(100);
      }
    });
    after(() => {
      if (apiProcess?.exitCode === null) apiProcess.kill('SIGKILL');
    });

    test('ends its event streams cleanly, finishes the upload in flight, then refuses connections and exits 0', async () => {
      const api = new ApiClient(baseUrl);
      await api.register(`api-sigterm-${Date.now()}@example.com`);
      const pending = await api.request('POST', '/api/audio/tts', { text: 'Nobody will speak this.' });
      assert.equal(pending.status, 202, pending.text);
      const events = await fetch(`${baseUrl}/api/jobs/${pending.json['jobId'] as string}/events`, {
        headers: { authorization: `Bearer ${api.accessToken ?? ''}` },
      });
      assert.equal(events.status, 200);
      const frames = readSseFrames(events);
      const upload = slowUpload(`${baseUrl}/api/audio/denoise`, short.wav, {
        authorization: `Bearer ${api.accessToken ?? ''}`,
      });
      await sleep(500);

      const exited = once(apiProcess, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      apiProcess.kill('SIGTERM');

      const received = await frames;
      assert.match(received.at(-1) ?? '', /^event: reconnect$/m, 'the stream says where to go, then ends');
      const health = await freshGet(`${baseUrl}/api/health`);
      assert.ok('status' in health, `readiness answers during the drain delay: ${JSON.stringify(health)}`);
      assert.equal((health as RawReply).status, 503);

      let refused: RawReply | { error: string } = { error: 'not yet' };
      for (let attempt = 0; attempt < 200; attempt++) {
        refused = await freshGet(`${baseUrl}/api/health/live`);
        if ('error' in refused && refused.error === 'ECONNREFUSED') break;
        await sleep(50);
      }
      assert.deepEqual(refused, { error: 'ECONNREFUSED' }, 'new connections are refused once the listener closed');

      upload.finish();
      const reply = await upload.reply;
      assert.equal(reply.status, 202, reply.body);
      const jobId = (JSON.parse(reply.body) as { jobId: string }).jobId;
      assert.equal((await getJobById(platform.database.db, jobId))?.status, 'pending', 'the upload was admitted');

      const [code, signal] = await exited;
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, output.join(''));
    });
  });
});
