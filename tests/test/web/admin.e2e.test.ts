import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import {
  ApiClient,
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

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
const ADMIN_PASSWORD = 'an admin passphrase for the browser';
const USER_PASSWORD = 'correct horse battery staple';
const PERIOD_MS = 30_000;
/** Where the admin pages link each run; the test runner's dev server UI, else any address (only hrefs are checked). */
const TEMPORAL_UI = process.env['TEST_TEMPORAL_UI_URL'] ?? 'http://temporal-ui.invalid';

/**
 * The admin pages against the real platform: the bootstrap admin (ADMIN_EMAIL/ADMIN_PASSWORD) enrols an
 * authenticator in the browser, signs in again with a one-time code, finds a user, grants credits, suspends them
 * (their open session is refused), and reads the audit log, the jobs with their Temporal links and the system page.
 */
describe('web app: the admin pages', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let secret = '';
  /** The TOTP step of the last code used: the server refuses a code of that step or an older one. */
  let lastStep = 0;
  const userEmail = `member-${randomUUID().slice(0, 8)}@example.com`;
  let userId = '';
  let jobId = '';

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    const [started, speech] = await Promise.all([
      // Page loads renew the session at /api/auth/refresh (5 per address per window by default).
      startTestPlatform({
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        TEMPORAL_UI_PUBLIC_URL: TEMPORAL_UI,
        AUTH_RATE_LIMIT: '1000',
        AUTH_MFA_RATE_LIMIT: '100',
      }),
      makeNoisySpeech({ snrDb: 10 }),
    ]);
    platform = started;
    browser = await launchChromium();
    ({ context, page, problems } = await openPage(browser, platform.apiUrl));

    // A member with one real job, submitted as a script would.
    const member = new ApiClient(platform.apiUrl);
    userId = (await member.register(userEmail, USER_PASSWORD, 'Member')).id;
    const accepted = await member.upload('/api/audio/denoise', speech.wav, 'speech.wav');
    assert.equal(accepted.status, 202, accepted.text);
    jobId = accepted.json['jobId'] as string;
    const finished = await member.waitForJob(jobId, { timeoutMs: 180_000 });
    assert.equal(finished['status'], 'completed', JSON.stringify(finished));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await platform?.close();
  });

  /** A code the server takes now: of a step later than the last one used, and never the last second of a step. */
  async function nextCode(): Promise<string> {
    for (;;) {
      const now = Date.now();
      const step = Math.floor(now / PERIOD_MS);
      // The server accepts the previous, current and next step; use the earliest step not used yet.
      const target = Math.max(step - 1, lastStep + 1);
      if (target <= step + 1 && PERIOD_MS - (now % PERIOD_MS) > 3_000) {
        lastStep = target;
        return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: target * PERIOD_MS });
      }
      await sleep(1_000);
    }
  }

  /** No horizontal scroll at 360 px and no serious axe violation, then back to the desktop size. */
  async function checkPhoneAndAxe(what: string, phoneScreenshot?: string): Promise<void> {
    await page.setViewportSize(PHONE_VIEWPORT);
    if (phoneScreenshot) await saveScreenshot(page, phoneScreenshot);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `${what}: no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, `${what} at 360 px: ${describeViolations(violations)}`);
    await page.setViewportSize(DESKTOP_VIEWPORT);
    const desktop = await seriousAxeViolations(page);
    assert.equal(desktop.length, 0, `${what}: ${describeViolations(desktop)}`);
  }

  test('the bootstrap admin enrols an authenticator: QR code and key, a first code, ten recovery codes', async () => {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // Only admins see the link; without a second factor it leads to enrolment.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL('**/admin/mfa');
    await page.getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
    await page.getByRole('button', { name: 'Show my QR code' }).click();
    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await qr.waitFor();
    const source = (await qr.getAttribute('src')) ?? '';
    assert.match(source, /^data:image\/svg\+xml;/, 'the QR code is an image, not markup in the page');
    // Decoded into a picture (a broken data URL would fail to decode). No DOM lib here: the element is typed by hand.
    const width = await qr.evaluate(async (element) => {
      const image = element as unknown as { decode(): Promise<void>; naturalWidth: number };
      await image.decode();
      return image.naturalWidth;
    });
    assert.ok(width > 0, 'the QR code renders');
    secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await saveScreenshot(page, 'admin-mfa-enrol');
    await checkPhoneAndAxe('MFA enrolment');

    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /invalid one-time code/i })
      .waitFor();
    await page.getByLabel('Code from the app').fill(await nextCode());
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    await saveScreenshot(page, 'admin-mfa-recovery-codes');
    await checkPhoneAndAxe('recovery codes');
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('link', { name: 'Continue to the admin pages' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  });

  test('signing in again asks for the one-time code; a wrong one is refused in words', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Enter your one-time code' }).waitFor();
    await saveScreenshot(page, 'admin-sign-in-code');
    await checkPhoneAndAxe('one-time code step');
    await page.getByLabel('One-time code').fill('123456');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /invalid one-time code/i })
      .waitFor();
    await page.getByLabel('One-time code').fill(await nextCode());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    // Back where the sign-out left off.
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/users');
  });

  test('the admin finds a member, grants credits with a reason and suspends them; their open session is refused', async () => {
    // The member is signed in in a browser of their own.
    const member = await openPage(browser, platform.apiUrl);
    await member.page.goto('/sign-in');
    await member.page.getByLabel('Email').fill(userEmail);
    await member.page.getByLabel('Password').fill(USER_PASSWORD);
    await member.page.getByRole('button', { name: 'Sign in' }).click();
    await member.page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByLabel('Email, name or user id').fill(userEmail.slice(0, 14).toUpperCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: '1 user matching' }).waitFor();
    await saveScreenshot(page, 'admin-users');
    await checkPhoneAndAxe('user search');
    await page.getByRole('link', { name: userEmail }).click();
    await page.getByRole('heading', { name: userEmail, level: 1 }).waitFor();

    const reasonOf = (form: string) => page.getByRole('form', { name: form }).getByLabel('Reason', { exact: true });
    const credits = page.getByRole('form', { name: 'Grant or correct credits' });
    await credits.getByLabel('Minutes').fill('10');
    await credits.getByRole('button', { name: 'Grant credits' }).click();
    await credits.getByText('Say why: the reason is kept in the audit log.').waitFor();
    await reasonOf('Grant or correct credits').fill('Welcome bonus for the beta');
    await credits.getByRole('button', { name: 'Grant credits' }).click();
    await credits.getByRole('status').filter({ hasText: 'Granted 10 min 00 s' }).waitFor();
    // Through the ledger: the entry is there with its reason.
    await page
      .getByRole('table', { name: 'Latest ledger entries, newest first' })
      .getByRole('row')
      .filter({ hasText: 'Welcome bonus for the beta' })
      .filter({ hasText: '+10 min 00 s' })
      .waitFor();

    await credits.getByLabel('Correction (adds or removes)').check();
    await credits.getByLabel('Minutes').fill('-1000');
    await reasonOf('Grant or correct credits').fill('Too much');
    await credits.getByRole('button', { name: 'Apply correction' }).click();
    await credits
      .getByRole('alert')
      .filter({ hasText: /below zero/ })
      .waitFor();

    const suspension = page.getByRole('form', { name: 'Suspend account' });
    await reasonOf('Suspend account').fill('Chargeback on the last payment');
    await suspension.getByRole('button', { name: 'Suspend account' }).click();
    await page.getByRole('heading', { name: 'Suspended account' }).waitFor();
    await page.getByText('Granted credits').first().waitFor();
    await saveScreenshot(page, 'admin-user');
    await checkPhoneAndAxe('user page', 'admin-user-phone');

    // The member's access token is still unexpired; their next request is refused and the app signs them out.
    await member.page.getByRole('link', { name: 'History' }).click();
    await member.page.waitForURL('**/sign-in');
    await member.page.getByLabel('Email').fill(userEmail);
    await member.page.getByLabel('Password').fill(USER_PASSWORD);
    await member.page.getByRole('button', { name: 'Sign in' }).click();
    await member.page.getByRole('alert').filter({ hasText: 'This account is suspended' }).waitFor();
    assert.deepEqual(member.problems, []);
    await member.context.close();
  });

  test('the audit log shows each action with the admin and the reason', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.getByRole('table', { name: 'Admin actions, newest first' });
    const rows = table.getByRole('row');
    await rows.filter({ hasText: 'Suspended account' }).filter({ hasText: 'Chargeback on the last payment' }).waitFor();
    await rows.filter({ hasText: 'Granted credits' }).filter({ hasText: 'Welcome bonus for the beta' }).waitFor();
    await rows.filter({ hasText: 'Enrolled authenticator' }).waitFor();
    const granted = rows.filter({ hasText: 'Granted credits' });
    assert.match((await granted.textContent()) ?? '', /\+10 min 00 s/);
    assert.match((await granted.textContent()) ?? '', new RegExp(ADMIN_EMAIL.replace(/[.]/g, '\\.')));
    // Corrections refused for going below zero left no row.
    assert.equal(await rows.filter({ hasText: 'Corrected credits' }).count(), 0);
    await saveScreenshot(page, 'admin-audit');
    await checkPhoneAndAxe('audit log');
  });

  test('the jobs list filters by user and links each job to its run in the Temporal UI', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByLabel('User (email or id)').fill(userEmail);
    await page.getByLabel('Status').selectOption('completed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^1 job$/ })
      .waitFor();
    const link = page.getByRole('link', { name: `Temporal run of job ${jobId} (opens a new tab)` });
    const href = await link.getAttribute('href');
    assert.equal(href, `${TEMPORAL_UI}/namespaces/${platform.env.TEMPORAL_NAMESPACE}/workflows/job-${jobId}`);
    if (process.env['TEST_TEMPORAL_UI_URL'] && href) {
      const ui = await fetch(href);
      assert.equal(ui.status, 200, 'the Temporal UI serves the run page');
    }
    await saveScreenshot(page, 'admin-jobs');
    await checkPhoneAndAxe('jobs');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('status').filter({ hasText: 'No jobs match.' }).waitFor();
    assert.match(page.url(), /status=failed/, 'the filters live in the URL');
  });

  test('the system page shows health, the task queues with their pollers, the workers and the models', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'System', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Health: All dependencies answer' }).waitFor();
    const queues = page.getByRole('table', { name: 'Task queues with their backlog and pollers' });
    for (const name of [platform.env.TASK_QUEUE_CPU, platform.env.TASK_QUEUE_MEDIA, platform.env.TASK_QUEUE_GPU]) {
      await queues.getByText(name, { exact: false }).first().waitFor();
    }
    // The platform's own workers poll every queue: no queue is without one.
    assert.equal(await queues.getByText('None: no worker serves this queue').count(), 0);
    const workers = page.getByRole('heading', { name: 'Workers' });
    await workers.waitFor();
    await page.getByRole('heading', { name: 'Installed models' }).waitFor();
    await page
      .getByText(/denoise: .+/)
      .first()
      .waitFor();
    await saveScreenshot(page, 'admin-system');
    await checkPhoneAndAxe('system');
    assert.deepEqual(problems, []);
  });

  test('the operations page shows each task queue with its pollers, the held credits and the Temporal links', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('heading', { name: 'Operations', level: 1 }).waitFor();
    const queues = page.getByRole('table', { name: 'Backlog, oldest waiting task and pollers of each task queue' });
    for (const name of [platform.env.TASK_QUEUE_CPU, platform.env.TASK_QUEUE_MEDIA, platform.env.TASK_QUEUE_GPU]) {
      await queues.getByText(name, { exact: false }).first().waitFor();
    }
    await page.getByRole('region', { name: 'Credits held' }).waitFor();
    await page.getByRole('region', { name: 'Temporal' }).waitFor();
    await saveScreenshot(page, 'admin-operations');
    await checkPhoneAndAxe('operations', 'admin-operations-phone');
    assert.deepEqual(problems, []);
  });
});
