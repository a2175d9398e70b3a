import { type FormEvent, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import {
  type CreatedIntent,
  type CreditPackage,
  newIdempotencyKey,
  type PaymentProvider,
  type ProviderAvailability,
  useCreateIntent,
  usePackages,
} from './billing-queries';
import { formatMoney } from './money';
import { PackageOptions, ProviderOptions } from './package-picker';
import { PaymentPanel } from './payment-panel';
import { PROVIDER_LABELS } from './payment-labels';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Only a web address may be navigated to (never a javascript: URL, whatever an answer says). */
function isWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Buy a credit package. The page is also where providers send the buyer back (`?payment=<id>`, plus their own
 * parameters), and where a payment started here is followed until it is paid, in review or failed.
 */
export function BuyCreditsPage() {
  const [search, setSearch] = useSearchParams();
  const catalogue = usePackages();
  const [checkout, setCheckout] = useState<CreatedIntent>();
  const paymentParam = search.get('payment');
  const paymentId = paymentParam && UUID.test(paymentParam) ? paymentParam : undefined;
  const cancelled = search.get('cancelled') === '1';
  // PayPal adds token and PayerID to the return URL, Stripe's redirect adds payment_intent: the buyer is back from
  // the provider, so the payment is confirmed once. A payment started on this page has neither.
  const returned = !cancelled && (search.has('PayerID') || search.has('token') || search.has('payment_intent'));

  const started = (created: CreatedIntent) => {
    if (created.client.provider === 'paypal') {
      const approveUrl = created.client.approveUrl;
      if (approveUrl && isWebUrl(approveUrl)) window.location.assign(approveUrl);
      return;
    }
    setCheckout(created);
    // In the address too, so a reload (or a bookmark) still follows this payment.
    setSearch({ payment: created.payment.id });
  };

  return (
    <section className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-bold">Buy credits</h1>
        <Link to="/billing" className="text-sm font-semibold text-indigo-700 underline">
          Billing history
        </Link>
      </div>
      {paymentParam && !paymentId ? (
        <ErrorAlert error={new Error('That payment link is not valid.')} title="Payment not found" />
      ) : null}
      {paymentId ? (
        <PaymentPanel
          key={paymentId}
          paymentId={paymentId}
          cancelled={cancelled}
          confirmOnReturn={returned}
          checkout={checkout?.payment.id === paymentId ? checkout : undefined}
          packages={catalogue.data?.packages ?? []}
        />
      ) : null}
      <ErrorAlert error={catalogue.error} title="Could not load the packages" />
      {catalogue.isPending ? (
        <p role="status" className="text-slate-600">
          Loading packages…
        </p>
      ) : null}
      {catalogue.data ? (
        <BuyForm
          packages={catalogue.data.packages}
          providers={catalogue.data.providers}
          initialPackage={search.get('package') ?? undefined}
          onStarted={started}
        />
      ) : null}
    </section>
  );
}

/**
 * Package and provider, then Buy. One Idempotency-Key per (package, provider) attempt: a retry or a double
 * submit of the same choice replays the same payment, a new choice or a finished attempt gets a new key.
 */
export function BuyForm({
  packages,
  providers,
  initialPackage,
  onStarted,
}: {
  packages: readonly CreditPackage[];
  providers: readonly ProviderAvailability[];
  initialPackage: string | undefined;
  onStarted: (created: CreatedIntent) => void;
}) {
  const [packageId, setPackageId] = useState(
    () => packages.find((pkg) => pkg.id === initialPackage)?.id ?? packages[0]?.id,
  );
  const [provider, setProvider] = useState<PaymentProvider | undefined>(
    () => providers.find((entry) => entry.available)?.provider,
  );
  const attempt = useRef<{ choice: string; key: string } | undefined>(undefined);
  const create = useCreateIntent();
  const pkg = packages.find((entry) => entry.id === packageId);
  const anyAvailable = providers.some((entry) => entry.available);
  const redirecting = create.isSuccess && create.data.client.provider === 'paypal';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!pkg || !provider || create.isPending) return;
    const choice = `${pkg.id}|${provider}`;
    if (attempt.current?.choice !== choice) attempt.current = { choice, key: newIdempotencyKey() };
    create.mutate(
      { packageId: pkg.id, provider, idempotencyKey: attempt.current.key },
      {
        onSuccess: (created) => {
          // This attempt made its payment: buying again is a new purchase.
          attempt.current = undefined;
          onStarted(created);
        },
      },
    );
  };

  return (
    <form aria-label="Buy credits" className="flex flex-col gap-6" onSubmit={submit}>
      <PackageOptions packages={packages} selected={packageId} onSelect={setPackageId} disabled={create.isPending} />
      <ProviderOptions providers={providers} selected={provider} onSelect={setProvider} disabled={create.isPending} />
      {anyAvailable ? null : (
        <p className="text-sm text-slate-800">
          No payment provider is configured on this server yet, so credits cannot be bought here. Ask its administrator.
        </p>
      )}
      <ErrorAlert error={create.error} title="The payment was not started" />
      <div className="flex flex-wrap items-center gap-3">
        <Button
          type="submit"
          disabled={!pkg || !provider || create.isPending || redirecting}
          aria-busy={create.isPending || undefined}
        >
          {pkg ? `Buy ${pkg.name} for ${formatMoney(pkg.priceMinor, pkg.currency)}` : 'Buy'}
        </Button>
        {provider ? <span className="text-sm text-slate-700">with {PROVIDER_LABELS[provider]}</span> : null}
      </div>
      {redirecting ? (
        <p role="status" className="text-sm text-slate-800">
          Taking you to PayPal to approve the payment…
        </p>
      ) : null}
    </form>
  );
}
