import type { ReactNode } from 'react';

import { Button } from '../../components/button';
import { formatDateTime } from '../../lib/format';
import type { CreditPackage, Payment } from './billing-queries';
import { formatMinutes, formatMoney } from './money';
import { PaymentStatusBadge, PROVIDER_LABELS, refundLines } from './payment-labels';

const CELL = 'px-3 py-2 align-top';
// Below 640 px the date and provider fold into the first column, so the table fits 360 px.
const WIDE_ONLY = 'hidden sm:table-cell';

/** The package's name as sold, or its id when the catalogue no longer has it. */
export function packageName(packages: readonly CreditPackage[], payment: Payment): string {
  if (payment.packageId === null) return 'Credits';
  return packages.find((pkg) => pkg.id === payment.packageId)?.name ?? payment.packageId;
}

/**
 * Payments, newest first: what was bought, with whom, for how much, where it stands, and what a refund took back.
 * `extra` adds columns' worth of detail to the first cell (the admin list's owner and provider ids).
 */
export function PaymentsTable<Row extends Payment>({
  payments,
  packages,
  caption,
  extra,
}: {
  payments: readonly Row[];
  packages: readonly CreditPackage[];
  caption: string;
  extra?: (payment: Row) => ReactNode;
}) {
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="border-b border-slate-300 text-slate-700">
        <tr>
          <th scope="col" className={CELL}>
            Package
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            Date
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            Provider
          </th>
          <th scope="col" className={`${CELL} text-right`}>
            Amount
          </th>
          <th scope="col" className={CELL}>
            Status
          </th>
        </tr>
      </thead>
      <tbody>
        {payments.map((payment) => (
          <tr key={payment.id} className="border-b border-slate-200">
            <td className={CELL}>
              <span className="font-semibold break-words">{packageName(packages, payment)}</span>
              <p className="text-xs text-slate-700">{formatMinutes(payment.creditsPurchased)}</p>
              <p className="text-xs text-slate-600 sm:hidden">
                {formatDateTime(payment.createdAt)} · {PROVIDER_LABELS[payment.provider]}
              </p>
              {extra?.(payment)}
            </td>
            <td className={`${CELL} ${WIDE_ONLY}`}>{formatDateTime(payment.createdAt)}</td>
            <td className={`${CELL} ${WIDE_ONLY}`}>{PROVIDER_LABELS[payment.provider]}</td>
            <td className={`${CELL} text-right whitespace-nowrap`}>
              {formatMoney(payment.amountMinor, payment.currency)}
            </td>
            <td className={CELL}>
              <PaymentStatusBadge status={payment.status} />
              {refundLines(payment).map((line) => (
                <p key={line} className="mt-1 text-xs text-slate-800">
                  {line}
                </p>
              ))}
              {payment.status === 'review' && payment.reviewReason ? (
                <p className="mt-1 text-xs break-words text-amber-950">{payment.reviewReason}</p>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Older / newer through `before` cursors: the stack of cursors walked so far is the way back. */
export function CursorPager({
  hasNewer,
  hasOlder,
  onNewer,
  onOlder,
  label,
}: {
  hasNewer: boolean;
  hasOlder: boolean;
  onNewer: () => void;
  onOlder: () => void;
  label: string;
}) {
  if (!hasNewer && !hasOlder) return null;
  return (
    <nav aria-label={label} className="flex items-center justify-between gap-3">
      <Button variant="secondary" disabled={!hasNewer} onClick={onNewer}>
        Newer
      </Button>
      <Button variant="secondary" disabled={!hasOlder} onClick={onOlder}>
        Older
      </Button>
    </nav>
  );
}
