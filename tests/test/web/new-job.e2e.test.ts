import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { encodeWavPcm16 } from '@voice/testkit';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';

import {
  ApiClient,
  PHONE_VIEWPORT,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  makeNoisySpeech,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  startTestPlatform,
  type TestPlatform,
} from '../../src';

/** Every new account starts with this many credit-seconds: enough for the short clips, not for the long one. */
const FREE_CREDIT_SECONDS = 60;
const LONG_CLIP_SECONDS = 75;
const PASSWORD = 'correct horse battery staple';
const JOB_URL = /\/jobs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The duration of the `<audio>` labelled `label` once its metadata is in (no DOM types here, hence a string). */
function mediaDurationSeconds(page: Page, label: string): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve) => {
    const audio = [...document.querySelectorAll('audio')].find((a) => a.getAttribute('aria-label').startsWith(${JSON.stringify(label)}));
    if (audio.readyState >= 1) resolve(audio.duration);
    else audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
  })`);
}

async function signUp(page: Page): Promise<string> {
  const email = `new-job-${randomUUID()}@example.com`;
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Nova');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  return email;
}

/** The same user's API session, to check what the page did. */
async function apiFor(baseUrl: string, email: string): Promise<ApiClient> {
  const api = new ApiClient(baseUrl);
  const login = await api.request('POST', '/api/auth/login', { email, password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  api.accessToken = login.json['accessToken'] as string;
  return api;
}

async function jobCount(api: ApiClient): Promise<number> {
  const history = await api.request('GET', '/api/jobs/history?limit=100');
  assert.equal(history.status, 200, history.text);
  return history.json['total'] as number;
}

async function cancelActiveJobs(api: ApiClient): Promise<void> {
  const history = await api.request('GET', '/api/jobs/history?limit=100');
  const active = (history.json['items'] as { jobId: string; status: string }[]).filter(
    (job) => job.status === 'pending' || job.status === 'running',
  );
  await Promise.all(active.map((job) => api.request('POST', `/api/jobs/${job.jobId}/cancel`)));
  await Promise.all(active.map((job) => api.waitForJob(job.jobId, { timeoutMs: 60_000 }).catch(() => undefined)));
}

async function openNewJob(page: Page, query = ''): Promise<void> {
  await page.goto(`/jobs/new${query}`);
  await page.getByRole('heading', { name: 'New job', level: 1 }).waitFor();
}

/** POSTs the page sends to the job endpoints, with their Idempotency-Key. */
function recordSubmits(page: Page): { path: string; key: string | undefined }[] {
  const submits: { path: string; key: string | undefined }[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (request.method() === 'POST' && (url.pathname === '/api/jobs' || url.pathname.startsWith('/api/audio/'))) {
      submits.push({ path: url.pathname, key: request.headers()['idempotency-key'] });
    }
  });
  return submits;
}

async function assertNoSeriousViolations(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.equal(violations.length, 0, describeViolations(violations));
}

describe('web app: the New job page', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let dir: string;
  let noisyClip: string;
  let noisySeconds: number;
  let longClip: string;
  let notAudio: string;
  // One signed-in user and page for the desktop tests, which run in order.
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let submits: { path: string; key: string | undefined }[];
  let api: ApiClient;

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    platform = await startTestPlatform({ FREE_CREDIT_SECONDS: String(FREE_CREDIT_SECONDS) });
    browser = await launchChromium();
    dir = await mkdtemp(path.join(tmpdir(), 'web-new-job-'));
    const noisy = await makeNoisySpeech({ snrDb: 10, noise: 'pink' });
    noisySeconds = noisy.durationSeconds;
    noisyClip = path.join(dir, 'noisy-speech.wav');
    await writeFile(noisyClip, noisy.wav);
    // A quiet tone longer than the free balance: only its header is read before the page refuses it.
    const rate = 8000;
    const tone = Float32Array.from(
      { length: LONG_CLIP_SECONDS * rate },
      (_, i) => 0.1 * Math.sin((2 * Math.PI * 220 * i) / rate),
    );
    longClip = path.join(dir, 'long-tone.wav');
    await writeFile(longClip, encodeWavPcm16(tone, rate));
    notAudio = path.join(dir, 'notes.wav');
    await writeFile(notAudio, 'These are meeting notes, not audio.\n'.repeat(20));

    ({ context, page, problems } = await openPage(browser, platform.apiUrl));
    submits = recordSubmits(page);
    api = await apiFor(platform.apiUrl, await signUp(page));
  });
  after(async () => {
    // The dub may still be running: cancel it, so the platform stops with nothing mid-write and the machine is free.
    if (api) await cancelActiveJobs(api);
    await context?.close();
    await browser?.close();
    await platform?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a noisy clip chosen for a denoise job shows its cost, uploads and lands on the job page', async () => {
    await openNewJob(page);
    assert.equal(await page.getByRole('radio', { name: 'Denoise' }).isChecked(), true, 'denoise is the default');
    await page.getByLabel('Audio file').setInputFiles(noisyClip);
    const expected = `${Math.ceil(noisySeconds)} s`;
    await page.getByTestId('cost-estimate').filter({ hasText: expected }).waitFor();
    await page.getByTestId('credit-balance').filter({ hasText: '1 min 00 s' }).waitFor();
    // The preview plays from an object URL (media-src blob:) and knows its length.
    const previewSeconds = await mediaDurationSeconds(page, 'Preview of noisy-speech.wav');
    assert.ok(Math.abs(previewSeconds - noisySeconds) < 0.05, `${previewSeconds} s vs ${noisySeconds} s`);
    await page.getByLabel('Noise level').selectOption('aggressive');
    await saveScreenshot(page, 'new-job');
    await assertNoSeriousViolations(page);

    await page.getByRole('button', { name: 'Start job' }).click();
    await page.waitForURL(JOB_URL);
    const jobId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const status = await api.status(jobId);
    assert.equal(status.status, 200, status.text);
    assert.equal(status.json['jobType'], 'denoise');
    assert.equal(Math.round((status.json['inputDurationMs'] as number) / 100), Math.round(noisySeconds * 10));
    assert.equal(submits.length, 1);
    assert.equal(submits[0]?.path, '/api/jobs');
    assert.match(submits[0]?.key ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(problems, []);
  });

  test('the chain builder submits denoise → dub to Spanish as one job with both steps', async () => {
    await openNewJob(page);
    await page.getByLabel('Audio file').setInputFiles(noisyClip);
    await page.getByLabel('Next step').selectOption({ label: 'Dub' });
    await page.getByRole('button', { name: 'Add step' }).click();
    const dub = page.getByRole('group', { name: 'Step 2: Dub' });
    // Submitting without the target language stops at the field, sending nothing.
    const before = submits.length;
    await page.getByRole('button', { name: 'Start job' }).click();
    await dub.getByText('Required.').waitFor();
    assert.equal(await dub.getByLabel('Target language').getAttribute('aria-invalid'), 'true');
    assert.equal(submits.length, before);
    await dub.getByLabel('Target language').fill('es');
    await page
      .getByTestId('cost-estimate')
      .filter({ hasText: `${Math.ceil(noisySeconds)} s` })
      .waitFor();
    await saveScreenshot(page, 'new-job-chain');
    await assertNoSeriousViolations(page);

    await page.getByRole('button', { name: 'Start job' }).click();
    await page.waitForURL(JOB_URL);
    const jobId = new URL(page.url()).pathname.split('/').pop() ?? '';
    // The step list appears once the workflow has started and answered its first progress query.
    let ops: string[] = [];
    for (const deadline = Date.now() + 60_000; ops.length === 0;) {
      const progress = await api.request('GET', `/api/jobs/${jobId}/progress`);
      assert.equal(progress.status, 200, progress.text);
      ops = (progress.json['steps'] as { op: string }[]).map((step) => step.op);
      if (ops.length === 0) {
        assert.ok(Date.now() < deadline, 'the job never reported its steps');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    // Both steps, in order, then the loudness normalisation the page said the API would append (the other
    // entries are the pipeline's own stages: preprocess, quality, settle).
    const chain = ops.filter((op) => ['denoise', 'dub', 'normalize'].includes(op));
    assert.deepEqual(chain, ['denoise', 'dub', 'normalize'], ops.join(', '));
    assert.equal((await api.status(jobId)).json['jobType'], 'denoise+dub');
    assert.deepEqual(problems, []);
  });

  test('a text file named .wav is refused by the API, and its message is shown at the file input', async () => {
    const jobsBefore = await jobCount(api);
    await openNewJob(page);
    await page.getByLabel('Audio file').setInputFiles(notAudio);
    await page.getByTestId('audio-duration').filter({ hasText: 'length unknown' }).waitFor();
    await page.getByRole('button', { name: 'Start job' }).click();
    const alert = page.locator('#audio-file-error').getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /This file cannot be used/);
    assert.match(text, /The file is not a recognised audio file\./);
    assert.doesNotMatch(text, /[{}]/, 'words, not JSON');
    assert.equal(await page.getByLabel('Audio file').getAttribute('aria-describedby'), 'audio-file-error');
    assert.equal(await jobCount(api), jobsBefore);
    await saveScreenshot(page, 'new-job-error');
    await assertNoSeriousViolations(page);
    assert.deepEqual(problems, []);
  });

  test('a clip longer than the balance is refused before any upload, and no job is created', async () => {
    const jobsBefore = await jobCount(api);
    const before = submits.length;
    await openNewJob(page);
    await page.getByLabel('Audio file').setInputFiles(longClip);
    const message = page.getByText(/^Not enough credits: this job needs 1 min 15 s and your balance is /);
    await message.waitFor();
    const start = page.getByRole('button', { name: 'Start job' });
    assert.equal(await start.isDisabled(), true);
    const reasonId = (await start.getAttribute('aria-describedby')) ?? '';
    assert.equal(await page.locator(`#${reasonId}`).textContent(), 'Not enough credits for this job.');
    await saveScreenshot(page, 'new-job-insufficient');
    await assertNoSeriousViolations(page);
    assert.equal(submits.length, before, 'nothing was uploaded');
    assert.equal(await jobCount(api), jobsBefore);
    assert.deepEqual(problems, []);
  });

  test('a recording from the microphone is previewed with its duration and can be submitted', async () => {
    await openNewJob(page);
    await page.getByRole('button', { name: 'Record from microphone' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Recording 0:0[2-9]/ })
      .waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Stop recording' }).click();
    const duration = page.getByTestId('audio-duration');
    await duration.filter({ hasText: /^0:0[2-9]$/ }).waitFor({ timeout: 15_000 });
    const seconds = await mediaDurationSeconds(page, 'Preview of recording-');
    assert.ok(seconds >= 1.5 && seconds < 15, `the recording lasts ${seconds} s`);
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.waitForURL(JOB_URL);
    const jobId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const status = await api.status(jobId);
    assert.equal(status.status, 200, status.text);
    // The recording went up as WAV (MediaRecorder's WebM is not an accepted format).
    assert.ok(Math.abs((status.json['inputDurationMs'] as number) / 1000 - seconds) < 0.1);
    assert.deepEqual(problems, []);
  });

  test('at 360 px the page fits without horizontal scrolling and has no serious axe violations', async () => {
    const phone = await openPage(browser, platform.apiUrl, PHONE_VIEWPORT);
    await signUp(phone.page);
    await openNewJob(phone.page, '?op=tts&text=Hello%20from%20a%20phone.');
    assert.equal(await phone.page.getByRole('radio', { name: 'TTS' }).isChecked(), true);
    await phone.page.getByText('19 / 10,000 characters').waitFor();
    await phone.page.getByLabel('Next step').selectOption({ label: 'Voice clone' });
    await phone.page.getByRole('button', { name: 'Add step' }).click();
    const overflow = await phone.page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    await saveScreenshot(phone.page, 'new-job-phone');
    await assertNoSeriousViolations(phone.page);
    assert.deepEqual(phone.problems, []);
    await phone.context.close();
  });
});
