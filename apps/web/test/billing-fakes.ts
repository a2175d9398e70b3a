import { vi } from 'vitest';

export const PACKAGES = [
  {
    id: 'basic',
    name: 'Basic',
    minutes: 60,
    priceMinor: 2000,
    currency: 'usd',
    discount: 0,
    pricePerMinuteMinor: 33.33,
  },
  {
    id: 'pro',
    name: 'Pro',
    minutes: 180,
    priceMinor: 5000,
    currency: 'usd',
    discount: 0.17,
    pricePerMinuteMinor: 27.78,
  },
  {
    id: 'premium',
    name: 'Premium',
    minutes: 600,
    priceMinor: 15000,
    currency: 'usd',
    discount: 0.25,
    pricePerMinuteMinor: 25,
  },
];

type Provider = 'stripe' | 'razorpay' | 'paypal';

export function paymentView(overrides: Record<string, unknown> = {}) {
  return {
    id: '6b0f6a52-3c55-4f7e-9d55-0d7f1f3d2a10',
    provider: 'stripe',
    providerPaymentId: 'pi_123',
    packageId: 'pro',
    amountMinor: 5000,
    currency: 'usd',
    creditsPurchased: 10_800,
    status: 'pending',
    refundedMinor: 0,
    disputedMinor: 0,
    creditsReversed: 0,
    creditsShortfall: 0,
    reviewReason: null,
    createdAt: '2026-03-01T10:00:00.000Z',
    fulfilledAt: null,
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

/**
 * The payment API in memory, as the web app sees it: the packages (with the providers configured), create-intent
 * (which may be told to fail), payments that a test settles as a webhook would, confirm, history and the balance.
 */
export function fakeBillingApi(
  options: {
    available?: Provider[];
    publishableKey?: string;
    createFailures?: number;
    history?: { items: unknown[]; nextBefore?: string }[];
  } = {},
) {
  const available = new Set(options.available ?? ['stripe', 'razorpay', 'paypal']);
  const requests: RecordedRequest[] = [];
  const payments = new Map<string, ReturnType<typeof paymentView>>();
  let balance = 300;
  let createFailures = options.createFailures ?? 0;
  let sequence = 0;

  const settle = (id: string, status: string) => {
    const payment = payments.get(id);
    if (!payment) throw new Error(`no payment ${id}`);
    if (status === 'succeeded' && payment.status !== 'succeeded') balance += payment.creditsPurchased;
    payment.status = status;
  };

  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const body: unknown = input.method === 'POST' ? await input.json() : undefined;
    requests.push({ method: input.method, path: url.pathname, search: url.searchParams, headers: input.headers, body });
    if (url.pathname === '/api/payment/packages') {
      return json({
        packages: PACKAGES,
        providers: (['stripe', 'razorpay', 'paypal'] as const).map((provider) => ({
          provider,
          available: available.has(provider),
          missing: available.has(provider) ? [] : [`${provider.toUpperCase()}_SECRET_KEY`],
        })),
      });
    }
    if (url.pathname === '/api/payment/create-intent') {
      if (createFailures > 0) {
        createFailures -= 1;
        return json(
          { statusCode: 502, error: { code: 'PAYMENT_PROVIDER_ERROR', message: 'PayPal did not answer' } },
          502,
        );
      }
      const { packageId, provider } = body as { packageId: string; provider: Provider };
      const pkg = PACKAGES.find((entry) => entry.id === packageId);
      sequence += 1;
      const id = `6b0f6a52-3c55-4f7e-9d55-${String(sequence).padStart(12, '0')}`;
      const payment = paymentView({
        id,
        provider,
        packageId,
        amountMinor: pkg?.priceMinor,
        creditsPurchased: (pkg?.minutes ?? 0) * 60,
        providerPaymentId: `order_${sequence}`,
      });
      payments.set(id, payment);
      const client =
        provider === 'stripe'
          ? {
              provider,
              paymentIntentId: 'pi_123',
              clientSecret: 'pi_123_secret_abc',
              ...(options.publishableKey ? { publishableKey: options.publishableKey } : {}),
            }
          : provider === 'razorpay'
            ? {
                provider,
                orderId: `order_${sequence}`,
                keyId: 'rzp_test_1',
                amountMinor: pkg?.priceMinor,
                currency: 'USD',
              }
            : {
                provider,
                orderId: `ORDER${sequence}`,
                approveUrl: `https://paypal.example/checkoutnow?token=ORDER${sequence}`,
              };
      return json({ payment, client }, 201);
    }
    const one = /^\/api\/payment\/payments\/([^/]+)$/.exec(url.pathname);
    if (one?.[1]) {
      const payment = payments.get(one[1]);
      return payment
        ? json(payment)
        : json({ statusCode: 404, error: { code: 'PAYMENT_NOT_FOUND', message: 'Payment not found' } }, 404);
    }
    if (url.pathname === '/api/payment/confirm') {
      const { paymentId } = body as { paymentId: string };
      const payment = payments.get(paymentId);
      if (!payment)
        return json({ statusCode: 404, error: { code: 'PAYMENT_NOT_FOUND', message: 'Payment not found' } }, 404);
      settle(paymentId, 'succeeded');
      return json({ payment, balance, paid: true });
    }
    if (url.pathname === '/api/payment/history') {
      const pages = options.history ?? [{ items: [...payments.values()] }];
      const before = url.searchParams.get('before');
      const index = before === null ? 0 : pages.findIndex((_, i) => pages[i - 1]?.nextBefore === before);
      if (index < 0) return json({ statusCode: 400, error: { code: 'VALIDATION_FAILED', message: 'bad cursor' } }, 400);
      return json(pages[index]);
    }
    if (url.pathname === '/api/user/credits') return json({ creditsRemaining: balance, creditsHeld: 0 });
    return json({ statusCode: 404, error: { code: 'NOT_FOUND', message: `no ${url.pathname}` } }, 404);
  });

  return {
    requests,
    payments,
    settle,
    /** Adds a payment as if made earlier (a return from a provider lands on one). */
    add: (payment: ReturnType<typeof paymentView>) => payments.set(payment.id, payment),
    balance: () => balance,
  };
}
