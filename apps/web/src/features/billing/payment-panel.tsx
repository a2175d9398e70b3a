import { useCallback, useEffect, useRef } from 'react';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { formatCredits } from '../../lib/format';
import { useCredits } from '../account/use-credits';
import {
  type ConfirmInput,
  type CreatedIntent,
  type CreditPackage,
  type Payment,
  useConfirmPayment,
  useInvalidateAfterPayment,
  usePayment,
} from './billing-queries';
import { Checking, RazorpayCheckoutStep, StripeCheckoutStep, WaitingForProvider } from './checkout-steps';
import { formatMinutes, formatMoney } from './money';
import { PaymentStatusBadge, PROVIDER_LABELS, refundLines } from './payment-labels';

/** A reason as a sentence: the API's reasons carry no final stop. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** "180 minutes" for whole minutes (every package), else "3 min 20 s". */
function minutesAdded(creditSeconds: number): string {
  return creditSeconds % 60 === 0 ? `${creditSeconds / 60} minutes` : formatMinutes(creditSeconds);
}

/**
 * One payment as it moves: pending (with the provider's own step when it was started on this page), then paid,
 * in review or failed. The payment is polled while pending, so a webhook that completes it shows up here.
 * `confirmOnReturn`: the provider sent the buyer back here (PayPal's approval, a Stripe redirect), so the page
 * asks the API to verify and fulfil it once.
 */
export function PaymentPanel({
  paymentId,
  cancelled,
  confirmOnReturn,
  checkout,
  packages,
}: {
  paymentId: string;
  cancelled: boolean;
  confirmOnReturn: boolean;
  checkout: CreatedIntent | undefined;
  packages: readonly CreditPackage[];
}) {
  const payment = usePayment(paymentId, !cancelled);
  const confirm = useConfirmPayment();
  const credits = useCredits();
  const invalidate = useInvalidateAfterPayment();
  const returned = useRef(false);
  const { mutate } = confirm;
  const onConfirm = useCallback((input: ConfirmInput) => mutate(input), [mutate]);

  useEffect(() => {
    // Once per return: StrictMode's second effect run, or a re-render, must not confirm again.
    if (!confirmOnReturn || returned.current) return;
    returned.current = true;
    mutate({ paymentId });
  }, [confirmOnReturn, paymentId, mutate]);

  const status = payment.data?.status;
  useEffect(() => {
    // Settled (by confirm or by a webhook the poll noticed): the balance and the history changed.
    if (status !== undefined && status !== 'pending') void invalidate();
  }, [status, invalidate]);

  const current: Payment | undefined = payment.data ?? checkout?.payment;
  const pkg = packages.find((entry) => entry.id === current?.packageId);
  const label = pkg?.name ?? current?.packageId ?? 'Credits';

  return (
    <section
      aria-labelledby="payment-heading"
      className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4"
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h2 id="payment-heading" className="text-lg font-semibold">
          Your payment
        </h2>
        {current ? <PaymentStatusBadge status={current.status} /> : null}
      </div>
      {current ? (
        <p className="text-sm text-slate-800">
          {label} · {minutesAdded(current.creditsPurchased)} · {formatMoney(current.amountMinor, current.currency)} with{' '}
          {PROVIDER_LABELS[current.provider]}
        </p>
      ) : null}
      <ErrorAlert error={payment.error} title="Could not load the payment" />
      <div aria-live="polite" className="flex flex-col gap-3">
        {current ? (
          <PaymentState
            payment={current}
            cancelled={cancelled}
            confirming={confirm.isPending}
            balance={credits.data?.creditsRemaining}
            checkout={checkout}
            description={`${label} (${minutesAdded(current.creditsPurchased)})`}
            onConfirm={onConfirm}
          />
        ) : null}
      </div>
      {confirm.error ? (
        <div className="flex flex-col items-start gap-2">
          <ErrorAlert error={confirm.error} title="The payment could not be confirmed" />
          <Button variant="secondary" onClick={() => mutate(confirm.variables ?? { paymentId })}>
            Check again
          </Button>
        </div>
      ) : null}
    </section>
  );
}

function PaymentState({
  payment,
  cancelled,
  confirming,
  balance,
  checkout,
  description,
  onConfirm,
}: {
  payment: Payment;
  cancelled: boolean;
  confirming: boolean;
  balance: number | undefined;
  checkout: CreatedIntent | undefined;
  description: string;
  onConfirm: (input: ConfirmInput) => void;
}) {
  const provider = PROVIDER_LABELS[payment.provider];
  const balanceLine =
    balance !== undefined ? <p className="text-sm text-slate-800">Your balance: {formatCredits(balance)}.</p> : null;
  switch (payment.status) {
    case 'pending':
      if (cancelled) {
        return (
          <p className="text-sm text-slate-800">
            <strong>Cancelled.</strong> You left {provider} without paying; nothing was charged. Choose a package below
            to try again.
          </p>
        );
      }
      if (checkout?.payment.id === payment.id && payment.provider === 'stripe') {
        return (
          <StripeCheckoutStep
            client={checkout.client}
            paymentId={payment.id}
            amountMinor={payment.amountMinor}
            currency={payment.currency}
            confirming={confirming}
            onConfirm={onConfirm}
          />
        );
      }
      if (checkout?.payment.id === payment.id && payment.provider === 'razorpay') {
        return (
          <RazorpayCheckoutStep
            client={checkout.client}
            paymentId={payment.id}
            description={description}
            confirming={confirming}
            onConfirm={onConfirm}
          />
        );
      }
      return confirming ? <Checking provider={payment.provider} /> : <WaitingForProvider provider={payment.provider} />;
    case 'succeeded':
      return (
        <div className="flex flex-col gap-1 rounded-md border border-green-300 bg-green-50 p-3 text-green-950">
          <p className="font-semibold">Paid: {minutesAdded(payment.creditsPurchased)} added</p>
          {balanceLine}
        </div>
      );
    case 'review':
      return (
        <div className="flex flex-col gap-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <p className="font-semibold">In review: no credits were added yet</p>
          <p>{sentence(payment.reviewReason ?? `${provider} reported a payment that does not match the order`)}</p>
          <p>An administrator will look at it and contact you.</p>
        </div>
      );
    case 'failed':
      return (
        <p className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
          <strong>The payment failed.</strong> {provider} did not take the money, and no credits were added. Choose a
          package below to try again.
        </p>
      );
    case 'partially_refunded':
    case 'refunded':
    case 'disputed':
      return (
        <div className="flex flex-col gap-1 text-sm text-slate-800">
          {refundLines(payment).map((line) => (
            <p key={line}>{line}</p>
          ))}
          {balanceLine}
        </div>
      );
  }
}
