import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { parseEnv } from '@voice/config';
import type { CreditPackage, VerifiedPaymentEvent } from '@voice/shared';
import { type FakeDelivery, FakePayPal, FakeRazorpay } from '@voice/testkit';
import Stripe from 'stripe';

import {
  AmountFormatError,
  currencyExponent,
  decimalToMinor,
  minorToDecimal,
  minorToPayPalValue,
} from '../src/payments/providers/minor-units';
import {
  type CreateOrderInput,
  type PaymentProvider,
  PaymentProviderError,
  WebhookSignatureError,
} from '../src/payments/providers/payment-provider';
import { PayPalPaymentProvider } from '../src/payments/providers/paypal.provider';
import { PaymentEvidenceError } from '../src/payments/providers/provider-errors';
import { paymentProvidersFromEnv } from '../src/payments/providers/providers-from-env';
import { RazorpayPaymentProvider } from '../src/payments/providers/razorpay.provider';
import { StripePaymentProvider } from '../src/payments/providers/stripe.provider';

const inCi = Boolean(process.env['CI']) && process.env['CI'] !== 'false' && process.env['CI'] !== '0';
/** Nothing listens on port 1: a connection there is refused at once. */
const UNREACHABLE = 'http://127.0.0.1:1';

const PRO: CreditPackage = { id: 'pro', name: 'Pro', minutes: 180, priceMinor: 5000, currency: 'usd', discount: 0.17 };
const PRO_INR: CreditPackage = { ...PRO, priceMinor: 49_900, currency: 'inr' };

let orderSequence = 0;
function orderInput(pkg: CreditPackage, overrides: Partial<CreateOrderInput> = {}): CreateOrderInput {
  orderSequence += 1;
  return {
    paymentId: `00000000-0000-4000-8000-${String(orderSequence).padStart(12, '0')}`,
    userId: 'user-1',
    pkg,
    idempotencyKey: `create-${orderSequence}-${Date.now()}`,
    returnUrl: 'https://app.example/billing/return',
    cancelUrl: 'https://app.example/billing/cancel',
    ...overrides,
  };
}

function deliver(provider: PaymentProvider, delivery: FakeDelivery): Promise<VerifiedPaymentEvent[]> {
  return provider.parseWebhook(Buffer.from(delivery.body), delivery.headers);
}

/** A rejection of `promise` that is an instance of `type` and whose message matches `message`. */
async function rejectsWith(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  message?: RegExp,
): Promise<Error> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected a ${type.name}`),
    (error: unknown) => {
      caught = error;
    },
  );
  assert.ok(caught instanceof type, `expected a ${type.name}, got ${String(caught)}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('minor units: provider amounts to integers without floats', () => {
  it('knows the zero- and three-decimal currencies', () => {
    assert.deepEqual(
      ['usd', 'EUR', 'inr', 'jpy', 'KRW', 'clp', 'bhd', 'kwd', 'tnd'].map(currencyExponent),
      [2, 2, 2, 0, 0, 0, 3, 3, 3],
    );
  });

  it('formats minor units as decimal strings', () => {
    assert.equal(minorToDecimal(5000, 'usd'), '50.00');
    assert.equal(minorToDecimal(5, 'usd'), '0.05');
    assert.equal(minorToDecimal(0, 'eur'), '0.00');
    assert.equal(minorToDecimal(500, 'jpy'), '500');
    assert.equal(minorToDecimal(1500, 'kwd'), '1.500');
    assert.equal(minorToDecimal(1, 'bhd'), '0.001');
    assert.throws(() => minorToDecimal(12.5, 'usd'), AmountFormatError);
    assert.throws(() => minorToDecimal(-1, 'usd'), AmountFormatError);
  });

  it('parses decimal strings exactly, including the values floats get wrong', () => {
    const cases: Array<[string, string, number]> = [
      ['50.00', 'usd', 5000],
      ['50', 'usd', 5000],
      ['50.5', 'usd', 5050],
      // 0.29 * 100 === 28.999999999999996 and 19.99 * 100 === 1998.9999999999998 in floating point.
      ['0.29', 'usd', 29],
      ['19.99', 'USD', 1999],
      ['1.005', 'kwd', 1005],
      ['0.1', 'bhd', 100],
      ['500', 'jpy', 500],
      ['500.00', 'jpy', 500],
      ['1500', 'huf', 150_000],
      ['90071992547409.91', 'usd', Number.MAX_SAFE_INTEGER],
    ];
    for (const [value, currency, expected] of cases) {
      assert.equal(decimalToMinor(value, currency), expected, `${value} ${currency}`);
    }
  });

  it('refuses what would need rounding, is not a plain decimal, or does not fit an integer', () => {
    for (const [value, currency] of [
      ['50.001', 'usd'],
      ['500.5', 'jpy'],
      ['1.0005', 'kwd'],
      ['-1.00', 'usd'],
      ['1e3', 'usd'],
      ['.50', 'usd'],
      ['', 'usd'],
      ['5,00', 'eur'],
      ['90071992547409.92', 'usd'],
    ] as const) {
      assert.throws(() => decimalToMinor(value, currency), AmountFormatError, `${value} ${currency}`);
    }
  });

  it('round-trips every amount through its decimal form', () => {
    for (const currency of ['usd', 'jpy', 'kwd']) {
      for (let minor = 0; minor < 3000; minor += 7) {
        assert.equal(decimalToMinor(minorToDecimal(minor, currency), currency), minor);
      }
      const large = Number.MAX_SAFE_INTEGER - 12_345;
      assert.equal(decimalToMinor(minorToDecimal(large, currency), currency), large);
    }
  });

  it('writes the values PayPal takes: two decimals, whole units for HUF, TWD and JPY', () => {
    assert.equal(minorToPayPalValue(5000, 'usd'), '50.00');
    assert.equal(minorToPayPalValue(500, 'jpy'), '500');
    assert.equal(minorToPayPalValue(150_000, 'huf'), '1500');
    assert.throws(() => minorToPayPalValue(150_050, 'huf'), AmountFormatError);
  });
});

describe('paymentProvidersFromEnv', () => {
  const base = { NODE_ENV: 'test' };

  it('offers nothing without keys and names what each provider lacks', () => {
    const { providers, unavailable } = paymentProvidersFromEnv(parseEnv(base));
    assert.equal(providers.size, 0);
    assert.deepEqual(unavailable, [
      { provider: 'stripe', missing: ['STRIPE_SECRET_KEY'] },
      { provider: 'razorpay', missing: ['RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET'] },
      { provider: 'paypal', missing: ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET'] },
    ]);
  });

  it('needs both halves of a key pair', () => {
    const { providers, unavailable } = paymentProvidersFromEnv(
      parseEnv({ ...base, RAZORPAY_KEY_ID: 'rzp_test_1', PAYPAL_CLIENT_SECRET: 'secret' }),
    );
    assert.equal(providers.size, 0);
    assert.deepEqual(unavailable.slice(1), [
      { provider: 'razorpay', missing: ['RAZORPAY_KEY_SECRET'] },
      { provider: 'paypal', missing: ['PAYPAL_CLIENT_ID'] },
    ]);
  });

  it('offers every provider whose keys are set, webhook secrets or not', () => {
    const { providers, unavailable } = paymentProvidersFromEnv(
      parseEnv({
        ...base,
        STRIPE_SECRET_KEY: 'sk_test_123',
        RAZORPAY_KEY_ID: 'rzp_test_1',
        RAZORPAY_KEY_SECRET: 'rzp-secret',
        PAYPAL_CLIENT_ID: 'client',
        PAYPAL_CLIENT_SECRET: 'secret',
        PAYPAL_MODE: 'live',
      }),
    );
    assert.deepEqual([...providers.keys()], ['stripe', 'razorpay', 'paypal']);
    for (const [name, provider] of providers) assert.equal(provider.name, name);
    assert.deepEqual(unavailable, []);
  });

  it('refuses webhooks of a provider whose webhook secret is not set, naming the variable', async () => {
    const { providers } = paymentProvidersFromEnv(
      parseEnv({
        ...base,
        STRIPE_SECRET_KEY: 'sk_test_123',
        RAZORPAY_KEY_ID: 'rzp_test_1',
        RAZORPAY_KEY_SECRET: 'rzp-secret',
        PAYPAL_CLIENT_ID: 'client',
        PAYPAL_CLIENT_SECRET: 'secret',
      }),
    );
    const body = Buffer.from('{}');
    for (const [name, variable] of [
      ['stripe', 'STRIPE_WEBHOOK_SECRET'],
      ['razorpay', 'RAZORPAY_WEBHOOK_SECRET'],
      ['paypal', 'PAYPAL_WEBHOOK_ID'],
    ] as const) {
      const provider = providers.get(name);
      assert.ok(provider);
      await rejectsWith(provider.parseWebhook(body, {}), WebhookSignatureError, new RegExp(`${variable} is not set`));
    }
  });
});

const stripeBase = process.env['TEST_STRIPE_API_BASE'];
const noStripeMock = stripeBase
  ? false
  : `stripe-mock unavailable: ${process.env['TEST_STRIPE_UNAVAILABLE'] ?? 'TEST_STRIPE_API_BASE is not set (run through scripts/test.mjs)'}`;

describe('StripePaymentProvider against stripe-mock', { skip: inCi ? false : noStripeMock }, () => {
  // stripe-mock takes any key of test-mode shape and answers fixtures; it keeps no state.
  const secretKey = 'sk_test_123';
  const provider = (overrides: Partial<ConstructorParameters<typeof StripePaymentProvider>[0]> = {}) =>
    new StripePaymentProvider({ secretKey, apiBase: stripeBase, maxNetworkRetries: 0, ...overrides });

  before(() => {
    // In CI scripts/test.mjs refuses to run without it, so this only fires if that wiring breaks.
    assert.ok(stripeBase, `stripe-mock is required in CI: ${String(noStripeMock)}`);
  });

  it('creates a PaymentIntent and hands out its client secret (and the publishable key when configured)', async () => {
    const created = await provider({ publishableKey: 'pk_test_abc' }).createOrder(orderInput(PRO));
    assert.match(created.providerPaymentId, /^pi_\w+$/);
    assert.ok(created.client.provider === 'stripe');
    assert.equal(created.client.paymentIntentId, created.providerPaymentId);
    assert.match(created.client.clientSecret, /^pi_\w+_secret_\w+$/);
    assert.equal(created.client.publishableKey, 'pk_test_abc');

    const again = await provider().clientDataFor(created.providerPaymentId, PRO);
    assert.ok(again.provider === 'stripe');
    assert.equal(again.paymentIntentId, created.providerPaymentId);
    assert.match(again.clientSecret, /_secret_/);
    assert.equal('publishableKey' in again, false);
  });

  it('confirms nothing while the PaymentIntent has not succeeded', async () => {
    // stripe-mock's retrieve fixture is a PaymentIntent still waiting for a payment method.
    const verdict = await provider().confirm('pi_123', {});
    assert.deepEqual(verdict, { paid: false, providerStatus: 'requires_payment_method', failed: false });
  });

  it('reports a refused key as a 401 without quoting the key', async () => {
    const badKey = 'not-a-stripe-key-0123456789';
    const error = await rejectsWith(
      provider({ secretKey: badKey }).confirm('pi_123', {}),
      PaymentProviderError,
      /refused.*API key/,
    );
    assert.equal((error as PaymentProviderError).status, 401);
    assert.equal((error as PaymentProviderError).provider, 'stripe');
    assert.ok(!error.message.includes(badKey));
  });

  it('reports an unreachable Stripe as a provider error without a status', async () => {
    const error = await rejectsWith(
      provider({ apiBase: UNREACHABLE }).createOrder(orderInput(PRO)),
      PaymentProviderError,
      /could not be reached/,
    );
    assert.equal((error as PaymentProviderError).status, undefined);
  });
});

describe('StripePaymentProvider webhooks (signed like Stripe signs them)', () => {
  const webhookSecret = 'whsec_test_secret_0123456789';
  const provider = new StripePaymentProvider({ secretKey: 'sk_test_123', webhookSecret, apiBase: UNREACHABLE });

  function signed(event: Record<string, unknown>, options: { secret?: string; timestamp?: number } = {}) {
    const payload = JSON.stringify({
      id: `evt_${orderSequence++}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      ...event,
    });
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? webhookSecret,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    });
    return { body: Buffer.from(payload), headers: { 'stripe-signature': header } as IncomingHttpHeaders };
  }
  const succeeded = {
    type: 'payment_intent.succeeded',
    data: {
      object: {
        id: 'pi_3Paid',
        object: 'payment_intent',
        amount: 5000,
        amount_received: 5000,
        currency: 'usd',
        status: 'succeeded',
        latest_charge: 'ch_3Paid',
        metadata: { paymentId: 'p-1' },
      },
    },
  };

  it('turns payment_intent.succeeded into a paid event with the amount received', async () => {
    const { body, headers } = signed(succeeded);
    assert.deepEqual(await provider.parseWebhook(body, headers), [
      {
        kind: 'paid',
        provider: 'stripe',
        providerPaymentId: 'pi_3Paid',
        captureId: 'ch_3Paid',
        amountMinor: 5000,
        currency: 'usd',
        via: 'webhook',
      },
    ]);
  });

  it('names each refund state by the running total charge.refunded reports', async () => {
    const refunded = (total: number) =>
      signed({
        type: 'charge.refunded',
        data: {
          object: {
            id: 'ch_3Paid',
            object: 'charge',
            amount: 5000,
            amount_refunded: total,
            currency: 'USD',
            payment_intent: 'pi_3Paid',
            refunded: total === 5000,
          },
        },
      });
    const partial = refunded(2000);
    const full = refunded(5000);
    const first = await provider.parseWebhook(partial.body, partial.headers);
    const second = await provider.parseWebhook(full.body, full.headers);
    assert.deepEqual(first, [
      {
        kind: 'refund',
        provider: 'stripe',
        providerPaymentId: 'pi_3Paid',
        captureId: 'ch_3Paid',
        refundId: 'ch_3Paid:2000',
        amountMinor: 2000,
        amountIs: 'total_refunded',
        currency: 'usd',
      },
    ]);
    assert.equal(second[0]?.kind === 'refund' && second[0].refundId, 'ch_3Paid:5000');
  });

  it('turns charge.dispute.created into a dispute of the disputed amount', async () => {
    const { body, headers } = signed({
      type: 'charge.dispute.created',
      data: {
        object: {
          id: 'dp_1',
          object: 'dispute',
          amount: 5000,
          currency: 'usd',
          charge: 'ch_3Paid',
          payment_intent: 'pi_3Paid',
          reason: 'fraudulent',
          status: 'needs_response',
        },
      },
    });
    assert.deepEqual(await provider.parseWebhook(body, headers), [
      {
        kind: 'dispute',
        provider: 'stripe',
        providerPaymentId: 'pi_3Paid',
        captureId: 'ch_3Paid',
        refundId: 'dp_1',
        amountMinor: 5000,
        amountIs: 'this_refund',
        currency: 'usd',
      },
    ]);
  });

  it('verifies, then ignores, event types it does not act on', async () => {
    const { body, headers } = signed({
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    assert.deepEqual(await provider.parseWebhook(body, headers), []);
  });

  it('refuses a forged, altered, unsigned or stale delivery', async () => {
    const forged = signed(succeeded, { secret: 'whsec_someone_else' });
    await rejectsWith(provider.parseWebhook(forged.body, forged.headers), WebhookSignatureError, /does not verify/);

    const genuine = signed(succeeded);
    const altered = Buffer.from(
      genuine.body.toString('utf8').replace('"amount_received":5000', '"amount_received":9000'),
    );
    await rejectsWith(provider.parseWebhook(altered, genuine.headers), WebhookSignatureError);

    await rejectsWith(
      provider.parseWebhook(genuine.body, {}),
      WebhookSignatureError,
      /Stripe-Signature header is missing/,
    );

    // Signed ten minutes ago: outside the 300 s tolerance, so a replayed capture is refused.
    const stale = signed(succeeded, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    await rejectsWith(provider.parseWebhook(stale.body, stale.headers), WebhookSignatureError, /tolerance/i);
  });
});

describe('RazorpayPaymentProvider against FakeRazorpay', () => {
  let fake: FakeRazorpay;
  let provider: RazorpayPaymentProvider;
  before(async () => {
    fake = await FakeRazorpay.start();
    provider = new RazorpayPaymentProvider({
      keyId: fake.keyId,
      keySecret: fake.keySecret,
      webhookSecret: fake.webhookSecret,
      apiBase: fake.baseUrl,
    });
  });
  after(() => fake.stop());

  async function newOrder(pkg = PRO_INR): Promise<string> {
    return (await provider.createOrder(orderInput(pkg))).providerPaymentId;
  }

  it('creates an order in upper-case currency with our payment id as receipt, and the key id for Checkout', async () => {
    const input = orderInput(PRO_INR);
    const created = await provider.createOrder(input);
    assert.match(created.providerPaymentId, /^order_\w{14}$/);
    assert.deepEqual(created.client, {
      provider: 'razorpay',
      orderId: created.providerPaymentId,
      keyId: fake.keyId,
      amountMinor: 49_900,
      currency: 'inr',
    });
    const order = fake.order(created.providerPaymentId);
    assert.equal(order?.currency, 'INR');
    assert.equal(order?.receipt, input.paymentId);
    assert.deepEqual(order?.notes, { paymentId: input.paymentId, userId: 'user-1', packageId: 'pro' });
    assert.deepEqual(await provider.clientDataFor(created.providerPaymentId, PRO_INR), created.client);
  });

  it('confirms a captured payment with the amount Razorpay captured', async () => {
    const orderId = await newOrder();
    const { paymentId, signature } = fake.pay(orderId);
    assert.deepEqual(await provider.confirm(orderId, { razorpayPaymentId: paymentId, razorpaySignature: signature }), {
      paid: true,
      event: {
        kind: 'paid',
        provider: 'razorpay',
        providerPaymentId: orderId,
        captureId: paymentId,
        amountMinor: 49_900,
        currency: 'inr',
        via: 'confirm',
      },
    });
    // What Razorpay says was paid, not what the order asked: a short payment is for the caller to put on review.
    const shortOrder = await newOrder();
    const short = fake.pay(shortOrder, { amountMinor: 100 });
    const verdict = await provider.confirm(shortOrder, {
      razorpayPaymentId: short.paymentId,
      razorpaySignature: short.signature,
    });
    assert.equal(verdict.paid && verdict.event.amountMinor, 100);
  });

  it('refuses confirm evidence that is missing, forged, or from another order', async () => {
    const orderId = await newOrder();
    const { paymentId, signature } = fake.pay(orderId);
    await rejectsWith(provider.confirm(orderId, {}), PaymentEvidenceError, /razorpayPaymentId and razorpaySignature/);
    await rejectsWith(provider.confirm(orderId, { razorpayPaymentId: paymentId }), PaymentEvidenceError);

    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    await rejectsWith(
      provider.confirm(orderId, { razorpayPaymentId: paymentId, razorpaySignature: flipped }),
      PaymentEvidenceError,
      /does not match/,
    );
    // A genuine payment of order A offered as proof for order B: the signature binds it to A.
    const otherOrder = await newOrder();
    await rejectsWith(
      provider.confirm(otherOrder, { razorpayPaymentId: paymentId, razorpaySignature: signature }),
      PaymentEvidenceError,
    );
    // Nothing was fetched for the refused attempts: the signature is checked before any request.
    assert.equal(fake.requests.filter((request) => request.path === `/v1/payments/${paymentId}`).length, 0);
  });

  it('answers not paid (yet) for an authorized payment and failed for a failed one', async () => {
    const authorizedOrder = await newOrder();
    const authorized = fake.pay(authorizedOrder, { status: 'authorized' });
    assert.deepEqual(
      await provider.confirm(authorizedOrder, {
        razorpayPaymentId: authorized.paymentId,
        razorpaySignature: authorized.signature,
      }),
      { paid: false, providerStatus: 'authorized', failed: false },
    );
    const failedOrder = await newOrder();
    const failed = fake.pay(failedOrder, { status: 'failed' });
    assert.deepEqual(
      await provider.confirm(failedOrder, { razorpayPaymentId: failed.paymentId, razorpaySignature: failed.signature }),
      { paid: false, providerStatus: 'failed', failed: true },
    );
  });

  it('reports refused credentials and an unreachable API as provider errors without secrets', async () => {
    const wrongSecret = 'wrong-secret-value-123';
    const refused = await rejectsWith(
      new RazorpayPaymentProvider({ keyId: fake.keyId, keySecret: wrongSecret, apiBase: fake.baseUrl }).createOrder(
        orderInput(PRO_INR),
      ),
      PaymentProviderError,
      /401 BAD_REQUEST_ERROR: Authentication failed/,
    );
    assert.equal((refused as PaymentProviderError).status, 401);
    assert.ok(!refused.message.includes(wrongSecret));

    const unreachable = await rejectsWith(
      new RazorpayPaymentProvider({ keyId: fake.keyId, keySecret: fake.keySecret, apiBase: UNREACHABLE }).clientDataFor(
        'order_x',
        PRO_INR,
      ),
      PaymentProviderError,
      /could not be reached.*ECONNREFUSED/,
    );
    assert.equal((unreachable as PaymentProviderError).status, undefined);
  });

  it('turns payment.captured and order.paid into the same paid fact, and refund.processed into a refund', async () => {
    const orderId = await newOrder();
    const { paymentId } = fake.pay(orderId);
    const paid = {
      kind: 'paid',
      provider: 'razorpay',
      providerPaymentId: orderId,
      captureId: paymentId,
      amountMinor: 49_900,
      currency: 'inr',
      via: 'webhook',
    };
    const payment = { entity: fake.payment(paymentId) };
    assert.deepEqual(await deliver(provider, fake.webhook('payment.captured', { payment })), [paid]);
    assert.deepEqual(
      await deliver(provider, fake.webhook('order.paid', { payment, order: { entity: fake.order(orderId) } })),
      [paid],
    );

    const refund = fake.refund(paymentId, 10_000);
    assert.deepEqual(await deliver(provider, refund), [
      {
        kind: 'refund',
        provider: 'razorpay',
        providerPaymentId: orderId,
        captureId: paymentId,
        refundId: refund.refundId,
        amountMinor: 10_000,
        amountIs: 'this_refund',
        currency: 'inr',
      },
    ]);
    assert.deepEqual(await deliver(provider, fake.webhook('payment.authorized', { payment })), []);
  });

  it('refuses a webhook that is altered, unsigned, or signed with another secret', async () => {
    const orderId = await newOrder();
    const { paymentId } = fake.pay(orderId);
    const delivery = fake.webhook('payment.captured', { payment: { entity: fake.payment(paymentId) } });
    const altered = { ...delivery, body: delivery.body.replace('"amount":49900', '"amount":99900') };
    assert.notEqual(altered.body, delivery.body);
    await rejectsWith(deliver(provider, altered), WebhookSignatureError, /does not match/);
    await rejectsWith(deliver(provider, { body: delivery.body, headers: {} }), WebhookSignatureError, /missing/);

    const otherSecret = new RazorpayPaymentProvider({
      keyId: fake.keyId,
      keySecret: fake.keySecret,
      webhookSecret: 'another-webhook-secret',
      apiBase: fake.baseUrl,
    });
    await rejectsWith(deliver(otherSecret, delivery), WebhookSignatureError);
  });
});

describe('PayPalPaymentProvider against FakePayPal', () => {
  let fake: FakePayPal;
  let provider: PayPalPaymentProvider;
  before(async () => {
    fake = await FakePayPal.start();
    provider = new PayPalPaymentProvider({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      webhookId: fake.webhookId,
      mode: 'sandbox',
      apiBase: fake.baseUrl,
    });
  });
  after(() => fake.stop());

  const captureRequests = (orderId: string) =>
    fake.requests.filter((request) => request.path === `/v2/checkout/orders/${orderId}/capture`);

  it('creates a CAPTURE order for the package price, once per idempotency key, with the buyer approval link', async () => {
    const input = orderInput(PRO);
    const created = await provider.createOrder(input);
    assert.match(created.providerPaymentId, /^[A-Z0-9]{17}$/);
    assert.ok(created.client.provider === 'paypal');
    assert.equal(created.client.orderId, created.providerPaymentId);
    assert.equal(created.client.approveUrl, `${fake.baseUrl}/checkoutnow?token=${created.providerPaymentId}`);

    const order = fake.order(created.providerPaymentId) as {
      intent: string;
      purchase_units: Array<Record<string, unknown>>;
    };
    assert.equal(order.intent, 'CAPTURE');
    assert.deepEqual(order.purchase_units[0]?.['amount'], { currency_code: 'USD', value: '50.00' });
    assert.equal(order.purchase_units[0]?.['reference_id'], input.paymentId);
    assert.equal(order.purchase_units[0]?.['custom_id'], input.paymentId);

    const again = await provider.createOrder(input);
    assert.equal(again.providerPaymentId, created.providerPaymentId);
    assert.equal(fake.requests.filter((request) => request.requestId === input.idempotencyKey).length, 2);
    assert.deepEqual(await provider.clientDataFor(created.providerPaymentId, PRO), created.client);
  });

  it('confirms nothing before approval, then captures the exact amount, and a second confirm finds that capture', async () => {
    const { providerPaymentId: orderId } = await provider.createOrder(orderInput(PRO));
    assert.deepEqual(await provider.confirm(orderId, {}), {
      paid: false,
      providerStatus: 'PAYER_ACTION_REQUIRED',
      failed: false,
    });
    // Not even attempted: a refused capture could be replayed to the same PayPal-Request-Id after approval.
    assert.equal(captureRequests(orderId).length, 0);

    const { returnUrl } = fake.approve(orderId);
    assert.equal(returnUrl?.startsWith('https://app.example/billing/return?token='), true);
    const first = await provider.confirm(orderId, {});
    assert.ok(first.paid);
    assert.deepEqual(
      { ...first.event, captureId: undefined },
      {
        kind: 'paid',
        provider: 'paypal',
        providerPaymentId: orderId,
        captureId: undefined,
        amountMinor: 5000,
        currency: 'usd',
        via: 'confirm',
      },
    );
    assert.match(first.event.captureId ?? '', /^[A-Z0-9]{17}$/);
    assert.equal(captureRequests(orderId)[0]?.requestId, `capture-${orderId}`);

    const second = await provider.confirm(orderId, {});
    assert.deepEqual(second, first);
    assert.equal(captureRequests(orderId).length, 1);
  });

  it('reads whole-unit currencies exactly (JPY, HUF)', async () => {
    for (const [pkg, value] of [
      [{ ...PRO, priceMinor: 500, currency: 'jpy' }, '500'],
      [{ ...PRO, priceMinor: 150_000, currency: 'huf' }, '1500'],
    ] as const) {
      const { providerPaymentId: orderId } = await provider.createOrder(orderInput(pkg));
      const order = fake.order(orderId) as { purchase_units: Array<{ amount: { value: string } }> };
      assert.equal(order.purchase_units[0]?.amount.value, value);
      fake.approve(orderId);
      const verdict = await provider.confirm(orderId, {});
      assert.equal(verdict.paid && verdict.event.amountMinor, pkg.priceMinor, pkg.currency);
      assert.equal(verdict.paid && verdict.event.currency, pkg.currency);
    }
  });

  it('answers not paid (yet) for a pending capture and failed for a declined one', async () => {
    const pending = (await provider.createOrder(orderInput(PRO))).providerPaymentId;
    fake.approve(pending, { captureStatus: 'PENDING' });
    assert.deepEqual(await provider.confirm(pending, {}), { paid: false, providerStatus: 'PENDING', failed: false });
    const declined = (await provider.createOrder(orderInput(PRO))).providerPaymentId;
    fake.approve(declined, { captureStatus: 'DECLINED' });
    assert.deepEqual(await provider.confirm(declined, {}), { paid: false, providerStatus: 'DECLINED', failed: true });
  });

  it('reports an unknown order, refused credentials and an unreachable API as provider errors', async () => {
    const missing = await rejectsWith(
      provider.confirm('0000000000000000X', {}),
      PaymentProviderError,
      /RESOURCE_NOT_FOUND/,
    );
    assert.equal((missing as PaymentProviderError).status, 404);

    const wrongSecret = 'wrong-paypal-secret-456';
    const refused = await rejectsWith(
      new PayPalPaymentProvider({
        clientId: fake.clientId,
        clientSecret: wrongSecret,
        mode: 'sandbox',
        apiBase: fake.baseUrl,
      }).createOrder(orderInput(PRO)),
      PaymentProviderError,
    );
    assert.equal((refused as PaymentProviderError).status, 401);
    assert.ok(!refused.message.includes(wrongSecret));

    const unreachable = await rejectsWith(
      new PayPalPaymentProvider({ clientId: 'c', clientSecret: 's', mode: 'sandbox', apiBase: UNREACHABLE }).confirm(
        'ORDER',
        {},
      ),
      PaymentProviderError,
      /could not be reached/,
    );
    assert.equal((unreachable as PaymentProviderError).status, undefined);
  });

  it('verifies webhooks with PayPal, then maps capture completed and refunded', async () => {
    const { providerPaymentId: orderId } = await provider.createOrder(orderInput(PRO));
    fake.approve(orderId);
    const verdict = await provider.confirm(orderId, {});
    assert.ok(verdict.paid && verdict.event.captureId);
    const captureId = verdict.event.captureId;
    const countOf = (path: string) => fake.requests.filter((request) => request.path === path).length;
    const tokensBefore = countOf('/v1/oauth2/token');
    const verificationsBefore = countOf('/v1/notifications/verify-webhook-signature');

    assert.deepEqual(await deliver(provider, fake.webhook('PAYMENT.CAPTURE.COMPLETED', fake.capture(captureId))), [
      { ...verdict.event, via: 'webhook' },
    ]);
    const refund = fake.refund(captureId, 2000);
    assert.deepEqual(await deliver(provider, refund), [
      {
        kind: 'refund',
        provider: 'paypal',
        captureId,
        refundId: refund.refundId,
        amountMinor: 2000,
        amountIs: 'this_refund',
        currency: 'usd',
      },
    ]);
    assert.deepEqual(await deliver(provider, fake.webhook('CHECKOUT.ORDER.APPROVED', { id: orderId })), []);
    // Each delivery was put to PayPal, on the token the SDK already held (none fetched per delivery).
    assert.equal(countOf('/v1/notifications/verify-webhook-signature') - verificationsBefore, 3);
    assert.equal(countOf('/v1/oauth2/token') - tokensBefore, 0);
  });

  it('shares one token between SDK calls and webhook checks, and replaces a revoked one once', async () => {
    const { providerPaymentId: orderId } = await provider.createOrder(orderInput(PRO));
    fake.approve(orderId);
    const verdict = await provider.confirm(orderId, {});
    assert.ok(verdict.paid && verdict.event.captureId);
    const tokensFetched = () => fake.requests.filter((request) => request.path === '/v1/oauth2/token').length;
    const before = tokensFetched();

    // Revoked early: the webhook check is refused once, fetches a new token and goes through.
    fake.revokeTokens();
    const delivery = fake.webhook('PAYMENT.CAPTURE.COMPLETED', fake.capture(verdict.event.captureId));
    assert.equal((await deliver(provider, delivery)).length, 1);
    assert.equal(tokensFetched() - before, 1);
    // The SDK's next call uses that same new token.
    await provider.createOrder(orderInput(PRO));
    assert.equal(tokensFetched() - before, 1);

    // Revoked again: an SDK call is refused once and retried on a new token.
    fake.revokeTokens();
    assert.equal((await provider.confirm(orderId, {})).paid, true);
    assert.equal(tokensFetched() - before, 2);
  });

  it('refuses a webhook PayPal does not verify: altered, from another signer, unsigned, or for another webhook id', async () => {
    const { providerPaymentId: orderId } = await provider.createOrder(orderInput(PRO));
    fake.approve(orderId);
    const verdict = await provider.confirm(orderId, {});
    assert.ok(verdict.paid && verdict.event.captureId);
    const delivery = fake.webhook('PAYMENT.CAPTURE.COMPLETED', fake.capture(verdict.event.captureId));

    const altered = { ...delivery, body: delivery.body.replace('"value":"50.00"', '"value":"500.00"') };
    assert.notEqual(altered.body, delivery.body);
    await rejectsWith(deliver(provider, altered), WebhookSignatureError, /FAILURE/);

    const otherFake = await FakePayPal.start({ webhookId: fake.webhookId });
    try {
      const foreign = otherFake.webhook('PAYMENT.CAPTURE.COMPLETED', fake.capture(verdict.event.captureId));
      await rejectsWith(deliver(provider, foreign), WebhookSignatureError, /FAILURE/);
    } finally {
      await otherFake.stop();
    }

    const { 'paypal-transmission-sig': _sig, ...unsigned } = delivery.headers;
    await rejectsWith(
      deliver(provider, { ...delivery, headers: unsigned }),
      WebhookSignatureError,
      /PAYPAL-TRANSMISSION-SIG/,
    );

    const otherWebhook = new PayPalPaymentProvider({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      webhookId: 'ANOTHER-WEBHOOK-ID',
      mode: 'sandbox',
      apiBase: fake.baseUrl,
    });
    await rejectsWith(deliver(otherWebhook, delivery), WebhookSignatureError, /FAILURE/);
  });
});

describe('FakePayPal keeps PayPal-Request-Id answers, failures included', () => {
  it('replays a refused capture to the same request id even after approval, which is why confirm looks first', async () => {
    const fake = await FakePayPal.start();
    try {
      const basic = Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64');
      const tokenResponse = await fetch(`${fake.baseUrl}/v1/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${fake.baseUrl}/v2/checkout/orders`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          intent: 'CAPTURE',
          purchase_units: [{ amount: { currency_code: 'USD', value: '5.00' } }],
        }),
      });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      const capture = () =>
        fetch(`${fake.baseUrl}/v2/checkout/orders/${id}/capture`, {
          method: 'POST',
          headers: { ...headers, 'paypal-request-id': `capture-${id}` },
        });
      const early = await capture();
      assert.equal(early.status, 422);
      assert.match(await early.text(), /ORDER_NOT_APPROVED/);
      fake.approve(id);
      assert.equal((await capture()).status, 422);
    } finally {
      await fake.stop();
    }
  });
});
