import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { linkIn, waitForMail } from '@voice/testkit';
import type { Browser } from 'playwright-core';

import {
  chromiumAvailable,
  describeViolations,
  launchChromium,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  startTestPlatform,
  type TestPlatform,
} from '../../src';

describe('web app: email verification and password reset through real mail', { timeout: 300_000 }, () => {
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

  test('a new account is told to verify, the mailed link verifies it, and a forgotten password is reset', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    const email = `verify-${randomUUID()}@example.com`;
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Vera');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText(`Verify ${email} to download results.`).waitFor();

    const [verification] = await waitForMail(platform.mailbox, email, { subject: /verify|confirm/i });
    assert.ok(verification);
    await page.goto(linkIn(verification, /\/api\/auth\/verify-email\//));
    await page.getByText('Your email is verified: downloads are open.').waitFor();
    await saveScreenshot(page, 'account-verified');
    // The banner asking to verify is gone once the session knows (after a reload renews it).
    await page.goto('/');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(await page.getByText(`Verify ${email} to download results.`).count(), 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText(`If ${email} has an account`, { exact: false }).waitFor();
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));

    const [reset] = await waitForMail(platform.mailbox, email, { subject: /reset|password/i });
    assert.ok(reset);
    const resetLink = linkIn(reset, /\/reset-password#token=/);
    await page.goto(resetLink);
    await page.getByLabel('New password').fill('password');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('is one of the most commonly used passwords', { exact: false }).waitFor();
    await page.getByLabel('New password').fill('a brand new long passphrase');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await saveScreenshot(page, 'account-password-reset');

    // The link works once (from a fresh load: the same URL with a fragment would not reload the page).
    await page.goto('about:blank');
    await page.goto(resetLink);
    await page.getByLabel('New password').fill('yet another long passphrase');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByRole('alert').waitFor();

    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a brand new long passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
