import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { MediaActivities } from '@voice/activities';
import { creditsForDurationMs, workflowIdForJob } from '@voice/shared';
import type { ApiClient, JsonBody } from '../src/api-client';
import { makeJobMix, multipart, scaleOutInfraFromEnv, ScaleOutPlatform, type ServiceProcess } from '../src/scale-out';

const { PendingActivityState } = temporal.api.enums.v1;
/**
 * The CPU worker is killed while it runs one of these: they heartbeat, so a survivor takes the task over after the
 * 30 s heartbeat timeout. (A bookkeeping activity caught by the kill waits out its 2-minute start-to-close timeout.)
 */
const MEDIA_ACTIVITIES: ReadonlySet<string> = new Set([
  'preprocessAudio',
  'normalizeLoudness',
  'checkQuality',
  'applyEdits',
] satisfies Array<keyof MediaActivities>);
const RATE_LIMIT = 4;
const COUNT_WORDS = ['one', 'two', 'three', 'four', 'five', 'six'];
const STREAM_USERS = 3;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Retries a client sees because an instance died under it: the proxy's 502s and dropped connections. */
interface RetryStats {
  connectionErrors: number;
  badGateways: number;
  unavailable: number;
}

interface Answer {
  status: number;
  json: JsonBody;
  text: string;
  headers: Headers;
}

/**
 * What a careful client does when an instance dies mid-request: the same request again after a pause, for a
 * dropped connection or a 502/503/504. Submits are safe to repeat because they carry an Idempotency-Key.
 */
async function retrying(what: string, stats: RetryStats, call: () => Promise<Answer>): Promise<Answer> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await call();
      if (answer.status === 502 || answer.status === 504) stats.badGateways++;
      else if (answer.status === 503) stats.unavailable++;
      else return answer;
    } catch (error) {
      // fetch() rejects with a TypeError when the connection fails or drops.
      if (!(error instanceof TypeError) && !isConnectionError(error)) throw error;
      stats.connectionErrors++;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still failing after ${attempt} attempts`);
    await sleep(Math.min(2_000, 250 * attempt));
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED';
}

/** A WAV of `channels` interleaved 16-bit channels (the same signal in each): a big upload of short audio. */
function multichannelWav(mono: Float32Array, sampleRate: number, channels: number): Buffer {
  const data = mono.length * channels * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(channels, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * channels * 2, 28);
  wav.writeUInt16LE(channels * 2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  for (let i = 0; i < mono.length; i++) {
    const value = Math.round(Math.max(-1, Math.min(1, mono[i] ?? 0)) * 32767);
    for (let channel = 0; channel < channels; channel++) wav.writeInt16LE(value, 44 + (i * channels + channel) * 2);
  }
  return wav;
}

/**
 * A multipart upload through the proxy that stops halfway until `gate` opens, so the instance serving it is known
 * (its partial file sits in that instance's DATA_DIR/uploads) and busy when it is killed.
 */
function pausedUpload(
  url: string,
  token: string,
  idempotencyKey: string,
  fields: Record<string, string>,
  wav: Buffer,
  gate: Promise<void>,
): Promise<Answer> {
  const boundary = `----scaleout${randomUUID()}`;
  const fieldParts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const head = Buffer.from(
    `${fieldParts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="big.wav"\r\n` +
      'Content-Type: audio/wav\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const half = Math.floor(wav.length / 2);
  return new Promise((resolve, reject) => {
    const target = new URL('/api/jobs', url);
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'idempotency-key': idempotencyKey,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + wav.length + tail.length),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', reject);
        response.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            if (typeof value === 'string') headers.set(name, value);
          let json: JsonBody = {};
          try {
            json = JSON.parse(text) as JsonBody;
          } catch {
            // A proxy error page, not JSON.
          }
          resolve({ status: response.statusCode ?? 0, json, text, headers });
        });
      },
    );
    outgoing.once('error', reject);
    outgoing.write(head);
    outgoing.write(wav.subarray(0, half));
    void gate.then(() => {
      if (outgoing.destroyed) return;
      outgoing.write(wav.subarray(half));
      outgoing.end(tail);
    });
  });
}

/** Files an API instance is receiving right now (multer streams uploads into DATA_DIR/uploads). */
function uploadsInProgress(platform: ScaleOutPlatform, api: ServiceProcess): number {
  const dir = path.join(platform.rootDir, api.name, 'uploads');
  try {
    return readdirSync(dir).filter((file) => statSync(path.join(dir, file)).size > 0).length;
  } catch {
    return 0;
  }
}

interface Submitted {
  jobId: string;
  userId: string;
  kind: string;
  api: ApiClient;
}

/** A started activity of a running job, and the worker (by pid) running it. */
interface BusyActivity {
  jobId: string;
  activityType: string;
  workerPid: number;
}

describe(
  'the platform as separate processes: 2 API instances behind NGINX, 2 CPU and 2 GPU workers',
  { timeout: 420_000 },
  () => {
    let platform: ScaleOutPlatform | undefined;
    let skipReason: string | undefined;
    const submitted: Submitted[] = [];
    const stats: RetryStats = { connectionErrors: 0, badGateways: 0, unavailable: 0 };
    const watchers = new Map<string, Promise<JsonBody>>();

    /**
     * Follows a job to its end from the moment it is accepted, as a client does: long-polls its status through the
     * proxy (so some polls are in flight on the instance that gets killed), retrying what a dead instance dropped.
     */
    const follow = (job: Submitted): void => {
      submitted.push(job);
      const watcher = (async () => {
        const deadline = Date.now() + 300_000;
        for (;;) {
          const answer = await retrying(`status ${job.jobId}`, stats, () =>
            job.api.request('GET', `/api/jobs/${job.jobId}/status?wait=20`),
          );
          assert.equal(answer.status, 200, answer.text);
          if (TERMINAL.has(answer.json['status'] as string)) return answer.json;
          if (Date.now() > deadline) {
            throw new Error(
              `job ${job.jobId} (${job.kind}) still ${String(answer.json['status'])}\n${platform?.logs()}`,
            );
          }
        }
      })();
      // Awaited once every job is in; until then a failure must not surface as an unhandled rejection.
      watcher.catch(() => undefined);
      watchers.set(job.jobId, watcher);
    };

    before(async () => {
      const infra = scaleOutInfraFromEnv();
      if ('skip' in infra) {
        skipReason = infra.skip;
        return;
      }
      if (!infra.mailpitApi) {
        skipReason = 'needs the suite mail server (TEST_SMTP_URL): downloads need verified accounts';
        return;
      }
      platform = await ScaleOutPlatform.start(infra, {
        env: {
          JOB_SUBMIT_RATE_LIMIT: String(RATE_LIMIT),
          // Long enough that no window ends during the test.
          JOB_SUBMIT_RATE_WINDOW_SECONDS: '3600',
          FREE_CREDIT_SECONDS: '3600',
        },
      });
    });
    after(async () => platform?.close());

    const live = (t: { skip(message: string): void }): ScaleOutPlatform | undefined => {
      if (!platform) {
        assert.ok(!process.env['CI'], `CI must run the scale-out test: ${skipReason ?? 'not started'}`);
        t.skip(skipReason ?? 'not started');
      }
      return platform;
    };

    test('the job-submit rate limit is one quota over both instances: with requests alternating, the 5th is refused', async (t) => {
      const deployment = live(t);
      if (!deployment) return;
      const api = deployment.api();
      const user = await api.register(`scaleout-limit-${Date.now()}@example.com`);
      const upstreams: string[] = [];
      const statuses: number[] = [];
      let refused: Answer | undefined;
      const admitted: Submitted[] = [];
      for (let i = 0; i <= RATE_LIMIT; i++) {
        const answer = await api.request(
          'POST',
          '/api/audio/tts',
          { text: `Please bring ${COUNT_WORDS[i] ?? 'more'} apples to the park after lunch.` },
          { 'idempotency-key': `limit-${i}` },
        );
        upstreams.push(answer.headers.get('x-upstream') ?? '?');
        statuses.push(answer.status);
        if (answer.status === 202) {
          admitted.push({ jobId: answer.json['jobId'] as string, userId: user.id, kind: 'tts (free)', api });
        } else refused = answer;
      }
      // Followed only now: their status polls would take every other turn of the round robin above.
      for (const job of admitted) follow(job);
      const ports = new Set(deployment.apis.map((instance) => `127.0.0.1:${instance.port}`));
      assert.deepEqual(new Set(upstreams), ports, `both instances answered: ${upstreams.join(', ')}`);
      for (let i = 1; i < upstreams.length; i++) {
        assert.notEqual(upstreams[i], upstreams[i - 1], `round robin alternates: ${upstreams.join(', ')}`);
      }
      assert.deepEqual(statuses, [...Array<number>(RATE_LIMIT).fill(202), 429], `statuses ${statuses.join(', ')}`);
      assert.ok(Number(refused?.headers.get('retry-after')) > 0, 'the refusal says when to retry');
      const rows = await deployment.query('SELECT id FROM processing_jobs WHERE user_id = $1', [user.id]);
      assert.equal(rows.length, RATE_LIMIT, 'the refused submit made no job');
    });

    test('SIGKILLing an API instance, a CPU worker and a GPU worker under a stream of mixed jobs loses no job, charges each once and leaks no hold', async (t) => {
      const deployment = live(t);
      if (!deployment) return;
      const mix = await makeJobMix();
      // 30 s of 8-channel 48 kHz audio: 23 MB to store, cheap to process (one normalize), so the instance that
      // admitted it is still storing its input in S3 when it is killed.
      const bigMono = new Float32Array(48_000 * 30);
      for (let i = 0; i < bigMono.length; i++) bigMono[i] = 0.2 * Math.sin((2 * Math.PI * 220 * i) / 48_000);
      const bigWav = multichannelWav(bigMono, 48_000, 8);

      // Premium accounts skip the submit limit (the test above covers it), so the stream is not throttled.
      const users = await Promise.all(
        Array.from({ length: STREAM_USERS + 1 }, async (_, index) => {
          const api = deployment.api();
          const user = await api.register(`scaleout-${index}-${Date.now()}@example.com`);
          await deployment.query("UPDATE users SET subscription_tier = 'premium' WHERE id = $1", [user.id]);
          return { api, user };
        }),
      );
      const form = (wav: Buffer, name: string, fields: Record<string, string>) => {
        const body = new FormData();
        body.append('audio_file', new Blob([wav]), name);
        for (const [field, value] of Object.entries(fields)) body.append(field, value);
        return body;
      };
      const accepted = (kind: string, userId: string, api: ApiClient, answer: Answer) => {
        assert.equal(answer.status, 202, `${kind}: ${answer.status} ${answer.text}`);
        follow({ jobId: answer.json['jobId'] as string, userId, kind, api });
      };
      // Three users, each sending the mix one submit at a time with a pause between: a stream, not a burst.
      let streamed = 0;
      const stream = Promise.all(
        users.slice(0, STREAM_USERS).map(async ({ api, user }, userIndex) => {
          for (const [kindIndex, entry] of mix.entries()) {
            const key = `stream-${userIndex}-${kindIndex}`;
            accepted(entry.kind, user.id, api, await retrying(`submit ${key}`, stats, () => entry.submit(api, key)));
            streamed++;
            await sleep(1_000);
          }
        }),
      );
      stream.catch(() => undefined);

      /** The first started activity of an unfinished job on one of `workers`, looked up in Temporal. */
      const busyOn = async (
        workers: ServiceProcess[],
        activities: (name: string) => boolean,
      ): Promise<BusyActivity | undefined> => {
        const pids = new Set(workers.filter((worker) => worker.alive).map((worker) => worker.pid));
        for (const job of [...submitted]) {
          try {
            const description = await deployment.client.workflow.getHandle(workflowIdForJob(job.jobId)).describe();
            for (const activity of description.raw.pendingActivities ?? []) {
              const pid = Number((activity.lastWorkerIdentity ?? '').split('@')[0]);
              const name = activity.activityType?.name ?? '?';
              if (
                activity.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED &&
                pids.has(pid) &&
                activities(name)
              ) {
                return { jobId: job.jobId, activityType: name, workerPid: pid };
              }
            }
          } catch (error) {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }
        }
        return undefined;
      };
      const killWhenBusy = async (
        workers: ServiceProcess[],
        what: string,
        activities: (name: string) => boolean = () => true,
      ): Promise<BusyActivity> => {
        const deadline = Date.now() + 120_000;
        for (;;) {
          const busy = await busyOn(workers, activities);
          if (busy) {
            const victim = workers.find((worker) => worker.pid === busy.workerPid);
            assert.ok(victim);
            await victim.kill();
            t.diagnostic(`SIGKILLed ${victim.name} (${what}) while it ran ${busy.activityType} of job ${busy.jobId}`);
            return busy;
          }
          assert.ok(Date.now() < deadline, `no ${what} was ever busy`);
          await sleep(100);
        }
      };

      // 1. A GPU worker, mid-inference, once a few jobs are in.
      while (streamed < 3) await sleep(100);
      const gpuKill = await killWhenBusy(deployment.gpuWorkers, 'GPU worker');

      // 2. An API instance, while it stores a big upload it has already admitted (job row and hold written, workflow
      // maybe not started): the client's retry with the same Idempotency-Key must end in exactly one job that runs.
      const big = users[STREAM_USERS];
      assert.ok(big);
      let openGate = () => {};
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      const bigKey = 'big-normalize';
      const bigFields = { steps: JSON.stringify([{ op: 'normalize', target_lufs: -16 }]) };
      const firstTry = pausedUpload(deployment.url, big.api.accessToken ?? '', bigKey, bigFields, bigWav, gate).catch(
        (error: unknown) => error,
      );
      let receiving: ServiceProcess | undefined;
      for (const deadline = Date.now() + 30_000; !receiving; await sleep(20)) {
        receiving = deployment.apis.find((instance) => uploadsInProgress(deployment, instance) > 0);
        assert.ok(Date.now() < deadline, 'the paused upload never reached an instance');
      }
      openGate();
      let admittedBeforeKill = false;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(5)) {
        const rows = await deployment.query('SELECT id FROM processing_jobs WHERE user_id = $1', [big.user.id]);
        if (rows.length > 0) {
          admittedBeforeKill = true;
          break;
        }
      }
      await receiving.kill();
      const firstAnswer = await firstTry;
      if (firstAnswer instanceof Error) stats.connectionErrors++;
      else if ((firstAnswer as Answer).status === 502) stats.badGateways++;
      // Where the kill landed: before the row, between the row and the workflow start (the window a retry must
      // finish), or after the start (a lost answer, which a retry simply replays).
      const [row] = await deployment.query<{ id: string }>('SELECT id FROM processing_jobs WHERE user_id = $1', [
        big.user.id,
      ]);
      const workflowAtKill = row
        ? await deployment.client.workflow
            .getHandle(workflowIdForJob(row.id))
            .describe()
            .then(() => 'started')
            .catch(() => 'not started')
        : 'not started';
      t.diagnostic(
        `SIGKILLed ${receiving.name} mid-submit: job row ${admittedBeforeKill ? 'written' : 'not yet written'}, ` +
          `workflow ${workflowAtKill}; its client got ${firstAnswer instanceof Error ? firstAnswer.message : `HTTP ${(firstAnswer as Answer).status}`}`,
      );
      const retried = await retrying('big submit retry', stats, () =>
        big.api.request('POST', '/api/jobs', multipart(bigWav, 'big.wav', bigFields), { 'idempotency-key': bigKey }),
      );
      accepted('normalize (big upload, retried)', big.user.id, big.api, retried);

      // 3. A CPU worker, while it decodes, edits or measures loudness for a job.
      const cpuKill = await killWhenBusy(deployment.cpuWorkers, 'CPU worker', (name) => MEDIA_ACTIVITIES.has(name));
      await stream;

      const killsDoneAt = Date.now();
      const finals = new Map<string, JsonBody>();
      for (const job of submitted)
        finals.set(job.jobId, await (watchers.get(job.jobId) ?? Promise.reject(new Error('unwatched'))));

      t.diagnostic(
        `all ${submitted.length} jobs ended ${((Date.now() - killsDoneAt) / 1000).toFixed(0)} s after the last kill`,
      );
      // No submit made two jobs, and none got lost: the database holds exactly the jobs the clients were given.
      const rows = await deployment.query<{ id: string; status: string; error: string | null }>(
        'SELECT id, status, error FROM processing_jobs',
      );
      assert.deepEqual(
        new Set(rows.map((row) => row.id)),
        new Set(submitted.map((job) => job.jobId)),
        'one job per submit, however often it was retried',
      );
      assert.equal(rows.length, submitted.length);

      const completed = submitted.filter((job) => finals.get(job.jobId)?.['status'] === 'completed');
      for (const job of submitted) {
        const final = finals.get(job.jobId) ?? {};
        if (final['status'] === 'completed') continue;
        assert.equal(final['status'], 'failed', `${job.kind} ${job.jobId}: ${JSON.stringify(final)}`);
        const error = String(final['error'] ?? '');
        assert.ok(
          error.length > 10 && !/\n\s+at |ActivityFailure|ApplicationFailure/.test(error),
          `a clear error: ${error}`,
        );
      }
      for (const kind of new Set(submitted.map((job) => job.kind))) {
        assert.ok(
          completed.some((job) => job.kind === kind),
          `some ${kind} job completed: ${JSON.stringify([...finals.values()].map((final) => final['error']))}`,
        );
      }

      // The jobs the killed workers were running were retried by the survivors and finished.
      for (const [kill, what] of [
        [gpuKill, 'GPU'],
        [cpuKill, 'CPU'],
      ] as const) {
        const final = finals.get(kill.jobId);
        assert.equal(final?.['status'], 'completed', `the job on the killed ${what} worker: ${JSON.stringify(final)}`);
      }

      // Downloading charges each completed job once, however often and through whichever instance it is asked.
      for (const job of completed) {
        const first = await retrying(`download ${job.jobId}`, stats, () =>
          job.api.request('POST', `/api/audio/download/${job.jobId}`),
        );
        assert.equal(first.status, 200, first.text);
        const second = await retrying(`download again ${job.jobId}`, stats, () =>
          job.api.request('POST', `/api/audio/download/${job.jobId}`),
        );
        assert.equal(second.json['alreadyCharged'], true, second.text);
      }

      const ledger = await deployment.query<{ job_id: string; kind: string; entries: string; total: string }>(
        `SELECT job_id, kind, count(*) AS entries, sum(amount) AS total FROM credit_ledger
       WHERE job_id IS NOT NULL GROUP BY job_id, kind`,
      );
      const jobs = await deployment.query<{
        id: string;
        status: string;
        credits_held: number;
        credits_charged: number | null;
        output_duration_ms: number | null;
      }>('SELECT id, status, credits_held, credits_charged, output_duration_ms FROM processing_jobs');
      for (const job of jobs) {
        const entries = (kind: string) => ledger.find((entry) => entry.job_id === job.id && entry.kind === kind);
        const charges = Number(entries('charge')?.entries ?? 0);
        if (job.status === 'completed') {
          assert.equal(charges, 1, `job ${job.id} is charged exactly once`);
          assert.equal(
            -Number(entries('charge')?.total),
            creditsForDurationMs(job.output_duration_ms ?? NaN),
            `job ${job.id} is charged its output length`,
          );
        } else {
          assert.equal(charges, 0, `failed job ${job.id} is not charged`);
        }
        assert.equal(job.credits_held, 0, `job ${job.id} holds nothing once it ended and was downloaded`);
        const holdNet = Number(entries('hold')?.total ?? 0) + Number(entries('hold_release')?.total ?? 0);
        assert.equal(holdNet, 0, `every credit held for job ${job.id} was released or turned into its charge`);
      }
      const balances = await deployment.query<{ id: string; credits_balance: string; ledger: string; grants: string }>(
        `SELECT u.id, u.credits_balance,
              (SELECT coalesce(sum(amount), 0) FROM credit_ledger l WHERE l.user_id = u.id) AS ledger,
              (SELECT coalesce(sum(amount), 0) FROM credit_ledger l WHERE l.user_id = u.id AND l.kind = 'grant') AS grants
       FROM users u`,
      );
      for (const balance of balances) {
        const charged = jobs
          .filter((job) => submitted.some((entry) => entry.jobId === job.id && entry.userId === balance.id))
          .reduce((sum, job) => sum + (job.credits_charged ?? 0), 0);
        assert.equal(Number(balance.credits_balance), Number(balance.ledger), 'the balance is the ledger sum');
        assert.equal(
          Number(balance.credits_balance),
          Number(balance.grants) - charged,
          'grant minus charges, nothing held',
        );
      }

      // Nothing is left running in Temporal for these jobs.
      for (const job of submitted) {
        const description = await deployment.client.workflow.getHandle(workflowIdForJob(job.jobId)).describe();
        assert.notEqual(description.status.name, 'RUNNING', `workflow of ${job.jobId}`);
      }
      t.diagnostic(
        `${submitted.length} jobs (${completed.length} completed) through ${deployment.proxyKind.kind}; ` +
          `client retries: ${stats.connectionErrors} dropped connections, ${stats.badGateways} 502/504, ${stats.unavailable} 503 ` +
          '(NGINX itself resends a GET the dead instance dropped; only a POST already sent comes back as a 502)',
      );
    });
  },
);
