import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId } from 'react';
import { Link, useSearchParams } from 'react-router';

import { api, unwrap } from '../../../api/client';
import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { type PaymentStatus, usePackages } from '../../billing/billing-queries';
import { PAYMENT_STATUS_LABELS, PAYMENT_STATUSES } from '../../billing/payment-labels';
import { CursorPager, PaymentsTable } from '../../billing/payments-table';
import { useCursorPages } from '../../billing/use-cursor-pages';
import { ADMIN_QUERY_KEY } from '../admin-queries';

const PAGE_SIZE = 25;
const FIELD = 'min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 text-base';
/** In review first: those payments granted nothing and wait for a person. */
const STATUS_CHOICES: Array<PaymentStatus | 'all'> = [
  'review',
  'all',
  ...PAYMENT_STATUSES.filter((s) => s !== 'review'),
];

function isStatus(value: string): value is PaymentStatus {
  return Object.hasOwn(PAYMENT_STATUS_LABELS, value);
}

function useAdminPayments(status: PaymentStatus | undefined, before: string | undefined) {
  return useQuery({
    queryKey: [...ADMIN_QUERY_KEY, 'payments', status ?? 'all', before ?? null],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/admin/payments', {
          params: { query: { limit: PAGE_SIZE, ...(status ? { status } : {}), ...(before ? { before } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/**
 * Every user's payments; by default the ones in review (the provider's amount or currency did not match the order,
 * so nothing was granted), each with its reason and the provider's ids to look it up there.
 */
export function AdminPaymentsPage() {
  const id = useId();
  const [search, setSearch] = useSearchParams();
  const requested = search.get('status') ?? 'review';
  const status = isStatus(requested) ? requested : undefined;

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = String(new FormData(event.currentTarget).get('status') ?? 'review');
    setSearch(chosen === 'review' ? new URLSearchParams() : new URLSearchParams({ status: chosen }));
  };

  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Payments</h1>
      <form
        role="search"
        aria-label="Filter payments"
        className="flex flex-wrap items-end gap-3"
        onSubmit={apply}
        key={search.toString()}
      >
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-status`} className="text-sm font-medium text-slate-800">
            Status
          </label>
          <select id={`${id}-status`} name="status" defaultValue={status ?? 'all'} className={FIELD}>
            {STATUS_CHOICES.map((choice) => (
              <option key={choice} value={choice}>
                {choice === 'all' ? 'All statuses' : PAYMENT_STATUS_LABELS[choice]}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit">Show</Button>
      </form>
      {/* Keyed by the filter: another filter starts again from the newest page. */}
      <AdminPaymentsList key={status ?? 'all'} status={status} />
    </section>
  );
}

function AdminPaymentsList({ status }: { status: PaymentStatus | undefined }) {
  const pages = useCursorPages();
  const payments = useAdminPayments(status, pages.before);
  const catalogue = usePackages();
  const page = payments.data;
  return (
    <>
      <ErrorAlert error={payments.error} title="Could not load the payments" />
      {payments.isPending ? (
        <p role="status" className="text-slate-600">
          Loading payments…
        </p>
      ) : null}
      {page ? (
        <div className="flex flex-col gap-3" aria-busy={payments.isPlaceholderData}>
          <p role="status" className="text-sm text-slate-700">
            {page.items.length === 0
              ? status === 'review'
                ? 'No payments wait for review.'
                : 'No payments match.'
              : `${page.items.length}${page.nextBefore ? '+' : ''} payment${page.items.length === 1 ? '' : 's'}${status ? ` ${PAYMENT_STATUS_LABELS[status].toLowerCase()}` : ''}`}
          </p>
          {page.items.length > 0 ? (
            <PaymentsTable
              payments={page.items}
              packages={catalogue.data?.packages ?? []}
              caption="Payments, newest first"
              extra={(payment) => (
                <>
                  <p className="text-xs">
                    <Link to={`/admin/users/${payment.userId}`} className="text-indigo-700 underline">
                      Owner’s account<span className="sr-only"> (payment {payment.id})</span>
                    </Link>
                  </p>
                  <p className="text-xs break-all text-slate-700">
                    Order <span className="font-mono">{payment.providerPaymentId}</span>
                  </p>
                  {payment.captureId ? (
                    <p className="text-xs break-all text-slate-700">
                      Capture <span className="font-mono">{payment.captureId}</span>
                    </p>
                  ) : null}
                </>
              )}
            />
          ) : null}
          <CursorPager
            label="Payment pages"
            hasNewer={pages.hasNewer}
            hasOlder={page.nextBefore !== undefined}
            onNewer={pages.newer}
            onOlder={() => {
              if (page.nextBefore) pages.older(page.nextBefore);
            }}
          />
        </div>
      ) : null}
    </>
  );
}
