import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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

describe('web app: sign up, sign in, sign out, deep links', { timeout: 300_000 }, () => {
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

  test('a new user signs up, lands on the dashboard, signs out and back in; no token in localStorage', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    const email = `web-${randomUUID()}@example.com`;
    await page.goto('/');
    await page.waitForURL('**/sign-in');
    await saveScreenshot(page, 'sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Ada');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Create account' }).click();
    // "password" is on the common-password list: the API's field error appears under the field.
    await page.getByText('is one of the most commonly used passwords', { exact: false }).waitFor();
    await saveScreenshot(page, 'sign-up-field-error');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    const stored = await page.evaluate<string>('JSON.stringify({ ...localStorage })');
    assert.equal(stored, '{}', 'nothing, and no token, is written to localStorage');

    // A reload keeps the sign-in: the access token is renewed from the httpOnly refresh cookie.
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.reload();
    await page.waitForURL('**/sign-in');

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password entirely');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /invalid email or password/i })
      .waitFor();
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a deep link opens the app after sign-in; /api paths are never the app', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    await page.goto('/models');
    await page.waitForURL('**/sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Deep');
    await page.getByLabel('Email').fill(`deep-${randomUUID()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/models');
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();

    const apiMiss = await page.request.get('/api/no-such-route');
    assert.equal(apiMiss.status(), 404);
    assert.match(apiMiss.headers()['content-type'] ?? '', /application\/json/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('an installable PWA: a manifest with icons, and a service worker that caches the shell, never the API', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl);
    const manifest = await page.request.get('/manifest.webmanifest');
    assert.equal(manifest.status(), 200);
    const {
      icons,
      start_url: startUrl,
      display,
    } = (await manifest.json()) as {
      icons: { src: string; sizes: string }[];
      start_url: string;
      display: string;
    };
    assert.equal(startUrl, '/');
    assert.equal(display, 'standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = icons.find((entry) => entry.sizes === size);
      assert.ok(icon, `a ${size} icon`);
      const image = await page.request.get(icon.src);
      assert.equal(image.status(), 200);
      assert.equal(image.headers()['content-type'], 'image/png');
    }

    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Pwa');
    await page.getByLabel('Email').fill(`pwa-${randomUUID()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(
      await page.evaluate<string>('navigator.serviceWorker.ready.then((r) => r.active.scriptURL)'),
      `${platform.apiUrl}/sw.js`,
    );
    // Pages and API calls after the worker took control: the shell is cached, no API answer ever is.
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto('/models');
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
    const cached = await page.evaluate<string[]>(
      'caches.keys().then((names) => Promise.all(names.map((name) => caches.open(name).then((cache) => cache.keys())))).then((lists) => lists.flat().map((request) => new URL(request.url).pathname))',
    );
    assert.ok(cached.includes('/'), `the shell is cached: ${cached.join(', ')}`);
    assert.ok(
      cached.some((path) => path.startsWith('/assets/')),
      'its bundles too',
    );
    assert.deepEqual(
      cached.filter((path) => path.startsWith('/api/')),
      [],
      'no API response is cached',
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('sign-in works at 360 px and has no serious axe violations', async () => {
    const { context, page, problems } = await openPage(browser, platform.apiUrl, PHONE_VIEWPORT);
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    await saveScreenshot(page, 'sign-in-phone');
    const violations = await seriousAxeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    assert.deepEqual(problems, []);
    await context.close();
  });
});
