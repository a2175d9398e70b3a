import { Link } from 'react-router';

import { ErrorAlert } from '../../components/error-alert';
import { formatCredits } from '../../lib/format';
import { useCredits } from '../account/use-credits';
import { usePackages, usePaymentHistory } from './billing-queries';
import { CursorPager, PaymentsTable } from './payments-table';
import { useCursorPages } from './use-cursor-pages';

const PAGE_SIZE = 20;

const BUY_LINK =
  'inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700';

/** The balance, and every payment with its status and refunds, newest first. */
export function BillingPage() {
  const credits = useCredits();
  const catalogue = usePackages();
  const pages = useCursorPages();
  const history = usePaymentHistory(pages.before, PAGE_SIZE);

  return (
    <section className="flex flex-col gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">Billing</h1>
        <Link to="/billing/buy" className={BUY_LINK}>
          Buy credits
        </Link>
      </div>
      <section aria-labelledby="balance-heading" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="balance-heading" className="text-sm text-slate-600">
          Current balance
        </h2>
        <ErrorAlert error={credits.error} title="Could not load your balance" />
        {credits.data ? (
          <p className="text-3xl font-bold text-slate-900">{formatCredits(credits.data.creditsRemaining)}</p>
        ) : null}
      </section>
      <section aria-labelledby="payments-heading" className="flex flex-col gap-3">
        <h2 id="payments-heading" className="text-lg font-semibold">
          Payments
        </h2>
        <ErrorAlert error={history.error} title="Could not load your payments" />
        {history.isPending ? (
          <p role="status" className="text-slate-600">
            Loading payments…
          </p>
        ) : null}
        {history.data ? (
          <div className="flex flex-col gap-3" aria-busy={history.isPlaceholderData}>
            {history.data.items.length === 0 ? (
              <p className="text-slate-700">No payments yet.</p>
            ) : (
              <PaymentsTable
                payments={history.data.items}
                packages={catalogue.data?.packages ?? []}
                caption="Your payments, newest first"
              />
            )}
            <CursorPager
              label="Payment pages"
              hasNewer={pages.hasNewer}
              hasOlder={history.data.nextBefore !== undefined}
              onNewer={pages.newer}
              onOlder={() => {
                if (history.data.nextBefore) pages.older(history.data.nextBefore);
              }}
            />
          </div>
        ) : null}
      </section>
    </section>
  );
}
