import type { Payment, PaymentProvider, PaymentStatus } from './billing-queries';
import { formatMinutes, formatMoney } from './money';

/** Records, so a new status or provider in the API's enums must be named here (the build fails otherwise). */
export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  pending: 'Pending',
  succeeded: 'Paid',
  failed: 'Failed',
  review: 'In review',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
  disputed: 'Disputed',
};

const STATUS_STYLES: Record<PaymentStatus, string> = {
  pending: 'bg-slate-100 text-slate-800',
  succeeded: 'bg-green-100 text-green-900',
  failed: 'bg-red-100 text-red-900',
  review: 'bg-amber-100 text-amber-900',
  partially_refunded: 'bg-blue-100 text-blue-900',
  refunded: 'bg-blue-100 text-blue-900',
  disputed: 'bg-red-100 text-red-900',
};

export const PROVIDER_LABELS: Record<PaymentProvider, string> = {
  stripe: 'Stripe',
  razorpay: 'Razorpay',
  paypal: 'PayPal',
};

/** What each provider takes, for the picker. */
export const PROVIDER_METHODS: Record<PaymentProvider, string> = {
  stripe: 'Card',
  razorpay: 'UPI',
  paypal: 'PayPal account',
};

export const PAYMENT_STATUSES = Object.keys(PAYMENT_STATUS_LABELS) as PaymentStatus[];

export function PaymentStatusBadge({ status }: { status: PaymentStatus }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${STATUS_STYLES[status]}`}>
      {PAYMENT_STATUS_LABELS[status]}
    </span>
  );
}

/** "Refunded $12.50, 25 min taken back" (and any dispute), and what could not be taken back, or nothing when no money went back. */
export function refundLines(payment: Payment): string[] {
  const lines: string[] = [];
  const parts = [
    ...(payment.refundedMinor > 0 ? [`Refunded ${formatMoney(payment.refundedMinor, payment.currency)}`] : []),
    ...(payment.disputedMinor > 0
      ? [`returned in a dispute ${formatMoney(payment.disputedMinor, payment.currency)}`]
      : []),
  ];
  if (parts.length > 0) {
    const taken = payment.creditsReversed > 0 ? `, ${formatMinutes(payment.creditsReversed)} taken back` : '';
    const text = parts.join(', ');
    lines.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}${taken}`);
  }
  if (payment.creditsShortfall > 0) {
    lines.push(`${formatMinutes(payment.creditsShortfall)} could not be taken back (already used)`);
  }
  return lines;
}
