import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { FakePayPal, FakeRazorpay } from '@voice/testkit';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import Stripe from 'stripe';

import {
  ApiClient,
  DESKTOP_VIEWPORT,
  PHONE_VIEWPORT,
  chromiumAvailable,
  describeViolations,
  launchChromium,
  openPage,
  saveScreenshot,
  seriousAxeViolations,
  startTestPlatform,
  verifyEmailFromMail,
  type TestPlatform,
} from '../../src';

const PASSWORD = 'correct horse battery staple';
const ADMIN_EMAIL = `billing-admin-${randomUUID().slice(0, 8)}@example.com`;
const ADMIN_PASSWORD = 'an admin passphrase for billing';
const STRIPE_WEBHOOK_SECRET = 'whsec_test_billing_e2e_0123456789';
const REVIEW_REASON = 'The provider reported 1.00 USD, the order was for 150.00 USD';
const inCi = Boolean(process.env['CI']) && process.env['CI'] !== 'false' && process.env['CI'] !== '0';
const stripeBase = process.env['TEST_STRIPE_API_BASE'];
const noStripeMock = stripeBase
  ? false
  : `stripe-mock unavailable: ${process.env['TEST_STRIPE_UNAVAILABLE'] ?? 'TEST_STRIPE_API_BASE is not set (run through scripts/test.mjs)'}`;

/** The web app's formatCredits: how the page writes a balance of credit-seconds. */
function credits(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${seconds % 60} s` : `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/**
 * Buying credits in a real Chromium against the real platform (API, PostgreSQL, and the fulfilment workflow on
 * the CPU worker of the shared Temporal server), with the providers' APIs served locally: FakePayPal (its approve
 * link redirects back, as PayPal does), FakeRazorpay, and stripe-mock. Stripe.js and Razorpay Checkout cannot
 * load on this offline machine, so those payments wait for their webhooks, which the test signs and sends.
 */
describe('web app: buying credits', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let paypal: FakePayPal;
  let razorpay: FakeRazorpay;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const email = `buyer-${randomUUID()}@example.com`;
  /** The buyer's own API client, to check what the page shows against what the API says. */
  let buyer: ApiClient;

  before(async () => {
    assert.ok(chromiumAvailable(), 'Chromium is missing: .ci/run installs it (apt-get install chromium)');
    if (inCi) assert.ok(stripeBase, `stripe-mock is required in CI: ${String(noStripeMock)}`);
    [paypal, razorpay] = await Promise.all([FakePayPal.start(), FakeRazorpay.start()]);
    platform = await startTestPlatform(
      {
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        // Every page load (and the return from PayPal) renews the session at /api/auth/refresh.
        AUTH_RATE_LIMIT: '1000',
        PAYPAL_CLIENT_ID: paypal.clientId,
        PAYPAL_CLIENT_SECRET: paypal.clientSecret,
        PAYPAL_WEBHOOK_ID: paypal.webhookId,
        PAYPAL_API_BASE: paypal.baseUrl,
        RAZORPAY_KEY_ID: razorpay.keyId,
        RAZORPAY_KEY_SECRET: razorpay.keySecret,
        RAZORPAY_WEBHOOK_SECRET: razorpay.webhookSecret,
        RAZORPAY_API_BASE: razorpay.baseUrl,
        ...(stripeBase
          ? {
              STRIPE_SECRET_KEY: 'sk_test_123',
              STRIPE_WEBHOOK_SECRET,
              STRIPE_API_BASE: stripeBase,
              // So the page tries Stripe.js (the CSP admits js.stripe.com), which cannot load here.
              STRIPE_PUBLISHABLE_KEY: 'pk_test_billing_e2e',
            }
          : {}),
      },
      // Buying needs no models: no GPU or media worker, only the API and the CPU worker's workflows.
      { embeddedGpuWorker: false, embeddedMediaWorker: false },
    );
    browser = await launchChromium();
    ({ context, page, problems } = await openPage(browser, platform.apiUrl));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await platform?.close();
    await Promise.all([paypal?.stop(), razorpay?.stop()]);
  });

  /** At 360 px: a screenshot, no horizontal scroll, no serious axe violation; then the same check on the desktop. */
  async function checkPage(what: string, screenshot?: string): Promise<void> {
    await page.setViewportSize(PHONE_VIEWPORT);
    if (screenshot) await saveScreenshot(page, screenshot);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    assert.ok(overflow <= 0, `${what}: no horizontal scrolling at 360 px (overflow ${overflow} px)`);
    const phone = await seriousAxeViolations(page);
    assert.equal(phone.length, 0, `${what} at 360 px: ${describeViolations(phone)}`);
    await page.setViewportSize(DESKTOP_VIEWPORT);
    const desktop = await seriousAxeViolations(page);
    assert.equal(desktop.length, 0, `${what}: ${describeViolations(desktop)}`);
  }

  async function balance(): Promise<number> {
    return (await buyer.credits()).creditsRemaining;
  }

  /** The payment the page is following (`?payment=<id>`), as the API reports it. */
  async function currentPayment(): Promise<Record<string, unknown>> {
    const id = new URL(page.url()).searchParams.get('payment');
    assert.ok(id, `the address names the payment: ${page.url()}`);
    const response = await buyer.request('GET', `/api/payment/payments/${id}`);
    assert.equal(response.status, 200, response.text);
    return response.json;
  }

  test('a new user signs up and sees the packages and the configured providers', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('Buyer');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // Buying needs a verified email.
    await verifyEmailFromMail(platform.mailbox, email);
    // The link was opened elsewhere (as from a mail app): a reload shows the account as verified.
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    buyer = new ApiClient(platform.apiUrl);
    const login = await buyer.request('POST', '/api/auth/login', { email, password: PASSWORD });
    assert.equal(login.status, 200, login.text);
    buyer.accessToken = login.json['accessToken'] as string;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buy credits' }).click();
    await page.getByRole('heading', { name: 'Buy credits', level: 1 }).waitFor();
    const packages = page.getByRole('group', { name: 'Package' });
    await packages.getByRole('radio', { name: /^Pro/ }).waitFor();
    assert.equal(await packages.getByRole('radio').count(), 3);
    const pro =
      (await packages.locator('label', { has: page.getByRole('radio', { name: /^Pro/ }) }).textContent()) ?? '';
    assert.match(pro, /180 minutes\s*\$50\.00\s*\$0\.28 per minute\s*Save 17%/);
    const providers = page.getByRole('group', { name: 'Pay with' });
    assert.equal(await providers.getByRole('radio', { name: /PayPal/ }).isEnabled(), true);
    assert.equal(await providers.getByRole('radio', { name: /Razorpay/ }).isEnabled(), true);
    assert.equal(await providers.getByRole('radio', { name: /Stripe/ }).isEnabled(), Boolean(stripeBase));
    await checkPage('Buy credits', 'billing-buy');
    assert.deepEqual(problems, []);
  });

  test('PayPal: the browser approves at PayPal, comes back, and the page shows Paid with exactly 180 minutes more', async () => {
    const start = await balance();
    await page.getByRole('radio', { name: /^Pro/ }).check();
    await page.getByRole('radio', { name: /PayPal/ }).check();
    await page.getByRole('button', { name: 'Buy Pro for $50.00' }).click();
    // FakePayPal's approve link answers 302 to the return URL, as PayPal does once the buyer approves.
    await page.waitForURL((url) => url.pathname === '/billing/buy' && url.searchParams.has('PayerID'));
    await page.getByText('Paid: 180 minutes added').waitFor();
    await page.getByText(`Your balance: ${credits(start + 180 * 60)}.`).waitFor();
    assert.equal(await balance(), start + 180 * 60, 'the API agrees: exactly the package’s minutes were granted');
    const payment = await currentPayment();
    assert.equal(payment['status'], 'succeeded');
    assert.equal(payment['provider'], 'paypal');
    assert.ok(
      paypal.requests.some((request) => request.method === 'POST' && request.path.endsWith('/capture')),
      'the confirm call captured the order at PayPal',
    );
    await checkPage('PayPal paid', 'billing-paid');
    assert.deepEqual(problems, []);
  });

  test(
    'Stripe: the page waits for Stripe, and a signed payment_intent.succeeded webhook turns it Paid without a reload',
    { skip: noStripeMock },
    async () => {
      const start = await balance();
      await page.getByRole('radio', { name: /^Basic/ }).check();
      await page.getByRole('radio', { name: /Stripe/ }).check();
      await page.getByRole('button', { name: 'Buy Basic for $20.00' }).click();
      await page.getByText('Waiting for Stripe').waitFor();
      await page.getByText('Stripe’s payment form could not be loaded').waitFor();
      const payment = await currentPayment();
      assert.equal(payment['status'], 'pending');
      assert.match(String(payment['providerPaymentId']), /^pi_/);
      await page.getByRole('region', { name: 'Your payment' }).getByText('Pending', { exact: true }).waitFor();
      await saveScreenshot(page, 'billing-stripe-waiting');
      // Marks this document: a reload would lose it.
      await page.evaluate('window.__sameDocument = true');

      const payload = JSON.stringify({
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        api_version: '2026-10-28.endive',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type: 'payment_intent.succeeded',
        data: {
          object: {
            id: payment['providerPaymentId'],
            object: 'payment_intent',
            amount: 2000,
            amount_received: 2000,
            currency: 'usd',
            status: 'succeeded',
            latest_charge: `ch_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
            metadata: { paymentId: payment['id'] },
          },
        },
      });
      const webhook = await fetch(`${platform.apiUrl}/api/payment/webhooks/stripe`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET }),
        },
        body: payload,
      });
      assert.equal(webhook.status, 200, await webhook.clone().text());
      assert.deepEqual(await webhook.json(), { received: true, events: 1 });

      await page.getByText('Paid: 60 minutes added').waitFor({ timeout: 30_000 });
      assert.equal(await page.evaluate('window.__sameDocument === true'), true, 'the page updated without a reload');
      await page.getByText(`Your balance: ${credits(start + 60 * 60)}.`).waitFor();
      assert.equal(await balance(), start + 60 * 60);
      assert.deepEqual(problems, []);
    },
  );

  test('Razorpay: Checkout cannot load, the page waits; a captured payment of the wrong amount goes to review', async () => {
    const start = await balance();
    await page.getByRole('radio', { name: /^Premium/ }).check();
    await page.getByRole('radio', { name: /Razorpay/ }).check();
    await page.getByRole('button', { name: 'Buy Premium for $150.00' }).click();
    await page.getByText('Waiting for Razorpay').waitFor();
    const payment = await currentPayment();
    assert.equal(payment['status'], 'pending');
    const orderId = String(payment['providerPaymentId']);
    assert.equal(razorpay.order(orderId)?.amount, 15000, 'the order is for the package’s price');

    // The buyer pays $1.00 instead of $150.00 (a tampered checkout): captured, but it must grant nothing.
    const paid = razorpay.pay(orderId, { amountMinor: 100 });
    const delivery = razorpay.webhook('payment.captured', { payment: { entity: razorpay.payment(paid.paymentId) } });
    const webhook = await fetch(`${platform.apiUrl}/api/payment/webhooks/razorpay`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    assert.equal(webhook.status, 200, await webhook.clone().text());
    await page.getByText('In review: no credits were added yet').waitFor({ timeout: 30_000 });
    await page.getByText(REVIEW_REASON).waitFor();
    assert.equal(await balance(), start, 'nothing was granted');
    await saveScreenshot(page, 'billing-review');
    assert.deepEqual(problems, []);
  });

  test('Billing history lists every payment with its status, and the balance', async () => {
    await page.getByRole('link', { name: 'Billing history' }).click();
    await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Your payments, newest first' });
    const rows = table.locator('tbody tr');
    await rows.first().waitFor();
    const expected = [
      { name: 'Premium', amount: '$150.00', status: 'In review' },
      ...(stripeBase ? [{ name: 'Basic', amount: '$20.00', status: 'Paid' }] : []),
      { name: 'Pro', amount: '$50.00', status: 'Paid' },
    ];
    assert.equal(await rows.count(), expected.length);
    for (const [index, row] of expected.entries()) {
      const text = (await rows.nth(index).textContent()) ?? '';
      assert.ok(text.includes(row.name) && text.includes(row.amount) && text.includes(row.status), text);
    }
    await page.getByText(credits(await balance()), { exact: true }).waitFor();
    await checkPage('Billing history', 'billing-history');
    assert.deepEqual(problems, []);
  });

  test('the admin Payments page lists the payment in review first, with its reason', async () => {
    const admin = await openPage(browser, platform.apiUrl);
    try {
      // Enrolment through the API, in the browser's own cookie jar: the confirm opens a session that passed MFA.
      const login = await admin.context.request.post('/api/auth/login', {
        data: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      });
      assert.equal(login.status(), 200, await login.text());
      const authorization = `Bearer ${((await login.json()) as { accessToken: string }).accessToken}`;
      const enrol = await admin.context.request.post('/api/admin/mfa/enrol', { headers: { authorization } });
      assert.equal(enrol.status(), 200, await enrol.text());
      const { secret } = (await enrol.json()) as { secret: string };
      // A code well inside its 30 s step, so it is still valid when it arrives.
      const remaining = 30_000 - (Date.now() % 30_000);
      if (remaining < 5_000) await sleep(remaining + 100);
      const confirm = await admin.context.request.post('/api/admin/mfa/confirm', {
        headers: { authorization },
        data: { code: TOTP.generate({ secret: Secret.fromBase32(secret) }) },
      });
      assert.equal(confirm.status(), 200, await confirm.text());

      page = admin.page;
      await page.goto('/admin/payments');
      await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
      assert.equal(await page.getByLabel('Status').inputValue(), 'review');
      const table = page.getByRole('table', { name: 'Payments, newest first' });
      await table.getByText('In review').waitFor();
      assert.equal(await table.locator('tbody tr').count(), 1, 'only the payment in review');
      const row = (await table.locator('tbody tr').first().textContent()) ?? '';
      assert.match(row, /Premium/);
      assert.ok(row.includes(REVIEW_REASON), `the review reason is shown: ${row}`);
      await checkPage('admin Payments', 'admin-payments');

      await page.getByLabel('Status').selectOption('all');
      await page.getByRole('button', { name: 'Show' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^\d+ payments$/ })
        .waitFor();
      assert.equal(await table.locator('tbody tr').count(), stripeBase ? 3 : 2);
      assert.deepEqual(admin.problems, []);
    } finally {
      await admin.context.close();
    }
  });
});
