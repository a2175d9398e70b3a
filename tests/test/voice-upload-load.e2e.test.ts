import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { encodeWavPcm16, synthesizeSpeech, type FliteVoice } from '@voice/testkit';
import { ApiClient, startTestPlatform, type TestPlatform } from '../src';

/** Just under the 300 s voice-sample cap: the longest sample a user may send, so the heaviest analysis. */
const SAMPLE_SECONDS = 295;
/** The target: a health poll must never wait this long behind voice analysis (max, not a percentile). */
const HEALTH_BUDGET_MS = 200;
/**
 * On a shared 2-core box the scheduler alone can hold an idle API's answer for 150–300 ms. The budget is the
 * issue's 200 ms, or twice the worst answer the same poller got from the idle API minutes before, whichever is
 * larger: a quiet machine is held to 200 ms, a busy one is not failed for its own noise, and the analysis on the
 * event loop this guards against (8 s stalls, 503s) fails either way.
 */
const IDLE_NOISE_FACTOR = 2;
const LOAD_CLIENT = path.resolve(__dirname, '../src/load-client.js');

/** Real synthesized speech, repeated to `seconds`: one flite clip per voice, so the four samples differ. */
async function longSpeechWav(voice: FliteVoice, seconds: number): Promise<Buffer> {
  const clip = await synthesizeSpeech(
    'This is a long sample of my voice for the voice library. I read a few calm sentences, then I pause, ' +
      'and then I read them again, slowly and clearly, so that the analysis has plenty of speech to measure.',
    { voice, sampleRate: 16_000 },
  );
  const total = Math.round(seconds * clip.sampleRate);
  const samples = new Float32Array(total);
  for (let offset = 0; offset < total; offset += clip.samples.length) {
    samples.set(clip.samples.subarray(0, Math.min(clip.samples.length, total - offset)), offset);
  }
  return encodeWavPcm16(samples, clip.sampleRate);
}

/**
 * Runs tests/src/load-client.ts in its own process (see there for why) and parses its JSON line. `stop()` ends
 * its stdin, which is how a poller is told to finish; the timeout bounds it either way.
 */
function loadClient<T>(args: string[], stdin?: string): { result: Promise<T>; stop(): void } {
  let stop = () => undefined as void;
  const result = new Promise<T>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [LOAD_CLIENT, ...args],
      { timeout: 240_000, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`load client ${args[0]} failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as T);
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
    else stop = () => void child.stdin?.end();
  });
  return { result, stop: () => stop() };
}

interface PollResult {
  latenciesMs: number[];
  statuses: number[];
}

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)];
  return `max ${sorted.at(-1)?.toFixed(0)} ms, p99 ${p99?.toFixed(0)} ms, median ${sorted[sorted.length >> 1]?.toFixed(0)} ms (${sorted.length} polls)`;
};

describe('voice uploads do not stall the API', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let api: ApiClient;
  let dir: string;
  const files: string[] = [];

  before(async () => {
    platform = await startTestPlatform();
    api = platform.api();
    await api.register(`voice-load-${Date.now()}@example.com`);
    dir = await mkdtemp(path.join(tmpdir(), 'voice-load-'));
    const voices: FliteVoice[] = ['slt', 'awb', 'rms', 'kal16'];
    for (const voice of voices) {
      const file = path.join(dir, `${voice}.wav`);
      await writeFile(file, await longSpeechWav(voice, SAMPLE_SECONDS));
      files.push(file);
    }
  });
  after(async () => {
    await platform?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test(`four ${SAMPLE_SECONDS} s samples uploaded at once keep every /api/health answer under ${HEALTH_BUDGET_MS} ms (or twice the idle worst)`, async (t) => {
    // The same poller with nothing uploading: what this machine gives when the API is idle.
    const idle = await loadClient<PollResult>(['poll', platform.apiUrl, '20']).result;
    const budget = Math.max(HEALTH_BUDGET_MS, IDLE_NOISE_FACTOR * Math.max(...idle.latenciesMs));
    t.diagnostic(`idle: ${summary(idle.latenciesMs)}; budget ${budget.toFixed(0)} ms`);

    // Informative only (a busy machine delays any thread): how long the API's own event loop was held up.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const poller = loadClient<PollResult>(['poll', platform.apiUrl, '240']);
    const started = performance.now();
    const uploads = await loadClient<Array<{ status: number; text: string; doneMs: number }>>(
      ['upload', platform.apiUrl, ...files],
      api.accessToken ?? '',
    ).result.finally(() => poller.stop());
    const uploadSeconds = (performance.now() - started) / 1000;
    const health = await poller.result;
    loopDelay.disable();

    const worst = Math.max(...health.latenciesMs);
    t.diagnostic(
      `during ${uploadSeconds.toFixed(1)} s of uploads (done at ${uploads.map((u) => u.doneMs).join(', ')} ms): ` +
        `${summary(health.latenciesMs)}; API event-loop delay max ${(loopDelay.max / 1e6).toFixed(0)} ms`,
    );
    for (const [index, upload] of uploads.entries())
      assert.equal(upload.status, 201, `upload ${index}: ${upload.text}`);
    assert.ok(worst < budget, `the slowest /api/health took ${worst.toFixed(0)} ms (budget ${budget.toFixed(0)} ms)`);
    assert.deepEqual([...new Set(health.statuses)], [200], 'no readiness probe timed out behind the analysis');
    // Enough polls that a stall during the analysis could not slip between two of them.
    assert.ok(health.latenciesMs.length >= 20, `only ${health.latenciesMs.length} polls`);

    for (const upload of uploads) {
      const characteristics = (JSON.parse(upload.text) as Record<string, unknown>)['voiceCharacteristics'] as {
        sampleDurationSeconds: number;
        pitch: { medianHz: number };
      };
      assert.ok(Math.abs(characteristics.sampleDurationSeconds - SAMPLE_SECONDS) < 0.1);
      assert.ok(characteristics.pitch.medianHz > 60 && characteristics.pitch.medianHz < 400);
    }
    const library = await api.request('GET', '/api/voices/library');
    assert.equal(library.json['items'].length, 4);
  });
});
