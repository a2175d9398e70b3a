import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import type { Browser, Page } from 'playwright-core';

import {
  PHONE_VIEWPORT,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  startTestPlatform,
  type TestPlatform,
  verifyEmailFromMail,
} from '../../src';

const PASSWORD = 'correct horse battery staple';

async function assertAccessible(page: Page): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.equal(violations.length, 0, describeViolations(violations));
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/**
 * The Developer page against the real platform (real models, Temporal, PostgreSQL): a key made in the UI and seen
 * once is used by a script (plain fetch) to run and download a job, the usage shows up, and a revoke in the UI
 * refuses the script's next request.
 */
describe('web app: the Developer page', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;
  const email = `developer-${randomUUID()}@example.com`;

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    platform = await startTestPlatform();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
  });

  /** What a user's script does with the key: plain fetch, nothing of the web app. */
  const withKey = async (secret: string, method: string, path: string, body?: unknown, asBearer = false) => {
    const headers: Record<string, string> = asBearer ? { authorization: `Bearer ${secret}` } : { 'x-api-key': secret };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${platform.apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as Record<string, unknown>,
    };
  };

  test('create a key and see it once, run a job with it from a script, see the usage, revoke it', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: platform.apiUrl });
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Dev');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The script below downloads its result, which needs a verified email.
    await verifyEmailFromMail(platform.mailbox, email);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Developer' }).click();
    await page.getByRole('heading', { name: 'Developer', level: 1 }).waitFor();
    await page.getByText('No keys yet. Create one above.').waitFor();
    await page.getByText('No charges in this range.').waitFor();
    await assertAccessible(page);

    // Create: the form says what is missing before anything is sent.
    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByText('Choose at least one permission.').waitFor();
    await form.getByLabel('Name').fill('Podcast script');
    await form.getByRole('checkbox', { name: /Submit jobs/ }).check();
    await form.getByRole('checkbox', { name: /Read jobs/ }).check();
    await form.getByRole('button', { name: 'Create key' }).click();

    const created = page.getByRole('region', { name: 'Your new key “Podcast script”' });
    await created.waitFor();
    await created.getByText('you will not see it again').waitFor();
    const secret = await created.getByLabel('API key').inputValue();
    assert.match(secret, /^vp_live_[0-9A-Za-z]{43}$/);
    await created.getByRole('button', { name: 'Copy' }).click();
    await created.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
    assert.equal(await page.evaluate<string>('navigator.clipboard.readText()'), secret);
    await assertAccessible(page);
    await saveScreenshot(page, 'developer-key-created');
    await created.getByRole('button', { name: 'Done, I have saved it' }).click();
    await created.waitFor({ state: 'detached' });

    const card = page.getByRole('list', { name: 'Your API keys' }).getByRole('article', { name: 'Podcast script' });
    await card.getByText(`${secret.slice(0, 12)}…`).waitFor();
    await card.getByText('Submit jobs, Read jobs').waitFor();
    assert.equal(await card.getByText('Active').count(), 1);
    assert.ok(!(await page.content()).includes(secret.slice(12)), 'after Done the page no longer holds the key');
    // A reload shows the list only: the key itself is gone for good.
    await page.reload();
    await card.waitFor();
    assert.equal(await page.getByLabel('API key', { exact: true }).count(), 0);

    // The script: a text-to-speech job with X-API-Key, followed with Authorization: Bearer, then downloaded.
    const accepted = await withKey(secret, 'POST', '/api/audio/tts', { text: 'Hello from the developer page.' });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.json));
    assert.match(accepted.headers.get('ratelimit-policy') ?? '', /"api-key";q=100;w=60/);
    const jobId = accepted.json['jobId'] as string;
    let status = 'pending';
    const deadline = Date.now() + 240_000;
    while (status === 'pending' || status === 'running') {
      assert.ok(Date.now() < deadline, `job ${jobId} still ${status}`);
      const polled = await withKey(secret, 'GET', `/api/jobs/${jobId}/status?wait=20`, undefined, true);
      assert.equal(polled.status, 200, JSON.stringify(polled.json));
      status = polled.json['status'] as string;
    }
    assert.equal(status, 'completed');
    const download = await withKey(secret, 'POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, JSON.stringify(download.json));
    const charged = download.json['creditsCharged'] as number;
    assert.ok(charged > 0, `charged ${charged}`);
    // Outside its scopes the key is refused, in words.
    const credits = await withKey(secret, 'GET', '/api/user/credits');
    assert.equal(credits.status, 403);
    assert.equal((credits.json['error'] as { code: string }).code, 'INSUFFICIENT_SCOPE');

    // The usage, in the UI: a bar for today, the figures as a table, per key.
    await page.reload();
    const usage = page.getByRole('region', { name: 'Usage' });
    const daily = usage.getByRole('table', { name: 'Per day and feature' });
    const ttsRow = daily.getByRole('row').filter({ hasText: 'Text to speech' });
    await ttsRow.waitFor();
    assert.equal((await ttsRow.getByRole('cell').last().innerText()).trim(), String(charged), 'credits charged');
    const perKey = usage.getByRole('table', { name: 'Per key' });
    await perKey.getByRole('row').filter({ hasText: 'Podcast script' }).waitFor();
    const chart = usage.getByRole('img', { name: /^Minutes processed per day: [\d.]+ min in all over 30 days/ });
    await chart.waitFor();
    assert.ok((await chart.locator('rect').count()) >= 1, 'a bar for the day of the charge');
    await usage.getByRole('radio', { name: 'Credits charged' }).check();
    await usage.getByRole('img', { name: new RegExp(`^Credits charged per day: ${charged} credits in all`) }).waitFor();
    await usage.getByLabel('Key').selectOption({ label: `Podcast script (${secret.slice(0, 12)}…)` });
    await perKey.getByRole('row').filter({ hasText: 'Podcast script' }).waitFor();
    assert.equal(await perKey.getByRole('row').filter({ hasText: 'Web app' }).count(), 0);
    await card.getByText('Last used').waitFor();
    assert.doesNotMatch(await card.innerText(), /Last used\s+Never/);
    await assertAccessible(page);
    await saveScreenshot(page, 'developer');

    // Revoke, confirmed: the script's very next request is refused.
    await card.getByRole('button', { name: 'Revoke Podcast script' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Podcast script”?' });
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await card.getByText('Revoked', { exact: true }).waitFor();
    const refused = await withKey(secret, 'GET', `/api/jobs/${jobId}/status`);
    assert.equal(refused.status, 401);
    assert.equal((refused.json['error'] as { code: string }).code, 'API_KEY_REVOKED');

    assert.deepEqual(problems, []);
    await context.close();
  });

  test('on a 360 px phone the page fits, works and has no serious accessibility violations', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl, PHONE_VIEWPORT);
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto('/developer');
    await page.getByRole('article', { name: 'Podcast script' }).waitFor();
    await page.getByRole('table', { name: 'Per day and feature' }).getByText('Text to speech').waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'no horizontal scroll at 360 px');

    const form = page.getByRole('form', { name: 'Create a key' });
    await form.getByLabel('Name').fill('Phone key');
    await form.getByRole('checkbox', { name: /Voices/ }).check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByRole('region', { name: 'Your new key “Phone key”' });
    await created.waitFor();
    assert.equal(await horizontalOverflow(page), 0, 'the key fits at 360 px');
    await assertAccessible(page);
    await saveScreenshot(page, 'developer-phone');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
