import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import type { ConfirmInput, PaymentClientData, PaymentProvider } from './billing-queries';
import { formatMoney } from './money';
import { PROVIDER_LABELS } from './payment-labels';
import { openRazorpayCheckout } from './razorpay-checkout';
import { loadStripe, type StripeElements, type StripeJs } from './stripe-js';

/** Pending, with nothing for the buyer to do here: the provider (or its webhook) finishes it, and the page polls. */
export function WaitingForProvider({ provider, reason }: { provider: PaymentProvider; reason?: string }) {
  const name = PROVIDER_LABELS[provider];
  return (
    <div className="flex flex-col gap-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
      <p className="font-semibold">Waiting for {name}</p>
      {reason ? <p>{reason}</p> : null}
      <p>The payment is pending. This page updates by itself as soon as {name} confirms it; you can also leave it.</p>
    </div>
  );
}

/** The confirm call is asking the provider (a capture for PayPal): a second or two. */
export function Checking({ provider }: { provider: PaymentProvider }) {
  return (
    <p role="status" className="text-sm text-slate-800">
      Checking the payment with {PROVIDER_LABELS[provider]}…
    </p>
  );
}

/** Where Stripe sends the buyer back after a payment method that needs a redirect (3-D Secure, bank pages). */
export function stripeReturnUrl(paymentId: string): string {
  return `${window.location.origin}/billing/buy?payment=${encodeURIComponent(paymentId)}`;
}

type StripePhase = 'loading' | 'ready' | 'paying' | 'submitted' | 'unavailable';

/**
 * Stripe's Payment Element for the PaymentIntent, from Stripe.js (js.stripe.com, which the CSP admits only when a
 * publishable key is configured). Without a key, or when Stripe.js cannot load, the payment waits for Stripe.
 */
export function StripeCheckoutStep({
  client,
  paymentId,
  amountMinor,
  currency,
  confirming,
  onConfirm,
}: {
  client: PaymentClientData;
  paymentId: string;
  amountMinor: number;
  currency: string;
  confirming: boolean;
  onConfirm: (input: ConfirmInput) => void;
}) {
  const { publishableKey, clientSecret } = client;
  const usable = Boolean(publishableKey && clientSecret);
  const [phase, setPhase] = useState<StripePhase>(usable ? 'loading' : 'unavailable');
  const [loadFailed, setLoadFailed] = useState(false);
  const [error, setError] = useState<Error>();
  const mountPoint = useRef<HTMLDivElement>(null);
  const session = useRef<{ stripe: StripeJs; elements: StripeElements } | undefined>(undefined);

  useEffect(() => {
    if (!publishableKey || !clientSecret) return;
    let abandoned = false;
    let destroy: (() => void) | undefined;
    loadStripe(publishableKey).then(
      (stripe) => {
        if (abandoned || !mountPoint.current) return;
        const elements = stripe.elements({ clientSecret });
        const element = elements.create('payment', { layout: 'tabs' });
        element.mount(mountPoint.current);
        destroy = () => element.destroy();
        session.current = { stripe, elements };
        setPhase('ready');
      },
      () => {
        if (abandoned) return;
        setLoadFailed(true);
        setPhase('unavailable');
      },
    );
    return () => {
      abandoned = true;
      destroy?.();
      session.current = undefined;
    };
  }, [publishableKey, clientSecret]);

  if (phase === 'unavailable') {
    return (
      <WaitingForProvider
        provider="stripe"
        reason={
          loadFailed
            ? 'Stripe’s payment form could not be loaded (offline, or blocked by the browser), so it cannot be shown here.'
            : 'This server has no Stripe publishable key (STRIPE_PUBLISHABLE_KEY), so Stripe’s payment form cannot be shown here.'
        }
      />
    );
  }

  const pay = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const current = session.current;
    if (!current) return;
    setPhase('paying');
    setError(undefined);
    const result = await current.stripe.confirmPayment({
      elements: current.elements,
      // Cards finish in the page; only methods that need their bank's page redirect (back to this page).
      redirect: 'if_required',
      confirmParams: { return_url: stripeReturnUrl(paymentId) },
    });
    if (result.error) {
      setError(new Error(result.error.message ?? 'Stripe did not take the payment.'));
      setPhase('ready');
      return;
    }
    setPhase('submitted');
    onConfirm({ paymentId });
  };

  // Stripe has the details; confirm (or the webhook) finishes it. The form stays mounted, hidden, so Stripe's
  // element is not torn down while its last request may still run.
  const submitted = phase === 'submitted';
  return (
    <>
      {submitted && confirming ? <Checking provider="stripe" /> : null}
      {submitted && !confirming ? (
        <WaitingForProvider provider="stripe" reason="Stripe has your payment details and is processing them." />
      ) : null}
      <form
        hidden={submitted}
        aria-label="Pay with Stripe"
        className="flex flex-col gap-3"
        onSubmit={(event) => void pay(event)}
      >
        <div ref={mountPoint} className="min-h-10" />
        {phase === 'loading' ? (
          <p role="status" className="text-sm text-slate-700">
            Loading Stripe…
          </p>
        ) : null}
        <ErrorAlert error={error} title="Stripe did not take the payment" />
        <div>
          <Button type="submit" disabled={phase !== 'ready'} aria-busy={phase === 'paying' || undefined}>
            {phase === 'paying' ? 'Paying…' : `Pay ${formatMoney(amountMinor, currency)}`}
          </Button>
        </div>
      </form>
    </>
  );
}

type RazorpayPhase = 'loading' | 'open' | 'paid' | 'dismissed' | 'unavailable';

/**
 * Razorpay Checkout (checkout.razorpay.com) opened on the order; its handler's payment id and signature go to the
 * confirm call, which checks the signature on the server. When the script cannot load, the payment waits.
 */
export function RazorpayCheckoutStep({
  client,
  paymentId,
  description,
  confirming,
  onConfirm,
}: {
  client: PaymentClientData;
  paymentId: string;
  description: string;
  confirming: boolean;
  onConfirm: (input: ConfirmInput) => void;
}) {
  const [phase, setPhase] = useState<RazorpayPhase>('loading');
  const [failure, setFailure] = useState<string>();
  const opened = useRef(false);
  const { keyId, orderId, amountMinor, currency } = client;

  const open = useCallback(() => {
    if (!keyId || !orderId || amountMinor === undefined || !currency) {
      setPhase('unavailable');
      return;
    }
    setPhase('loading');
    setFailure(undefined);
    openRazorpayCheckout(
      {
        key: keyId,
        order_id: orderId,
        amount: amountMinor,
        currency: currency.toUpperCase(),
        name: 'Voice Studio',
        description,
        handler: (response) => {
          setPhase('paid');
          onConfirm({
            paymentId,
            razorpayPaymentId: response.razorpay_payment_id,
            razorpaySignature: response.razorpay_signature,
          });
        },
        modal: { ondismiss: () => setPhase((current) => (current === 'paid' ? current : 'dismissed')) },
      },
      setFailure,
    ).then(
      () => setPhase((current) => (current === 'loading' ? 'open' : current)),
      () => setPhase('unavailable'),
    );
  }, [keyId, orderId, amountMinor, currency, description, paymentId, onConfirm]);

  useEffect(() => {
    // Once per payment: StrictMode's second effect run must not open a second Checkout.
    if (opened.current) return;
    opened.current = true;
    open();
  }, [open]);

  switch (phase) {
    case 'unavailable':
      return (
        <WaitingForProvider
          provider="razorpay"
          reason="Razorpay Checkout could not be loaded (offline, or blocked by the browser), so it cannot be shown here."
        />
      );
    case 'loading':
      return (
        <p role="status" className="text-sm text-slate-700">
          Opening Razorpay Checkout…
        </p>
      );
    case 'open':
      return failure ? <ErrorAlert error={new Error(failure)} title="Razorpay did not take the payment" /> : null;
    case 'paid':
      return confirming ? (
        <Checking provider="razorpay" />
      ) : (
        <WaitingForProvider provider="razorpay" reason="Razorpay has the payment and has not captured it yet." />
      );
    case 'dismissed':
      return (
        <div className="flex flex-col items-start gap-2">
          {failure ? <ErrorAlert error={new Error(failure)} title="Razorpay did not take the payment" /> : null}
          <p className="text-sm text-slate-800">Razorpay Checkout was closed before the payment finished.</p>
          <Button variant="secondary" onClick={open}>
            Open Razorpay Checkout again
          </Button>
        </div>
      );
  }
}
