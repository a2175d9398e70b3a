import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { freePort } from '@voice/runtime';
import { ApiClient, GpuWorkerProcesses, makeNoisySpeech, startTestPlatform, type TestPlatform } from '../src';

// resolution-mode: a CommonJS file may only type-import an ES module when it says it will load it with import().
type DebianModule = typeof import('../../scripts/infra/debian.mjs', { with: { 'resolution-mode': 'import' } });

/** One sample of an instant query: its labels and value. */
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

function findRepoFile(relativePath: string): string {
  // Compiled tests live at a different depth than their sources, so search upwards instead of hard-coding ../..
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${relativePath} not found above ${__dirname}`);
  }
}

/**
 * A real Prometheus (Debian's package) scraping the embedded platform's one /metrics every second while a denoise job
 * runs, then asked through its HTTP API: what an operator's Prometheus would store is what this test reads. Beside it
 * a standalone GPU worker process (apps/gpu-worker) on the same queue serves its own /metrics and the Temporal SDK's.
 */
describe('Prometheus scrapes the platform during a job', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl = '';
  let workDir = '';
  let prometheusLog = '';
  const gpuWorkers = new GpuWorkerProcesses(() => platform);

  before(async () => {
    const debian = (await import(pathToFileURL(findRepoFile('scripts/infra/debian.mjs')).href)) as DebianModule;
    const [{ prometheus: binary }, started] = await Promise.all([
      debian.ensurePrometheus(),
      startTestPlatform({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }),
    ]);
    platform = started;
    api = platform.api();
    assert.ok(platform.metricsUrl, 'METRICS_PORT is set, so the platform serves /metrics');
    const target = new URL(platform.metricsUrl);
    const [gpuMetricsPort, temporalMetricsPort] = [await freePort(), await freePort()];
    const gpuWorker = gpuWorkers.spawn({
      METRICS_PORT: String(gpuMetricsPort),
      METRICS_HOST: '127.0.0.1',
      TEMPORAL_METRICS_PORT: String(temporalMetricsPort),
    });

    workDir = await mkdtemp(path.join(tmpdir(), 'voice-prometheus-'));
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: voice-platform',
      `    metrics_path: ${target.pathname}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '  - job_name: voice-gpu-worker',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${gpuMetricsPort}']`,
      '  - job_name: temporal-sdk',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${temporalMetricsPort}']`,
      '',
    ].join('\n');
    await writeFile(path.join(workDir, 'prometheus.yml'), config);
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      binary,
      [
        `--config.file=${path.join(workDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Kept for the failure message: Prometheus explains a bad config or a failed scrape on stderr.
    prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusLog = (prometheusLog + chunk.toString()).slice(-4000)));
    await until('Prometheus is ready', 30_000, async () => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${prometheusLog}`);
      return (await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok === true;
    });
    await api.register(`metrics-${Date.now()}@example.com`);
    assert.equal(gpuWorker.exitCode, null, `the standalone GPU worker exited: ${gpuWorkers.log}`);
  });

  after(async () => {
    gpuWorkers.killAll();
    if (prometheus && prometheus.exitCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      const kill = setTimeout(() => prometheus?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    }
    await platform?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
  async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(`${what}: not within ${timeoutMs} ms. Prometheus said: ${prometheusLog}`);
      await sleep(500);
    }
  }

  async function query(promql: string): Promise<Sample[]> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data?: { result: Sample[] }; error?: string };
    assert.equal(body.status, 'success', `${promql}: ${body.error ?? response.status}`);
    return body.data?.result ?? [];
  }

  /** The samples of `promql` once some sample reaches `atLeast`. */
  async function eventually(promql: string, atLeast: number): Promise<Sample[]> {
    let samples: Sample[] = [];
    await until(`a sample of ${promql} ≥ ${atLeast}`, 60_000, async () => {
      samples = await query(promql);
      return samples.some((sample) => Number(sample.value[1]) >= atLeast);
    });
    return samples;
  }

  test('stores the job-duration, HTTP, step and task-queue series of a denoise job', async () => {
    const fixture = await makeNoisySpeech({ snrDb: 10 });
    const accepted = await api.upload('/api/audio/denoise', fixture.wav, 'metrics.wav', { noise_level: 'moderate' });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const final = await api.waitForJob(jobId, { timeoutMs: 180_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    const jobType = final['jobType'] as string;
    assert.ok(jobType.startsWith('denoise'), jobType);

    const up = await eventually('up{job="voice-platform"}', 1);
    assert.equal(up.length, 1, 'one scrape target for the whole embedded platform');

    // Recorded by the CPU worker in this process when the job row went completed.
    const durations = await eventually(
      `voice_job_duration_seconds_count{job_type="${jobType}",tier="free",status="completed"}`,
      1,
    );
    assert.equal(durations.length, 1);
    const finished = await query(`voice_jobs_finished_total{job_type="${jobType}",status="completed"}`);
    assert.equal(Number(finished[0]?.value[1]), 1);
    const submitted = await eventually(`voice_jobs_submitted_total{job_type="${jobType}",tier="free"}`, 1);
    assert.equal(Number(submitted[0]?.value[1]), 1, 'one job submitted, counted once');

    // The submit, labelled by its route template; the job's own id never appears in a label.
    const submits = await eventually('voice_http_requests_total{method="POST",route="/api/audio/denoise"}', 1);
    assert.deepEqual(
      submits.map((sample) => sample.metric['status']),
      ['202'],
    );
    await eventually('voice_http_request_duration_seconds_count{route="/api/jobs/:id/status",status="200"}', 1);
    assert.deepEqual(await query(`{__name__=~"voice_http_.*", route=~".*${jobId}.*"}`), []);

    // Media steps ran in the worker host (a child process): its metrics reach the platform's scrape through the merge.
    await eventually('voice_step_duration_seconds_count{job="voice-platform",step="preprocessAudio",model=""}', 1);
    await eventually('voice_step_duration_seconds_count{job="voice-platform",step="normalizeLoudness",model=""}', 1);
    // Inference ran on whichever of the two GPU workers took the task: the embedded one or the standalone one.
    const denoise = await eventually('sum by (model) (voice_step_duration_seconds_count{step="runDenoise"})', 1);
    const model = denoise[0]?.metric['model'];
    assert.ok(model, `the denoise step is labelled with its model: ${JSON.stringify(denoise)}`);
    await eventually(`sum(voice_model_real_time_factor_count{model="${model}"})`, 1);
    await eventually(`sum(voice_model_load_seconds_count{model="${model}"})`, 1);
    for (const job of ['voice-platform', 'voice-gpu-worker']) {
      await eventually(`voice_worker_slots_total{job="${job}",task_queue="${platform.env.TASK_QUEUE_GPU}"}`, 1);
    }

    // Read from Temporal at scrape time by the API: the GPU queue is described, and its worker seen polling.
    const backlog = await eventually(`voice_task_queue_backlog{task_queue="${platform.env.TASK_QUEUE_GPU}"}`, 0);
    assert.equal(backlog.length, 1);
    // Both GPU workers: the embedded one and the standalone process.
    await eventually(`voice_task_queue_pollers{task_queue="${platform.env.TASK_QUEUE_GPU}"}`, 2);
    // The job completed and was not downloaded: its settled hold is still open.
    await eventually('voice_credits_held', 1);
    // The first download takes the credits; a second one is answered from that charge and counts nothing more.
    const downloads = [];
    for (let i = 0; i < 2; i++) downloads.push(await api.request('POST', `/api/audio/download/${jobId}`));
    const charged = Number(downloads[0]?.json['creditsCharged']);
    assert.ok(charged > 0, JSON.stringify(downloads[0]?.json));
    assert.equal(downloads[1]?.json['alreadyCharged'], true);
    await eventually(`voice_credits_charged_total == ${charged}`, 1);
    // The process metrics of both processes, merged into one series each.
    assert.equal((await eventually('process_resident_memory_bytes{job="voice-platform"}', 1)).length, 1);

    // The standalone GPU worker's own exposition has no API gauges: it reports what it knows.
    await eventually('up{job="voice-gpu-worker"}', 1);
    assert.deepEqual(await query('voice_task_queue_backlog{job="voice-gpu-worker"}'), []);
    assert.deepEqual(await query('voice_http_requests_total{job="voice-gpu-worker"}'), []);
    // The Temporal SDK core's exporter, from the runtime that standalone process installed.
    await eventually('up{job="temporal-sdk"}', 1);
    const slots = await eventually(
      `temporal_worker_task_slots_available{job="temporal-sdk",task_queue="${platform.env.TASK_QUEUE_GPU}"}`,
      0,
    );
    assert.ok(slots.length > 0, JSON.stringify(slots));
  });
});
