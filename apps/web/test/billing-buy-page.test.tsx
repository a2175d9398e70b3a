import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';

import { BuyCreditsPage } from '../src/features/billing/buy-credits-page';
import { STRIPE_JS_URL } from '../src/features/billing/stripe-js';
import { fakeBillingApi, paymentView } from './billing-fakes';
import { renderPage } from './render-page';

afterEach(() => {
  vi.unstubAllGlobals();
  document.head.querySelectorAll('script').forEach((script) => script.remove());
});

const buyPage = (url = '/billing/buy') => renderPage('/billing/buy', <BuyCreditsPage />, url);

describe('the Buy credits page', () => {
  it('lists the packages with minutes, exact prices, the per-minute price and the discount', async () => {
    fakeBillingApi();
    buyPage();
    const packages = await screen.findByRole('group', { name: 'Package' });
    const radios = within(packages).getAllByRole('radio');
    expect(radios).toHaveLength(3);
    const pro = within(packages).getByRole('radio', { name: /^Pro/ });
    expect(pro.closest('label')?.textContent).toBe('Pro180 minutes$50.00$0.28 per minuteSave 17%');
    const basic = within(packages).getByRole('radio', { name: /^Basic/ });
    expect(basic.closest('label')?.textContent).toBe('Basic60 minutes$20.00$0.33 per minute');
    // The first package is chosen until the reader chooses.
    expect((basic as HTMLInputElement).checked).toBe(true);
  });

  it('offers only the configured providers: the others are greyed, disabled and say "not configured"', async () => {
    fakeBillingApi({ available: ['paypal'] });
    buyPage();
    const providers = await screen.findByRole('group', { name: 'Pay with' });
    const stripe = within(providers).getByRole('radio', { name: /Stripe/ }) as HTMLInputElement;
    const razorpay = within(providers).getByRole('radio', { name: /Razorpay/ }) as HTMLInputElement;
    const paypal = within(providers).getByRole('radio', { name: /PayPal/ }) as HTMLInputElement;
    expect(stripe.disabled).toBe(true);
    expect(razorpay.disabled).toBe(true);
    expect(stripe.closest('label')?.textContent).toContain('not configured');
    expect(razorpay.closest('label')?.textContent).toContain('not configured');
    expect(paypal.disabled).toBe(false);
    expect(paypal.checked).toBe(true);
    expect(paypal.closest('label')?.textContent).not.toContain('not configured');
  });

  it('says so when no provider is configured, and cannot buy', async () => {
    fakeBillingApi({ available: [] });
    buyPage();
    await screen.findByText(/No payment provider is configured on this server/);
    expect((screen.getByRole('button', { name: /^Buy Basic/ }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('preselects the package named in the address (the 402’s suggestion)', async () => {
    fakeBillingApi();
    buyPage('/billing/buy?package=premium');
    const premium = (await screen.findByRole('radio', { name: /^Premium/ })) as HTMLInputElement;
    expect(premium.checked).toBe(true);
    screen.getByRole('button', { name: 'Buy Premium for $150.00' });
  });

  it('keeps one Idempotency-Key per (package, provider) attempt: a retry replays it, a new choice gets a new one', async () => {
    const api = fakeBillingApi({ available: ['stripe', 'razorpay'], createFailures: 2 });
    buyPage();
    const buy = await screen.findByRole('button', { name: 'Buy Basic for $20.00' });
    fireEvent.click(buy);
    await screen.findByText('PayPal did not answer');
    fireEvent.click(buy);
    await waitFor(() => expect(api.requests.filter((r) => r.path === '/api/payment/create-intent')).toHaveLength(2));
    fireEvent.click(screen.getByRole('radio', { name: /^Pro/ }));
    fireEvent.click(await screen.findByRole('button', { name: 'Buy Pro for $50.00' }));
    await screen.findByRole('heading', { name: 'Your payment' });

    const creates = api.requests.filter((r) => r.path === '/api/payment/create-intent');
    expect(creates.map((r) => r.body)).toEqual([
      { packageId: 'basic', provider: 'stripe' },
      { packageId: 'basic', provider: 'stripe' },
      { packageId: 'pro', provider: 'stripe' },
    ]);
    const keys = creates.map((r) => r.headers.get('Idempotency-Key'));
    expect(keys[0]).toMatch(/^buy-[0-9a-f]{32}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('Stripe without a publishable key waits for Stripe, polls, and shows Paid when a webhook completes it', async () => {
    const api = fakeBillingApi({ available: ['stripe'] });
    const view = buyPage('/billing/buy?package=pro');
    fireEvent.click(await screen.findByRole('button', { name: 'Buy Pro for $50.00' }));
    await screen.findByText('Waiting for Stripe');
    screen.getByText(/no Stripe publishable key/);
    const [payment] = api.payments.values();
    if (!payment) throw new Error('no payment was created');
    // The address names the payment, so a reload keeps following it.
    expect(view.location()).toBe(`/billing/buy?payment=${payment.id}`);
    expect(document.head.querySelector(`script[src="${STRIPE_JS_URL}"]`)).toBeNull();
    // No confirm: nothing came back from Stripe; the webhook will settle it.
    expect(api.requests.some((r) => r.path === '/api/payment/confirm')).toBe(false);

    api.settle(payment.id, 'succeeded');
    await screen.findByText('Paid: 180 minutes added', undefined, { timeout: 5_000 });
    await screen.findByText('Your balance: 185 min 00 s.');
    const polls = api.requests.filter((r) => r.path === `/api/payment/payments/${payment.id}`);
    expect(polls.length).toBeGreaterThanOrEqual(2);
  });

  it('Stripe with a publishable key loads Stripe.js from js.stripe.com; if it cannot load, the payment waits', async () => {
    fakeBillingApi({ available: ['stripe'], publishableKey: 'pk_test_abc' });
    buyPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Buy Basic for $20.00' }));
    await screen.findByText('Loading Stripe…');
    const script = document.head.querySelector<HTMLScriptElement>(`script[src="${STRIPE_JS_URL}"]`);
    expect(script).not.toBeNull();
    script?.dispatchEvent(new Event('error'));
    await screen.findByText('Waiting for Stripe');
    screen.getByText(/Stripe’s payment form could not be loaded/);
    expect(document.head.querySelector(`script[src="${STRIPE_JS_URL}"]`)).toBeNull();
  });

  it('Razorpay opens Checkout from checkout.razorpay.com with the order, and sends its signature to confirm', async () => {
    const api = fakeBillingApi({ available: ['razorpay'] });
    let opened: Record<string, unknown> | undefined;
    buyPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Buy Basic for $20.00' }));
    await screen.findByText('Opening Razorpay Checkout…');
    const script = document.head.querySelector<HTMLScriptElement>(
      'script[src="https://checkout.razorpay.com/v1/checkout.js"]',
    );
    expect(script).not.toBeNull();
    // What Checkout defines when its script runs; the buyer pays at once.
    vi.stubGlobal(
      'Razorpay',
      class {
        constructor(private readonly options: Record<string, unknown>) {
          opened = options;
        }
        on() {}
        open() {
          (this.options['handler'] as (response: Record<string, string>) => void)({
            razorpay_payment_id: 'pay_abc',
            razorpay_order_id: String(this.options['order_id']),
            razorpay_signature: 'f00d',
          });
        }
      },
    );
    script?.dispatchEvent(new Event('load'));
    await screen.findByText('Paid: 60 minutes added');
    expect(opened).toMatchObject({ key: 'rzp_test_1', order_id: 'order_1', amount: 2000, currency: 'USD' });
    const confirm = api.requests.find((r) => r.path === '/api/payment/confirm');
    expect(confirm?.body).toEqual({
      paymentId: '6b0f6a52-3c55-4f7e-9d55-000000000001',
      razorpayPaymentId: 'pay_abc',
      razorpaySignature: 'f00d',
    });
  });

  it('on the return from PayPal confirms the payment once and shows Paid with the new balance', async () => {
    const api = fakeBillingApi();
    const payment = paymentView({ provider: 'paypal', providerPaymentId: 'ORDER1' });
    api.add(payment);
    buyPage(`/billing/buy?payment=${payment.id}&token=ORDER1&PayerID=BUYER1`);
    await screen.findByText('Paid: 180 minutes added');
    await screen.findByText('Your balance: 185 min 00 s.');
    const confirms = api.requests.filter((r) => r.path === '/api/payment/confirm');
    expect(confirms.map((r) => r.body)).toEqual([{ paymentId: payment.id }]);
  });

  it('on a cancelled return says so and confirms nothing', async () => {
    const api = fakeBillingApi();
    const payment = paymentView({ provider: 'paypal', providerPaymentId: 'ORDER1' });
    api.add(payment);
    buyPage(`/billing/buy?payment=${payment.id}&cancelled=1&token=ORDER1`);
    await screen.findByText(/You left PayPal without paying; nothing was charged/);
    expect(api.requests.some((r) => r.path === '/api/payment/confirm')).toBe(false);
  });

  it('shows a payment in review with its reason', async () => {
    const api = fakeBillingApi();
    const payment = paymentView({ status: 'review', reviewReason: 'Stripe reported 4000 usd, the order was 5000 usd' });
    api.add(payment);
    buyPage(`/billing/buy?payment=${payment.id}`);
    await screen.findByText('In review: no credits were added yet');
    screen.getByText(/Stripe reported 4000 usd, the order was 5000 usd/);
  });
});
