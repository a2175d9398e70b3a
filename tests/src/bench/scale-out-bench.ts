import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { workflowIdForJob } from '@voice/shared';
import type { ApiClient } from '../api-client';
import {
  makeJobMix,
  scaleOutInfraFromEnv,
  ScaleOutPlatform,
  startOwnInfra,
  type JobMixEntry,
  type ScaleOutInfra,
  type ServiceRole,
} from '../scale-out';

/** Accounts submitting at once; each sends the whole mix `BENCH_SCALEOUT_ROUNDS` times per measured run. */
const USERS = 3;
const WARM_UP_ROUNDS = 3;

interface RunFigures {
  gpuWorkers: number;
  jobs: number;
  /** First job row created → last job row completed, from the database's own clocks. */
  seconds: number;
  jobsPerMinute: number;
  failed: number;
  /** CPU seconds per job by tier over the run (workers and servers alike, descendants included). */
  cpuPerJob: Record<ServiceRole | 'postgres' | 'temporal', number | undefined>;
  /** PostgreSQL transactions (commits and rollbacks; status long-polls included) and rows written, per job. */
  transactionsPerJob: number;
  rowWritesPerJob: number;
  /** GPU activities each GPU worker ran in this run: the queue spreading work. */
  gpuActivitiesByWorker: number[];
  /** Workflow history events and activity tasks per job (what Temporal persists and dispatches). */
  historyEventsPerJob: number;
  activityTasksPerJob: number;
  loadAverage: number;
}

/**
 * `BENCH_SECTIONS=scaleout`: jobs per minute on the scale-out mix with two GPU worker processes and then with one
 * (the other stopped gracefully, so the survivor's models stay warm), all else equal: two API instances behind
 * NGINX and two CPU workers, on PostgreSQL, a Temporal dev server and MinIO (the suite's servers when its env is
 * set, else started here). Per-job CPU seconds of every tier, database transactions and Temporal history events
 * feed the N-node estimate in the README.
 */
export async function scaleOutRows(rows: Array<[string, string]>): Promise<void> {
  const rounds = Number(process.env['BENCH_SCALEOUT_ROUNDS'] ?? 1);
  const logDir = await mkdtemp(path.join(tmpdir(), 'voice-bench-scaleout-'));
  const fromEnv = scaleOutInfraFromEnv();
  const own = 'skip' in fromEnv ? await startOwnInfra(logDir) : undefined;
  const infra: ScaleOutInfra = own?.infra ?? (fromEnv as ScaleOutInfra);
  let platform: ScaleOutPlatform | undefined;
  try {
    platform = await ScaleOutPlatform.start(infra, {
      apis: 2,
      cpuWorkers: 2,
      gpuWorkers: 2,
      env: { JOB_SUBMIT_RATE_LIMIT: '1000000', FREE_CREDIT_SECONDS: String(7 * 24 * 3600) },
    });
    const deployment = platform;
    const mix = await makeJobMix();
    const clients = await Promise.all(
      Array.from({ length: USERS }, async (_, index) => {
        const api = deployment.api();
        await api.register(`bench-scaleout-${index}-${Date.now()}@example.com`);
        return api;
      }),
    );
    const warm = await warmUp(deployment, clients, mix);
    const two = await measureRun(deployment, clients, mix, rounds, 'two');
    // SIGTERM: the worker finishes what it holds (nothing, between runs) and leaves; the other keeps its models.
    await deployment.gpuWorkers[1]?.stop();
    const one = await measureRun(deployment, clients, mix, rounds, 'one');
    report(rows, { one, two, warm, proxy: deployment.proxyKind.kind, mixKinds: mix.map((entry) => entry.kind) });
  } finally {
    await platform?.close();
    await own?.stop();
    await rm(logDir, { recursive: true, force: true });
  }
}

/**
 * Submits the mix until every GPU worker has run every GPU activity of it once (models load on first use), judged
 * from the workflow histories: which worker identity started which activity type on the GPU queue.
 */
async function warmUp(
  platform: ScaleOutPlatform,
  clients: ApiClient[],
  mix: JobMixEntry[],
): Promise<{ rounds: number; complete: boolean }> {
  const ranBy = new Map<string, Set<string>>();
  for (let round = 1; round <= WARM_UP_ROUNDS; round++) {
    // Pairs of each kind back to back: with one slot each, the second of a pair goes to the other worker.
    const jobIds = await submitAll(platform, clients.slice(0, 2), mix, `warm-${round}`);
    await waitForAll(jobIds);
    for (const { jobId } of jobIds) {
      for (const [type, identity] of await gpuActivities(platform, jobId)) {
        const identities = ranBy.get(type) ?? new Set<string>();
        identities.add(identity.split('@')[0] ?? '');
        ranBy.set(type, identities);
      }
    }
    const pids = platform.gpuWorkers.map((worker) => String(worker.pid));
    if ([...ranBy.values()].every((identities) => pids.every((pid) => identities.has(pid)))) {
      return { rounds: round, complete: true };
    }
  }
  return { rounds: WARM_UP_ROUNDS, complete: false };
}

/** Every client sends the mix (`rounds` times) at once; returns the accepted job ids with the client that owns each. */
async function submitAll(
  platform: ScaleOutPlatform,
  clients: ApiClient[],
  mix: JobMixEntry[],
  tag: string,
  rounds = 1,
): Promise<Array<{ jobId: string; api: ApiClient }>> {
  const perClient = await Promise.all(
    clients.map(async (api, userIndex) => {
      const accepted: Array<{ jobId: string; api: ApiClient }> = [];
      for (let round = 0; round < rounds; round++) {
        for (const [kindIndex, entry] of mix.entries()) {
          const answer = await entry.submit(api, `${tag}-${userIndex}-${round}-${kindIndex}`);
          if (answer.status !== 202)
            throw new Error(`${entry.kind}: ${answer.status} ${answer.text}\n${platform.logs()}`);
          accepted.push({ jobId: answer.json['jobId'] as string, api });
        }
      }
      return accepted;
    }),
  );
  return perClient.flat();
}

/** Long-polls every job until it ends (each through its owner's client, via the proxy). */
async function waitForAll(jobs: Array<{ jobId: string; api: ApiClient }>): Promise<void> {
  await Promise.all(
    jobs.map(async ({ jobId, api }) => {
      for (const deadline = Date.now() + 900_000; ;) {
        const answer = await api.request('GET', `/api/jobs/${jobId}/status?wait=30`);
        if (answer.status !== 200) throw new Error(`status ${jobId}: ${answer.status} ${answer.text}`);
        if (['completed', 'failed', 'cancelled'].includes(answer.json['status'] as string)) return;
        if (Date.now() > deadline) throw new Error(`job ${jobId} did not end in 15 minutes`);
      }
    }),
  );
}

/** [activity type, worker identity] of every activity a job ran on the GPU queue. */
async function gpuActivities(platform: ScaleOutPlatform, jobId: string): Promise<Array<[string, string]>> {
  const history = await platform.client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
  const scheduled = new Map<string, string>();
  const ran: Array<[string, string]> = [];
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes?.taskQueue?.name === platform.taskQueues.gpu) {
      scheduled.set(String(event.eventId), attributes.activityType?.name ?? '?');
    }
    const started = event.activityTaskStartedEventAttributes;
    const type = started ? scheduled.get(String(started.scheduledEventId)) : undefined;
    if (started && type) ran.push([type, started.identity ?? '']);
  }
  return ran;
}

async function measureRun(
  platform: ScaleOutPlatform,
  clients: ApiClient[],
  mix: JobMixEntry[],
  rounds: number,
  tag: string,
): Promise<RunFigures> {
  const cpuBefore = cpuByTier(platform);
  const databaseBefore = await databaseCounters(platform);
  const jobs = await submitAll(platform, clients, mix, `run-${tag}`, rounds);
  await waitForAll(jobs);
  // PostgreSQL flushes its per-database counters about once a second.
  await sleep(1_500);
  const cpuAfter = cpuByTier(platform);
  const databaseAfter = await databaseCounters(platform);
  const ids = jobs.map((job) => job.jobId);
  const [span] = await platform.query<{ seconds: number; failed: string }>(
    `SELECT extract(epoch FROM max(completed_at) - min(created_at))::float8 AS seconds,
            count(*) FILTER (WHERE status <> 'completed') AS failed
     FROM processing_jobs WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  let events = 0;
  let activityTasks = 0;
  const gpuWorkers = platform.gpuWorkers.filter((worker) => worker.alive);
  const byWorker = gpuWorkers.map(() => 0);
  for (const jobId of ids) {
    const history = await platform.client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
    events += history.events?.length ?? 0;
    activityTasks += (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes).length;
    for (const [, identity] of await gpuActivities(platform, jobId)) {
      const index = gpuWorkers.findIndex((worker) => identity.startsWith(`${worker.pid}@`));
      if (index >= 0) byWorker[index] = (byWorker[index] ?? 0) + 1;
    }
  }
  const seconds = span?.seconds ?? NaN;
  const perJob = (tier: keyof RunFigures['cpuPerJob']) => {
    const before = cpuBefore[tier];
    const after = cpuAfter[tier];
    return before === undefined || after === undefined ? undefined : (after - before) / ids.length;
  };
  return {
    gpuWorkers: gpuWorkers.length,
    jobs: ids.length,
    seconds,
    jobsPerMinute: (ids.length / seconds) * 60,
    failed: Number(span?.failed ?? 0),
    cpuPerJob: {
      api: perJob('api'),
      cpu: perJob('cpu'),
      gpu: perJob('gpu'),
      postgres: perJob('postgres'),
      temporal: perJob('temporal'),
    },
    transactionsPerJob: (databaseAfter.transactions - databaseBefore.transactions) / ids.length,
    rowWritesPerJob: (databaseAfter.rowWrites - databaseBefore.rowWrites) / ids.length,
    gpuActivitiesByWorker: byWorker,
    historyEventsPerJob: events / ids.length,
    activityTasksPerJob: activityTasks / ids.length,
    loadAverage: loadavg()[0] ?? NaN,
  };
}

/** CPU seconds so far of each tier's live processes; the servers only when this process started them. */
function cpuByTier(platform: ScaleOutPlatform): RunFigures['cpuPerJob'] {
  const sum = (role: ServiceRole) =>
    platform.processes
      .filter((process) => process.role === role && process.alive)
      .reduce((total, process) => total + ScaleOutPlatform.cpuSeconds(process.pid), 0);
  const { pids } = platform.infra;
  return {
    api: sum('api'),
    cpu: sum('cpu'),
    gpu: sum('gpu'),
    postgres: pids?.postgres ? ScaleOutPlatform.cpuSeconds(pids.postgres) : undefined,
    temporal: pids?.temporal ? ScaleOutPlatform.cpuSeconds(pids.temporal) : undefined,
  };
}

async function databaseCounters(platform: ScaleOutPlatform): Promise<{ transactions: number; rowWrites: number }> {
  const [row] = await platform.query<{ transactions: string; writes: string }>(
    `SELECT xact_commit + xact_rollback AS transactions, tup_inserted + tup_updated + tup_deleted AS writes
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  return { transactions: Number(row?.transactions ?? NaN), rowWrites: Number(row?.writes ?? NaN) };
}

function report(
  rows: Array<[string, string]>,
  figures: {
    one: RunFigures;
    two: RunFigures;
    warm: { rounds: number; complete: boolean };
    proxy: string;
    mixKinds: string[];
  },
): void {
  const { one, two } = figures;
  const setup = `2 API instances behind ${figures.proxy}, 2 CPU workers; ${one.jobs} jobs, ${figures.mixKinds.join(' / ')}`;
  const run = (figure: RunFigures) =>
    `${figure.jobsPerMinute.toFixed(1)} jobs/min (${figure.jobs} jobs in ${figure.seconds.toFixed(1)} s` +
    `${figure.failed > 0 ? `, ${figure.failed} not completed` : ''}; load average ${figure.loadAverage.toFixed(1)})`;
  rows.push([`scale-out: jobs per minute, 1 GPU worker (${setup})`, run(one)]);
  rows.push([`scale-out: jobs per minute, 2 GPU workers (same mix and setup)`, run(two)]);
  rows.push([
    '  2 GPU workers ÷ 1 (this machine: every process shares its cores)',
    `${(two.jobsPerMinute / one.jobsPerMinute).toFixed(2)}×; GPU activities per worker in the 2-worker run ` +
      `${two.gpuActivitiesByWorker.join(' / ')}; warm-up ${figures.warm.rounds} round(s)` +
      `${figures.warm.complete ? '' : ', not every model loaded on both workers'}`,
  ]);
  const cpu = (figure: RunFigures) =>
    (['api', 'cpu', 'gpu', 'postgres', 'temporal'] as const)
      .map((tier) => {
        const value = figure.cpuPerJob[tier];
        return value === undefined ? 'n/a' : value.toFixed(2);
      })
      .join(' / ');
  rows.push([
    '  CPU seconds per job: API / CPU worker / GPU worker / PostgreSQL / Temporal dev server (1 worker; 2 workers)',
    `${cpu(one)}; ${cpu(two)}`,
  ]);
  rows.push([
    '  per job: PostgreSQL transactions (status long-polls included) / rows written / Temporal history events / activity tasks',
    `${one.transactionsPerJob.toFixed(0)} / ${one.rowWritesPerJob.toFixed(0)} / ${one.historyEventsPerJob.toFixed(0)} / ` +
      `${one.activityTasksPerJob.toFixed(0)}`,
  ]);
  // One core of each shared tier, at this run's per-job cost, serves this many jobs a minute: divided by one GPU
  // node's rate, that is how many GPU nodes one such core keeps busy (see README, "Scaling out").
  const ceiling = (seconds: number | undefined) => (seconds === undefined || seconds <= 0 ? undefined : 60 / seconds);
  const nodes = (seconds: number | undefined) => {
    const perCore = ceiling(seconds);
    return perCore === undefined
      ? 'n/a'
      : `${perCore.toFixed(0)} jobs/min per core ≈ ${(perCore / one.jobsPerMinute).toFixed(1)} GPU nodes`;
  };
  rows.push([
    '  N-node estimate: one core of CPU worker / PostgreSQL / Temporal dev server keeps busy (at 1 node = 1-worker rate)',
    `${nodes(one.cpuPerJob.cpu)}; ${nodes(one.cpuPerJob.postgres)}; ${nodes(one.cpuPerJob.temporal)}`,
  ]);
}
