import { makeNoisySpeech } from '../fixtures';
import type { ApiClient } from '../api-client';
import { type MemoryBreakdown, startPlatformProcess } from './platform-process';

/** One kind of job in the soak's steady mix: how to submit it. */
interface SoakJob {
  name: string;
  submit(api: ApiClient): Promise<{ status: number; text: string; json: Record<string, unknown> }>;
}

export interface SoakOptions {
  minutes: number;
  /** A new job starts this often (jobs overlap when one takes longer). */
  intervalSeconds: number;
}

export interface SoakReport {
  rows: Array<[string, string]>;
  growthPercent: number;
  errors: number;
}

/**
 * `npm run bench -- --soak`: the platform as `npm start` runs it, fed a steady mix of jobs (denoise, STT, TTS,
 * a sound effect), each downloaded once it completes, with the resident memory of the platform process and
 * its worker host sampled every minute. Memory that grows after the warm-up (the first sixth, at least two
 * minutes) is a leak; any failed request or job is an error.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const speech = await makeNoisySpeech({ snrDb: 10, minSeconds: 6, seed: 3 });
  const jobs: SoakJob[] = [
    {
      name: 'denoise',
      submit: (api) => api.upload('/api/audio/denoise', speech.wav, 'soak.wav', { noise_level: 'moderate' }),
    },
    { name: 'stt', submit: (api) => api.upload('/api/audio/stt', speech.wav, 'soak.wav', {}) },
    {
      name: 'tts',
      submit: (api) =>
        api.request('POST', '/api/audio/tts', { text: 'The soak test speaks this sentence again and again.' }),
    },
    {
      name: 'sfx',
      submit: (api) => api.request('POST', '/api/audio/generate-sfx', { description: 'rain on a window', duration: 2 }),
    },
  ];
  const platform = await startPlatformProcess('soak');
  const errors: string[] = [];
  const completed = new Map<string, number>();
  const samples: Array<{ minute: number; platform: number; workerHost: number }> = [];
  // Every fifth minute, where the memory sits: a leak shows up as one kind growing.
  const breakdowns: string[] = [];
  const describe = (b: MemoryBreakdown | undefined) =>
    b
      ? `wasm ${b.wasm.toFixed(0)} malloc ${b.malloc.toFixed(0)} anon ${b.otherAnonymous.toFixed(0)} files ${b.files.toFixed(0)}`
      : '-';
  try {
    const { api } = platform;
    const email = `bench-soak-${Date.now()}@example.com`;
    const password = 'correct horse battery';
    await api.register(email, password);
    // Access tokens last 15 minutes: sign in again every 10, as a real client refreshes.
    const signIn = async () => {
      const login = await api.request('POST', '/api/auth/login', { email, password });
      if (login.status !== 200) throw new Error(`login ${login.status}: ${login.text}`);
      api.accessToken = login.json['accessToken'] as string;
    };
    let nextSignInAt = Date.now() + 10 * 60_000;
    const runOne = async (job: SoakJob) => {
      try {
        const accepted = await job.submit(api);
        if (accepted.status !== 202) throw new Error(`submit ${accepted.status}: ${accepted.text}`);
        const jobId = accepted.json['jobId'] as string;
        const final = await api.waitForJob(jobId, { timeoutMs: 600_000 });
        if (final['status'] !== 'completed') throw new Error(`${String(final['status'])}: ${String(final['error'])}`);
        const download = await api.request('POST', `/api/audio/download/${jobId}`);
        if (download.status !== 200) throw new Error(`download ${download.status}: ${download.text}`);
        const file = await fetch(download.json['url'] as string);
        if (!file.ok || (await file.arrayBuffer()).byteLength === 0) throw new Error(`file ${file.status}`);
        completed.set(job.name, (completed.get(job.name) ?? 0) + 1);
      } catch (error) {
        errors.push(`${job.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };

    const started = Date.now();
    const endAt = started + options.minutes * 60_000;
    const inFlight = new Set<Promise<void>>();
    let nextSampleAt = started;
    for (let index = 0; Date.now() < endAt; index++) {
      if (Date.now() >= nextSignInAt) {
        await signIn().catch((error: unknown) => errors.push(`login: ${String(error)}`));
        nextSignInAt += 10 * 60_000;
      }
      if (Date.now() >= nextSampleAt) {
        const minute = Math.round((Date.now() - started) / 60_000);
        samples.push({ minute, ...platform.rss() });
        if (minute % 5 === 0) {
          const { platform: main, workerHost } = platform.breakdown();
          breakdowns.push(`${minute}: platform [${describe(main)}] host [${describe(workerHost)}]`);
        }
        nextSampleAt += 60_000;
      }
      const job = jobs[index % jobs.length];
      if (job) {
        const run: Promise<void> = runOne(job).finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalSeconds * 1000));
    }
    await Promise.all(inFlight);
    samples.push({ minute: Math.round((Date.now() - started) / 60_000), ...platform.rss() });
  } finally {
    await platform.stop();
  }

  const warmupMinutes = Math.max(2, options.minutes / 6);
  const total = (sample: { platform: number; workerHost: number }) => sample.platform + sample.workerHost;
  const afterWarmup = samples.find((sample) => sample.minute >= warmupMinutes) ?? samples[0];
  const last = samples[samples.length - 1];
  const growthPercent = afterWarmup && last ? ((total(last) - total(afterWarmup)) / total(afterWarmup)) * 100 : 0;
  const rows: Array<[string, string]> = [
    [
      `soak: ${options.minutes} min, a job every ${options.intervalSeconds} s (denoise, STT, TTS, sfx; each downloaded)`,
      [...completed].map(([name, count]) => `${name} ${count}`).join(', ') || 'none completed',
    ],
    [
      'soak: RSS platform / worker host, per minute (MB)',
      samples
        .map((sample) => `${sample.minute}:${sample.platform.toFixed(0)}/${sample.workerHost.toFixed(0)}`)
        .join(' '),
    ],
    [
      `soak: RSS growth after the ${warmupMinutes.toFixed(0)} min warm-up (platform + worker host)`,
      afterWarmup && last
        ? `${growthPercent.toFixed(1)} % (${total(afterWarmup).toFixed(0)} → ${total(last).toFixed(0)} MB)`
        : 'no samples',
    ],
    ['soak: memory by kind every 5 min (MB)', breakdowns.join(' | ')],
    ['soak: errors', errors.length === 0 ? '0' : `${errors.length}: ${errors.slice(0, 5).join(' | ')}`],
  ];
  return { rows, growthPercent, errors: errors.length };
}
