import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import type { Browser } from 'playwright-core';

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
} from '../../src';

const PASSWORD = 'correct horse battery staple';

async function assertNoSeriousViolations(page: Parameters<typeof seriousAxeViolations>[0]): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.equal(violations.length, 0, describeViolations(violations));
}

describe('web app: the Account page (your data)', { timeout: 300_000 }, () => {
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

  test('exports the data as a JSON file, then deletes the account, which can no longer sign in', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl, PHONE_VIEWPORT);
    const email = `account-${randomUUID()}@example.com`;
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Grace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Your data' }).waitFor();
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= PHONE_VIEWPORT.width, `no horizontal scroll at 360 px (${width})`);
    await assertNoSeriousViolations(page);
    await saveScreenshot(page, 'account-your-data');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^voice-platform-export-\d{4}-\d{2}-\d{2}\.json$/);
    const file = await download.path();
    const exported = JSON.parse(await readFile(file, 'utf8')) as { profile: { email: string } };
    assert.equal(exported.profile.email, email);

    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByLabel('Your password').fill('not the password at all');
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /password is not correct/i })
      .waitFor();
    await assertNoSeriousViolations(page);
    await saveScreenshot(page, 'account-delete-wrong-password');

    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Delete my account for good' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /invalid email or password/i })
      .waitFor();
    await saveScreenshot(page, 'account-deleted-sign-in-refused');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
