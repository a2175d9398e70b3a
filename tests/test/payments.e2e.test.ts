import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { creditLedger, getCreditSummary, listAllPayments, payments, type Payment } from '@voice/db';
import { PAYMENT_EVENT_WORKFLOW_TYPE, workflowIdForPaymentEvent, type VerifiedPaymentEvent } from '@voice/shared';
import { FakePayPal, FakeRazorpay, waitForMail, type FakeDelivery } from '@voice/testkit';
import { resolveSecretBox } from '@voice/runtime';
import { createCpuWorker, retentionOptionsFromEnv, webhookOptionsFromEnv } from '@voice/worker';
import { ApiClient, type JsonBody } from '../src/api-client';
import { startTestPlatform, type TestPlatform } from '../src/platform-harness';

/**
 * Payments end to end on the real platform (Temporal dev server, the CPU worker running the fulfilment workflow,
 * PostgreSQL): Razorpay and PayPal against local FAKES of their REST APIs (their networks cannot be reached
 * here), Stripe against stripe-mock with events signed by the SDK. Every case ends with the ledger's sum equal
 * to the balance, and the credits granted exactly once.
 */
const stripeBase = process.env['TEST_STRIPE_API_BASE'];
const STRIPE_WEBHOOK_SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
const BASIC_CREDITS = 60 * 60;
const PRO_CREDITS = 180 * 60;
const FREE = 1800;

describe('payments: packages, confirm and webhooks, granted exactly once', { timeout: 600_000 }, () => {
  let platform: TestPlatform;
  let razorpay: FakeRazorpay;
  let paypal: FakePayPal;

  before(async () => {
    [razorpay, paypal] = await Promise.all([FakeRazorpay.start(), FakePayPal.start()]);
    platform = await startTestPlatform(
      {
        FREE_CREDIT_SECONDS: String(FREE),
        // Every case signs up a buyer or two from this one address.
        AUTH_RATE_LIMIT: '100',
        RAZORPAY_KEY_ID: razorpay.keyId,
        RAZORPAY_KEY_SECRET: razorpay.keySecret,
        RAZORPAY_WEBHOOK_SECRET: razorpay.webhookSecret,
        RAZORPAY_API_BASE: razorpay.baseUrl,
        PAYPAL_CLIENT_ID: paypal.clientId,
        PAYPAL_CLIENT_SECRET: paypal.clientSecret,
        PAYPAL_WEBHOOK_ID: paypal.webhookId,
        PAYPAL_API_BASE: paypal.baseUrl,
        ...(stripeBase ? { STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE: stripeBase } : {}),
      },
      { embeddedGpuWorker: false, embeddedMediaWorker: false },
    );
  });

  after(async () => {
    await platform?.close();
    await Promise.all([razorpay?.stop(), paypal?.stop()]);
  });

  async function buyer(): Promise<{ api: ApiClient; userId: string; email: string }> {
    const api = platform.api();
    const email = `buyer-${randomUUID()}@example.com`;
    await api.register(email);
    const me = await api.request('GET', '/api/user/me');
    return { api, userId: me.json['id'] as string, email };
  }

  async function createIntent(api: ApiClient, packageId: string, provider: string, key = randomUUID()) {
    const response = await api.request(
      'POST',
      '/api/payment/create-intent',
      { packageId, provider },
      {
        'idempotency-key': key,
      },
    );
    assert.equal(response.status, 201, response.text);
    return response.json as { payment: JsonBody & { id: string; providerPaymentId: string }; client: JsonBody };
  }

  function deliver(provider: string, delivery: FakeDelivery) {
    return fetch(`${platform.apiUrl}/api/payment/webhooks/${provider}`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
  }

  /** Waits until the payment leaves `pending` (webhooks are applied by the workflow after the 200). */
  async function settled(paymentId: string): Promise<Payment> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [row] = await platform.database.db.select().from(payments).where(eq(payments.id, paymentId));
      if (row && row.status !== 'pending') return row;
      if (Date.now() > deadline) throw new Error(`payment ${paymentId} still pending`);
      await sleep(100);
    }
  }

  async function ledgerOf(userId: string) {
    const summary = await getCreditSummary(platform.database.db, userId);
    assert.ok(summary);
    assert.equal(summary.ledgerSum, summary.balance, 'the ledger sums to the balance');
    assert.ok(summary.balance >= 0);
    const purchases = await platform.database.db.select().from(creditLedger).where(eq(creditLedger.userId, userId));
    return { balance: summary.balance, purchases: purchases.filter((entry) => entry.kind === 'purchase') };
  }

  function razorpayCaptured(orderId: string, paymentId: string): FakeDelivery {
    const entity = razorpay.payment(paymentId);
    assert.ok(entity);
    return razorpay.webhook('payment.captured', { payment: { entity } });
  }

  test('the seed packages are listed with the configured providers; bad requests are 400 and write nothing', async () => {
    const { api, userId } = await buyer();
    const listed = await api.request('GET', '/api/payment/packages');
    assert.equal(listed.status, 200);
    const packagesListed = listed.json['packages'] as Array<{ id: string; minutes: number; priceMinor: number }>;
    assert.deepEqual(
      packagesListed.map(({ id, minutes, priceMinor }) => [id, minutes, priceMinor]),
      [
        ['basic', 60, 2000],
        ['pro', 180, 5000],
        ['premium', 600, 15000],
      ],
    );
    const providers = listed.json['providers'] as Array<{ provider: string; available: boolean }>;
    assert.deepEqual(
      providers.filter((entry) => entry.available).map((entry) => entry.provider),
      stripeBase ? ['stripe', 'razorpay', 'paypal'] : ['razorpay', 'paypal'],
    );

    const unknownPackage = await api.request('POST', '/api/payment/create-intent', {
      packageId: 'mega',
      provider: 'razorpay',
    });
    assert.equal(unknownPackage.status, 400);
    assert.equal((unknownPackage.json['error'] as JsonBody)['code'], 'UNKNOWN_PACKAGE');
    const unknownProvider = await api.request('POST', '/api/payment/create-intent', {
      packageId: 'basic',
      provider: 'bitcoin',
    });
    assert.equal(unknownProvider.status, 400);
    const madeUp = await api.request('POST', '/api/payment/confirm', { paymentId: randomUUID() });
    assert.equal(madeUp.status, 404);
    assert.equal((madeUp.json['error'] as JsonBody)['code'], 'PAYMENT_NOT_FOUND');
    const rows = await platform.database.db.select().from(payments).where(eq(payments.userId, userId));
    assert.equal(rows.length, 0);
    assert.equal((await ledgerOf(userId)).balance, FREE);

    // An unverified account cannot buy.
    // No mailbox: register() cannot open the verification link.
    const unverified = new ApiClient(platform.apiUrl);
    const email = `unverified-${randomUUID()}@example.com`;
    await unverified.register(email);
    const refused = await unverified.request('POST', '/api/payment/create-intent', {
      packageId: 'basic',
      provider: 'razorpay',
    });
    assert.equal(refused.status, 403);
    assert.equal((refused.json['error'] as JsonBody)['code'], 'EMAIL_NOT_VERIFIED');
  });

  test('Razorpay: confirm verifies the signature and grants once; replayed webhooks and a retried intent change nothing', async () => {
    const { api, userId, email } = await buyer();
    const key = randomUUID();
    const intent = await createIntent(api, 'basic', 'razorpay', key);
    assert.equal(intent.client['keyId'], razorpay.keyId);
    assert.equal(intent.client['amountMinor'], 2000);
    // The same Idempotency-Key: the same payment and order, no second order at Razorpay.
    const again = await createIntent(api, 'basic', 'razorpay', key);
    assert.equal(again.payment.id, intent.payment.id);
    assert.equal(again.client['orderId'], intent.client['orderId']);
    const reused = await api.request(
      'POST',
      '/api/payment/create-intent',
      { packageId: 'pro', provider: 'razorpay' },
      { 'idempotency-key': key },
    );
    assert.equal(reused.status, 422);
    assert.equal((reused.json['error'] as JsonBody)['code'], 'IDEMPOTENCY_KEY_REUSED');

    const orderId = intent.client['orderId'] as string;
    const paid = razorpay.pay(orderId);
    const forged = await api.request('POST', '/api/payment/confirm', {
      paymentId: intent.payment.id,
      razorpayPaymentId: paid.paymentId,
      razorpaySignature: 'f'.repeat(64),
    });
    assert.equal(forged.status, 400);
    assert.equal((await ledgerOf(userId)).balance, FREE, 'a forged signature grants nothing');

    const confirmed = await api.request('POST', '/api/payment/confirm', {
      paymentId: intent.payment.id,
      razorpayPaymentId: paid.paymentId,
      razorpaySignature: paid.signature,
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.json['paid'], true);
    assert.equal(confirmed.json['balance'], FREE + BASIC_CREDITS);

    const delivery = razorpayCaptured(orderId, paid.paymentId);
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver('razorpay', delivery)));
    assert.deepEqual(
      responses.map((response) => response.status),
      Array.from({ length: 10 }, () => 200),
    );
    await sleep(500);
    const ledger = await ledgerOf(userId);
    assert.equal(ledger.balance, FREE + BASIC_CREDITS);
    assert.equal(ledger.purchases.length, 1);

    // One receipt, to the buyer, naming the package and the amount.
    const [receipt] = await waitForMail(platform.mailbox, email, { subject: /receipt/i });
    assert.match(receipt?.text ?? '', /\$20\.00/);
    assert.match(receipt?.text ?? '', new RegExp(intent.payment.id));
    await sleep(500);
    assert.equal((await platform.mailbox.list(email)).filter((mail) => /receipt/i.test(mail.subject)).length, 1);
  });

  test('confirm and webhook racing, 50 times: each payment is granted exactly once', async () => {
    const { api, userId } = await buyer();
    const outcomes = [];
    for (let i = 0; i < 50; i++) {
      const intent = await createIntent(api, 'basic', 'razorpay');
      const orderId = intent.client['orderId'] as string;
      const paid = razorpay.pay(orderId);
      const delivery = razorpayCaptured(orderId, paid.paymentId);
      const [confirm, webhook] = await Promise.all([
        api.request('POST', '/api/payment/confirm', {
          paymentId: intent.payment.id,
          razorpayPaymentId: paid.paymentId,
          razorpaySignature: paid.signature,
        }),
        deliver('razorpay', delivery),
      ]);
      outcomes.push([confirm.status, webhook.status, confirm.json['paid']]);
    }
    assert.ok(
      outcomes.every(([confirm, webhook, paid]) => confirm === 200 && webhook === 200 && paid === true),
      JSON.stringify(outcomes),
    );
    const ledger = await ledgerOf(userId);
    assert.equal(ledger.purchases.length, 50);
    assert.equal(new Set(ledger.purchases.map((entry) => entry.idempotencyKey)).size, 50);
    assert.equal(ledger.balance, FREE + 50 * BASIC_CREDITS);
  });

  test('forged, missing and foreign events grant nothing; a mismatched amount goes to review', async () => {
    const { api, userId } = await buyer();
    const intent = await createIntent(api, 'pro', 'razorpay');
    const orderId = intent.client['orderId'] as string;
    const paid = razorpay.pay(orderId);
    const genuine = razorpayCaptured(orderId, paid.paymentId);

    const forged = await deliver('razorpay', {
      body: genuine.body,
      headers: { ...genuine.headers, 'x-razorpay-signature': '0'.repeat(64) },
    });
    assert.equal(forged.status, 400);
    const missing = await deliver('razorpay', {
      body: genuine.body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(missing.status, 400);
    const tampered = await deliver('razorpay', {
      body: genuine.body.replace('"amount":5000', '"amount":500000'),
      headers: genuine.headers,
    });
    assert.equal(tampered.status, 400);

    // Someone else's payment on the same Razorpay account: validly signed, acknowledged, applied to nobody.
    const stranger = await buyer();
    const theirs = await createIntent(stranger.api, 'basic', 'razorpay');
    const ownedByStranger = await api.request('POST', '/api/payment/confirm', { paymentId: theirs.payment.id });
    assert.equal(ownedByStranger.status, 404, 'one user cannot confirm another user’s payment');
    const foreignOrder = razorpay.webhook('payment.captured', {
      payment: { entity: { ...razorpay.payment(paid.paymentId), order_id: 'order_NotOurs0000001' } },
    });
    assert.equal((await deliver('razorpay', foreignOrder)).status, 200);
    await sleep(500);
    assert.equal((await ledgerOf(userId)).balance, FREE);
    assert.equal((await ledgerOf(stranger.userId)).balance, FREE);

    // Paid one cent short: nothing granted, the payment waits in review where an admin sees it.
    const shortIntent = await createIntent(api, 'pro', 'razorpay');
    const shortOrder = shortIntent.client['orderId'] as string;
    const short = razorpay.pay(shortOrder, { amountMinor: 4999 });
    const confirmed = await api.request('POST', '/api/payment/confirm', {
      paymentId: shortIntent.payment.id,
      razorpayPaymentId: short.paymentId,
      razorpaySignature: short.signature,
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.json['paid'], false);
    assert.equal((confirmed.json['payment'] as JsonBody)['status'], 'review');
    const review = await listAllPayments(platform.database.db, { limit: 100, status: 'review' });
    assert.ok(review.payments.some((row) => row.id === shortIntent.payment.id));
    assert.equal((await ledgerOf(userId)).balance, FREE);
  });

  test('a Razorpay refund takes back the unused part once, however often it is delivered', async () => {
    const { api, userId } = await buyer();
    const intent = await createIntent(api, 'pro', 'razorpay');
    const orderId = intent.client['orderId'] as string;
    const paid = razorpay.pay(orderId);
    assert.equal((await deliver('razorpay', razorpayCaptured(orderId, paid.paymentId))).status, 200);
    assert.equal((await settled(intent.payment.id)).status, 'succeeded');
    const refund = razorpay.refund(paid.paymentId, 2500);
    for (let i = 0; i < 3; i++) assert.equal((await deliver('razorpay', refund)).status, 200);
    const deadline = Date.now() + 30_000;
    let row: Payment | undefined;
    while (Date.now() < deadline) {
      [row] = await platform.database.db.select().from(payments).where(eq(payments.id, intent.payment.id));
      if (row?.status === 'partially_refunded') break;
      await sleep(100);
    }
    assert.equal(row?.status, 'partially_refunded');
    assert.equal(row?.refundedMinor, 2500);
    assert.equal(row?.creditsReversed, PRO_CREDITS / 2);
    await sleep(300);
    assert.equal((await ledgerOf(userId)).balance, FREE + PRO_CREDITS / 2);
  });

  test('PayPal: approve, then confirm captures and grants; the capture webhook afterwards changes nothing', async () => {
    const { api, userId } = await buyer();
    const intent = await createIntent(api, 'pro', 'paypal');
    const orderId = intent.client['orderId'] as string;
    assert.match(String(intent.client['approveUrl']), /^http/);
    const early = await api.request('POST', '/api/payment/confirm', { paymentId: intent.payment.id });
    assert.equal(early.status, 200);
    assert.equal(early.json['paid'], false, 'not approved yet: nothing taken, nothing granted');
    paypal.approve(orderId);
    const confirmed = await api.request('POST', '/api/payment/confirm', { paymentId: intent.payment.id });
    assert.equal(confirmed.json['paid'], true, confirmed.text);
    assert.equal(confirmed.json['balance'], FREE + PRO_CREDITS);
    const order = paypal.order(orderId) as { purchase_units: Array<{ payments: { captures: Array<{ id: string }> } }> };
    const captureId = order.purchase_units[0]!.payments.captures[0]!.id;
    const completed = paypal.webhook('PAYMENT.CAPTURE.COMPLETED', {
      ...paypal.capture(captureId),
      supplementary_data: { related_ids: { order_id: orderId } },
    });
    assert.equal((await deliver('paypal', completed)).status, 200);
    const refund = paypal.refund(captureId, 5000);
    assert.equal((await deliver('paypal', refund)).status, 200);
    assert.equal(
      (await deliver('paypal', { ...refund, headers: { ...refund.headers, 'paypal-transmission-sig': 'AAAA' } }))
        .status,
      400,
    );
    const deadline = Date.now() + 30_000;
    while ((await settled(intent.payment.id)).status !== 'refunded' && Date.now() < deadline) await sleep(100);
    const ledger = await ledgerOf(userId);
    assert.equal(ledger.purchases.length, 1);
    assert.equal(ledger.balance, FREE, 'a full refund of unspent credits takes all of them back');
  });

  test('Stripe (stripe-mock): a client secret, then signed events grant, refund and dispute', async (t) => {
    if (!stripeBase) {
      t.skip('stripe-mock is not available (TEST_STRIPE_UNAVAILABLE)');
      return;
    }
    const { api, userId } = await buyer();
    const intent = await createIntent(api, 'basic', 'stripe');
    assert.match(String(intent.client['clientSecret']), /_secret_/);
    const paymentIntentId = intent.payment.providerPaymentId;
    // stripe-mock is stateless: the PaymentIntent it returns is never "succeeded", so confirm reports not paid.
    const notYet = await api.request('POST', '/api/payment/confirm', { paymentId: intent.payment.id });
    assert.equal(notYet.json['paid'], false);

    const signed = (event: Record<string, unknown>, timestamp?: number) => {
      const payload = JSON.stringify({
        id: `evt_${randomUUID()}`,
        object: 'event',
        api_version: '2026-10-28.endive',
        ...event,
      });
      return {
        body: payload,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({
            payload,
            secret: STRIPE_WEBHOOK_SECRET,
            ...(timestamp ? { timestamp } : {}),
          }),
        },
      };
    };
    const succeeded = signed({
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: paymentIntentId,
          object: 'payment_intent',
          amount: 2000,
          amount_received: 2000,
          currency: 'usd',
          status: 'succeeded',
          latest_charge: 'ch_test_1',
        },
      },
    });
    const stale = signed(JSON.parse(succeeded.body) as Record<string, unknown>, Math.floor(Date.now() / 1000) - 3600);
    assert.equal((await deliver('stripe', stale)).status, 400, 'outside the timestamp tolerance');
    for (let i = 0; i < 3; i++) assert.equal((await deliver('stripe', succeeded)).status, 200);
    assert.equal((await settled(intent.payment.id)).status, 'succeeded');
    await sleep(300);
    assert.equal((await ledgerOf(userId)).balance, FREE + BASIC_CREDITS);

    const refunded = signed({
      type: 'charge.refunded',
      data: {
        object: {
          id: 'ch_test_1',
          object: 'charge',
          amount: 2000,
          amount_refunded: 1000,
          currency: 'usd',
          payment_intent: paymentIntentId,
          refunded: false,
        },
      },
    });
    assert.equal((await deliver('stripe', refunded)).status, 200);
    const disputed = signed({
      type: 'charge.dispute.created',
      data: {
        object: {
          id: 'dp_test_1',
          object: 'dispute',
          amount: 1000,
          currency: 'usd',
          charge: 'ch_test_1',
          payment_intent: paymentIntentId,
        },
      },
    });
    assert.equal((await deliver('stripe', disputed)).status, 200);
    const deadline = Date.now() + 30_000;
    let row = await settled(intent.payment.id);
    while (row.status !== 'disputed' && Date.now() < deadline) {
      await sleep(100);
      row = await settled(intent.payment.id);
    }
    assert.equal(row.status, 'disputed');
    assert.equal(row.refundedMinor, 1000);
    assert.equal(row.disputedMinor, 1000);
    assert.equal((await ledgerOf(userId)).balance, FREE);
  });

  test('an event recorded while no worker runs is granted once a worker comes back', async () => {
    const { api, userId } = await buyer();
    const intent = await createIntent(api, 'basic', 'razorpay');
    const orderId = intent.client['orderId'] as string;
    const paid = razorpay.pay(orderId);
    const event: VerifiedPaymentEvent = {
      kind: 'paid',
      provider: 'razorpay',
      providerPaymentId: orderId,
      captureId: paid.paymentId,
      amountMinor: 2000,
      currency: 'usd',
      via: 'webhook',
    };
    // As the webhook does, on a queue no worker polls yet: the API has answered 200, the process then "died".
    const queue = `pay-crash-${randomUUID().slice(0, 8)}`;
    const stored = (await ledgerOf(userId)).balance;
    await platform.client.workflow.start(PAYMENT_EVENT_WORKFLOW_TYPE, {
      taskQueue: queue,
      workflowId: workflowIdForPaymentEvent(event),
      args: [event],
    });
    await sleep(1000);
    assert.equal((await ledgerOf(userId)).balance, stored, 'nothing is granted before a worker runs it');
    const connection = await NativeConnection.connect({ address: platform.temporalAddress });
    const worker: Worker = await createCpuWorker({
      connection,
      namespace: platform.env.TEMPORAL_NAMESPACE,
      taskQueue: queue,
      db: platform.database.db,
      maxConcurrentActivities: 2,
      mailer: { description: 'discard', send: () => Promise.resolve(), close: () => Promise.resolve() },
      packages: [],
      publicBaseUrl: platform.apiUrl,
      webhooks: webhookOptionsFromEnv(platform.env, await resolveSecretBox(platform.env)),
      retention: retentionOptionsFromEnv(platform.env, platform.storage),
    });
    const running = worker.run();
    try {
      assert.equal((await settled(intent.payment.id)).status, 'succeeded');
      // The webhook for the same fact afterwards joins the finished run: no second grant.
      assert.equal((await deliver('razorpay', razorpayCaptured(orderId, paid.paymentId))).status, 200);
      await sleep(500);
      const ledger = await ledgerOf(userId);
      assert.equal(ledger.purchases.length, 1);
      assert.equal(ledger.balance, stored + BASIC_CREDITS);
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });
});
