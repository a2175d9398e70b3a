import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { encodeWav } from '@voice/audio';
import type { Browser, Locator, Page } from 'playwright-core';

import {
  type ApiClient,
  DESKTOP_VIEWPORT,
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

const PASSWORD = 'correct horse battery staple';

/** The web app's credit format ("29 min 52 s", "8 s"), to compare the page with what the API says. */
function minutesAndSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes === 0 ? `${rest} s` : `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

async function assertFitsAndAccessible(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  assert.ok(overflow <= 0, `${what}: no horizontal scrolling (overflow ${overflow} px)`);
  const violations = await seriousAxeViolations(page);
  assert.equal(violations.length, 0, `${what}: ${describeViolations(violations)}`);
}

/**
 * Waits until the table shows exactly one row matching `pattern` and returns its text. A filter's summary can read
 * "1 of 1" for two filters in a row, so the rows themselves are what tells the new answer has arrived.
 */
async function onlyRow(rows: Locator, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  for (;;) {
    const texts = await rows.allInnerTexts();
    seen = texts.join(' | ');
    if (texts.length === 1 && pattern.test(texts[0] ?? '')) return texts[0] ?? '';
    assert.ok(Date.now() < deadline, `expected one row like ${String(pattern)}, saw: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('web app: dashboard, history and models', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    platform = await startTestPlatform();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
  });

  test('credits, live recent jobs, filtered and paged history, and the installed models', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    const email = `dash-${randomUUID()}@example.com`;
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Dana');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    // A new account: the free 30 minutes, nothing held, and the way to a first job.
    const credits = page.getByRole('region', { name: 'Credits' });
    await credits.getByText('30 min 00 s').waitFor();
    assert.equal(await credits.getByText('0 s', { exact: true }).count(), 1);
    const firstJob = page.getByRole('link', { name: 'Start your first job' });
    assert.equal(await firstJob.getAttribute('href'), '/jobs/new');
    await assertFitsAndAccessible(page, 'empty dashboard');

    // The same user from a script: a silent recording (fails its quality check), a sound effect and a
    // short denoise, the cheapest jobs there are.
    const api: ApiClient = platform.api();
    const login = await api.request('POST', '/api/auth/login', { email, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
    api.accessToken = login.json['accessToken'] as string;
    const silent = await api.upload('/api/audio/denoise', encodeWav(new Float32Array(16_000 * 2), 16_000), 's.wav');
    assert.equal(silent.status, 202, silent.text);
    const sfx = await api.request('POST', '/api/audio/generate-sfx', { description: 'a fast whoosh', duration: 2 });
    assert.equal(sfx.status, 202, sfx.text);
    const speech = await makeNoisySpeech({ snrDb: 10, minSeconds: 8 });
    const denoise = await api.upload('/api/audio/denoise', speech.wav, 'speech.wav');
    assert.equal(denoise.status, 202, denoise.text);
    const denoiseId = denoise.json['jobId'] as string;

    // Loaded once while the denoise job is still going; from here on the page is never reloaded.
    await page.reload();
    await page.evaluate('window.__notReloaded = true');
    const recent = page.getByRole('region', { name: 'Recent jobs' });
    const denoiseRow = recent.locator(`a[href="/jobs/${denoiseId}"]`);
    await denoiseRow.waitFor();
    const firstSeen = (await denoiseRow.innerText()).trim();
    assert.match(firstSeen, /Queued|Running/, `the denoise job is shown in progress first (${firstSeen})`);
    await saveScreenshot(page, 'dashboard-running');
    await denoiseRow.getByText('Done').waitFor({ timeout: 120_000 });
    assert.equal(await page.evaluate('window.__notReloaded'), true, 'the status changed without a reload');
    for (const id of [silent.json['jobId'], sfx.json['jobId']] as string[]) await api.waitForJob(id);
    await recent
      .locator(`a[href="/jobs/${silent.json['jobId'] as string}"]`)
      .getByText('Failed')
      .waitFor();
    await recent
      .locator(`a[href="/jobs/${sfx.json['jobId'] as string}"]`)
      .getByText('Done')
      .waitFor();
    assert.equal(
      await recent
        .getByRole('link')
        .filter({ hasText: /Denoise|Sound effect/ })
        .count(),
      3,
    );
    assert.equal(await page.getByRole('link', { name: 'Start your first job' }).count(), 0);
    assert.equal(await recent.getByRole('link', { name: 'New job' }).getAttribute('href'), '/jobs/new');

    // Completed jobs keep their output's hold until downloaded; the failed one released its own.
    const balance = await api.credits();
    assert.ok(balance.creditsHeld > 0);
    assert.equal(balance.creditsRemaining + balance.creditsHeld, 1800, '30 minutes, minus what is held');
    await credits.getByText(minutesAndSeconds(balance.creditsRemaining), { exact: true }).waitFor();
    await credits.getByText(minutesAndSeconds(balance.creditsHeld), { exact: true }).waitFor();
    await saveScreenshot(page, 'dashboard');
    await assertFitsAndAccessible(page, 'dashboard');
    await page.setViewportSize(PHONE_VIEWPORT);
    await assertFitsAndAccessible(page, 'dashboard at 360 px');
    await saveScreenshot(page, 'dashboard-phone');
    await page.setViewportSize(DESKTOP_VIEWPORT);

    // History: each filter changes the rows and the URL.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'History', level: 1 }).waitFor();
    const summary = page.getByRole('status').filter({ hasText: /^Showing|^No jobs/ });
    await summary.getByText('Showing 1–3 of 3').waitFor();
    const jobRows = page.locator('tbody tr');
    assert.equal(await jobRows.count(), 3);

    await page.getByLabel('Status').selectOption('failed');
    await page.waitForURL((url) => url.search === '?status=failed');
    await summary.getByText('Showing 1 of 1').waitFor();
    await onlyRow(jobRows, /Denoise[\s\S]*Failed/);

    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Type').selectOption('generate_sfx');
    await page.waitForURL((url) => url.search === '?type=generate_sfx');
    await summary.getByText('Showing 1 of 1').waitFor();
    await onlyRow(jobRows, /Sound effect[\s\S]*Done/);

    await page.getByLabel('Type').selectOption('denoise');
    await page.getByLabel('Status').selectOption('completed');
    await page.waitForURL((url) => url.search === '?type=denoise&status=completed');
    await summary.getByText('Showing 1 of 1').waitFor();
    const row = await onlyRow(jobRows, /Denoise[\s\S]*Done/);
    // The input column shows the uploaded length as a clock (m:ss).
    const inputSeconds = Math.round(((await api.status(denoiseId)).json['inputDurationMs'] as number) / 1000);
    assert.ok(row.includes(`0:${String(inputSeconds).padStart(2, '0')}`), `input length ${inputSeconds} s in ${row}`);
    await saveScreenshot(page, 'history-filtered');
    await assertFitsAndAccessible(page, 'filtered history');

    // The view survives a reload, and a shared link with a small page size pages with next and previous.
    await page.reload();
    await summary.getByText('Showing 1 of 1').waitFor();
    assert.equal(await page.getByLabel('Status').inputValue(), 'completed');
    await page.goto('/history?limit=2');
    await summary.getByText('Showing 1–2 of 3').waitFor();
    assert.equal(await jobRows.count(), 2);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL((url) => url.search === '?page=2&limit=2');
    await summary.getByText('Showing 3 of 3').waitFor();
    assert.equal(await jobRows.count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Next' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await summary.getByText('Showing 1–2 of 3').waitFor();
    await page.setViewportSize(PHONE_VIEWPORT);
    await assertFitsAndAccessible(page, 'history at 360 px');
    await saveScreenshot(page, 'history-phone');
    await page.setViewportSize(DESKTOP_VIEWPORT);

    // Models: every installed model under its task, marked neural or classical, as GET /api/models says.
    const listing = await api.request('GET', '/api/models');
    const tasks = listing.json['tasks'] as Record<string, Array<{ displayName: string; kind: string }>>;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    const denoiseSection = page.getByRole('region', { name: 'Noise reduction' });
    await denoiseSection.waitFor();
    for (const [task, models] of Object.entries(tasks)) {
      if (models.length === 0) continue;
      const cards = page.locator('li', { has: page.getByRole('heading', { level: 3 }) });
      for (const model of models) {
        const card = cards.filter({ has: page.getByRole('heading', { name: model.displayName, exact: true }) });
        assert.equal(await card.count(), 1, `${task}: ${model.displayName} is listed once`);
        assert.ok(
          (await card.innerText()).includes(model.kind === 'neural' ? 'Neural' : 'Classical'),
          `${model.displayName} is marked ${model.kind}`,
        );
      }
    }
    const denoiseModels = tasks['denoise'] ?? [];
    assert.ok(denoiseModels.some((model) => model.kind === 'neural'));
    assert.ok(denoiseModels.some((model) => model.kind === 'classical'));
    assert.equal(await denoiseSection.getByRole('heading', { level: 3 }).count(), denoiseModels.length);
    await page.getByRole('region', { name: 'Not available on this server' }).waitFor();
    await saveScreenshot(page, 'models');
    await assertFitsAndAccessible(page, 'models');
    await page.setViewportSize(PHONE_VIEWPORT);
    await assertFitsAndAccessible(page, 'models at 360 px');
    await saveScreenshot(page, 'models-phone');

    assert.deepEqual(problems, []);
    await context.close();
  });
});
