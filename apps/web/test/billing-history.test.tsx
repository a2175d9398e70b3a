import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { AdminPaymentsPage } from '../src/features/admin/payments/admin-payments-page';
import { BillingPage } from '../src/features/billing/billing-page';
import { fakeBillingApi, paymentView } from './billing-fakes';
import { renderPage } from './render-page';

afterEach(() => {
  vi.unstubAllGlobals();
});

const id = (n: number) => `6b0f6a52-3c55-4f7e-9d55-${String(n).padStart(12, '0')}`;

describe('the Billing history page', () => {
  it('lists payments with package, provider, exact amount and status, refunds and what could not be taken back', async () => {
    fakeBillingApi({
      history: [
        {
          items: [
            paymentView({ id: id(1), provider: 'paypal', status: 'succeeded' }),
            paymentView({
              id: id(2),
              provider: 'razorpay',
              packageId: 'basic',
              amountMinor: 2000,
              creditsPurchased: 3600,
              status: 'partially_refunded',
              refundedMinor: 1250,
              creditsReversed: 1500,
              creditsShortfall: 300,
            }),
          ],
        },
      ],
    });
    renderPage('/billing', <BillingPage />);
    const table = await screen.findByRole('table', { name: 'Your payments, newest first' });
    const [, paid, refunded] = within(table).getAllByRole('row');
    expect(within(paid as HTMLElement).getByText('Pro')).toBeTruthy();
    expect(within(paid as HTMLElement).getByText('$50.00')).toBeTruthy();
    expect(within(paid as HTMLElement).getByText('Paid')).toBeTruthy();
    expect(within(paid as HTMLElement).getAllByText(/PayPal/).length).toBeGreaterThan(0);
    const row = refunded as HTMLElement;
    expect(within(row).getByText('Basic')).toBeTruthy();
    expect(within(row).getByText('Partly refunded')).toBeTruthy();
    expect(within(row).getByText('Refunded $12.50, 25 min taken back')).toBeTruthy();
    expect(within(row).getByText('5 min could not be taken back (already used)')).toBeTruthy();
    expect(await screen.findByText('5 min 00 s')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Buy credits' }).getAttribute('href')).toBe('/billing/buy');
  });

  it('pages with `before`: Older asks for the page after the cursor, Newer goes back', async () => {
    const cursor = '2026-02-01T00:00:00.000Z';
    const api = fakeBillingApi({
      history: [
        { items: [paymentView({ id: id(1), status: 'succeeded' })], nextBefore: cursor },
        { items: [paymentView({ id: id(2), packageId: 'premium', status: 'failed' })] },
      ],
    });
    renderPage('/billing', <BillingPage />);
    await screen.findByText('Pro');
    const pager = screen.getByRole('navigation', { name: 'Payment pages' });
    expect((within(pager).getByRole('button', { name: 'Newer' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(pager).getByRole('button', { name: 'Older' }));
    await screen.findByText('Premium');
    const histories = api.requests.filter((r) => r.path === '/api/payment/history');
    expect(histories.at(-1)?.search.get('before')).toBe(cursor);
    expect((screen.getByRole('button', { name: 'Older' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Newer' }));
    await screen.findByText('Pro');
  });
});

describe('the admin Payments page', () => {
  it('lists the payments in review first, with their reasons, and filters by status', async () => {
    const seen: URL[] = [];
    vi.stubGlobal('fetch', async (input: Request) => {
      const url = new URL(input.url);
      seen.push(url);
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      if (url.pathname === '/api/payment/packages') return json({ packages: [], providers: [] });
      const status = url.searchParams.get('status');
      return json({
        items: [
          {
            ...paymentView({
              id: id(7),
              status: status ?? 'succeeded',
              reviewReason: status === 'review' ? 'razorpay reported 100 USD, the order was 5000 USD' : null,
            }),
            userId: '0b8e2f43-1111-4222-8333-444455556666',
            captureId: 'pay_XYZ',
          },
        ],
      });
    });
    renderPage('/admin/payments', <AdminPaymentsPage />);
    await screen.findByText('razorpay reported 100 USD, the order was 5000 USD');
    expect(seen.find((url) => url.pathname === '/api/admin/payments')?.searchParams.get('status')).toBe('review');
    const status = screen.getByLabelText('Status') as HTMLSelectElement;
    expect(status.value).toBe('review');
    expect(Array.from(status.options, (option) => option.text).slice(0, 2)).toEqual(['In review', 'All statuses']);
    screen.getByText('pay_XYZ');
    expect(screen.getByRole('link', { name: /Owner’s account/ }).getAttribute('href')).toBe(
      '/admin/users/0b8e2f43-1111-4222-8333-444455556666',
    );

    fireEvent.change(status, { target: { value: 'all' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() =>
      expect(
        seen
          .filter((url) => url.pathname === '/api/admin/payments')
          .at(-1)
          ?.searchParams.has('status'),
      ).toBe(false),
    );
    await screen.findByText('Paid');
  });
});
