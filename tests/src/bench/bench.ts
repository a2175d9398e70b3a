import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeWav, encodeWav, resample } from '@voice/audio';
import { parseEnv } from '@voice/config';
import { loadDenoiser, strengthForNoiseLevel } from '@voice/gpu-activities';
import { listModels } from '@voice/models';
import { startPlatform } from '@voice/platform';
import { freePort, installWorkerRuntime } from '@voice/runtime';
import { PROCESSING_SAMPLE_RATE } from '@voice/shared';
import { ApiClient } from '../api-client';
import { makeNoisySpeech } from '../fixtures';

/**
 * `npm run bench`: speed and memory on this machine, printed as a table. Ratios are measured in the same
 * run so machine noise affects both sides alike. Not a test: nothing here asserts.
 */

const SUBMISSIONS = 30;
const PIPELINE_SECONDS = 30;
const RTF_SECONDS = 30;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** Samples RSS while `work` runs; returns its duration and the peak RSS. */
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const result = await work();
    return { result, seconds: (performance.now() - start) / 1000, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const rows: Array<[string, string]> = [];
  const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-bench-'));
  const env = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    API_HOST: '127.0.0.1',
    API_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    FREE_CREDIT_SECONDS: String(24 * 3600),
    ...(process.env['TEMPORAL_ADDRESS'] ? { TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS'] } : {}),
    ...(process.env['TEMPORAL_CLI_PATH'] ? { TEMPORAL_CLI_PATH: process.env['TEMPORAL_CLI_PATH'] } : {}),
  });
  installWorkerRuntime(env);
  const platform = await startPlatform(env);
  try {
    const api = new ApiClient(platform.apiUrl);
    await api.register(`bench-${Date.now()}@example.com`);

    // 1. Submit latency: upload + validation + job row + workflow start, until the 202.
    const short = await makeNoisySpeech({ snrDb: 5 });
    const latencies: number[] = [];
    const submitted: string[] = [];
    for (let i = 0; i < SUBMISSIONS; i++) {
      const start = performance.now();
      const response = await api.upload('/api/audio/denoise', short.wav, 'bench.wav');
      latencies.push(performance.now() - start);
      if (response.status !== 202) throw new Error(`submit failed: ${response.status} ${response.text}`);
      submitted.push(response.json['jobId'] as string);
    }
    rows.push([`submit latency p50 (${SUBMISSIONS} × ${short.durationSeconds.toFixed(1)} s WAV)`, `${percentile(latencies, 50).toFixed(1)} ms`]);
    rows.push(['submit latency p99', `${percentile(latencies, 99).toFixed(1)} ms`]);
    // Drain the queue so the next measurements run on an idle machine.
    for (const jobId of submitted) await api.waitForJob(jobId, { timeoutMs: 600_000 });

    // 2. Pipeline overhead: a denoise → normalize job, against its inference alone and a bare workflow.
    const long = await makeNoisySpeech({ snrDb: 5, minSeconds: PIPELINE_SECONDS });
    const form = new FormData();
    form.append('audio_file', new Blob([long.wav]), 'pipeline.wav');
    form.append('steps', JSON.stringify([{ op: 'denoise', noise_level: 'moderate' }, { op: 'normalize', target_lufs: -16 }]));
    const jobStart = performance.now();
    const accepted = await api.request('POST', '/api/jobs', form);
    if (accepted.status !== 202) throw new Error(`pipeline submit failed: ${accepted.text}`);
    const final = await api.waitForJob(accepted.json['jobId'] as string, { timeoutMs: 600_000 });
    const jobSeconds = (performance.now() - jobStart) / 1000;
    if (final['status'] !== 'completed') throw new Error(`pipeline job ${String(final['status'])}`);

    const input48k = resample(long.noisy, long.sampleRate, PROCESSING_SAMPLE_RATE);
    const gtcrn = listModels('denoise').find((model) => model.id === 'gtcrn');
    if (!gtcrn) throw new Error('gtcrn missing from the registry');
    const denoiser = await loadDenoiser(gtcrn);
    const inference = await measure(() => denoiser.process(input48k, { strength: strengthForNoiseLevel('moderate') }));

    // The pipeline above runs 11 activities: mark running, preprocess, reserve, select, denoise, progress,
    // normalize, progress, quality, settle, mark completed.
    const activityCount = 11;
    const bareStart = performance.now();
    await platform.client.workflow.execute('noopChainWorkflow', {
      taskQueue: env.TASK_QUEUE_CPU,
      workflowId: `bench-noop-${Date.now()}`,
      args: [activityCount],
    });
    const bareSeconds = (performance.now() - bareStart) / 1000;
    rows.push([`multi-step job (denoise → normalize, ${long.durationSeconds.toFixed(0)} s audio)`, `${jobSeconds.toFixed(2)} s`]);
    rows.push(['  its inference alone (gtcrn, in process)', `${inference.seconds.toFixed(2)} s`]);
    rows.push([`  bare workflow, ${activityCount} no-op activities`, `${bareSeconds.toFixed(2)} s`]);
    rows.push(['  job ÷ inference', `${(jobSeconds / inference.seconds).toFixed(2)}×`]);
    rows.push(['  job ÷ bare workflow', `${(jobSeconds / bareSeconds).toFixed(2)}×`]);

    // 3. Real-time factor and peak memory of every installed denoiser.
    const rtfAudio = input48k.subarray(0, RTF_SECONDS * PROCESSING_SAMPLE_RATE);
    const wavRoundTrip = decodeWav(encodeWav(rtfAudio, PROCESSING_SAMPLE_RATE, { format: 'float32' })).samples;
    for (const model of listModels('denoise')) {
      const engine = await loadDenoiser(model);
      const run = await measure(() => engine.process(wavRoundTrip, { strength: strengthForNoiseLevel('moderate') }));
      const seconds = wavRoundTrip.length / PROCESSING_SAMPLE_RATE;
      rows.push([
        `denoiser ${model.id} (${model.kind}) real-time factor`,
        `${(run.seconds / seconds).toFixed(4)} (${(seconds / run.seconds).toFixed(1)}× real time), peak RSS ${run.peakRssMb.toFixed(0)} MB`,
      ]);
    }
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }

  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`\nBenchmark (${new Date().toISOString()}, ${process.arch}, Node ${process.version})\n`);
  console.log(`${'metric'.padEnd(width)} | value`);
  console.log(`${'-'.repeat(width)}-|-${'-'.repeat(30)}`);
  for (const [name, value] of rows) console.log(`${name.padEnd(width)} | ${value}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
