import type { CreditPackage, PaymentProvider, ProviderAvailability } from './billing-queries';
import { formatDiscount, formatMoney, formatPerMinute } from './money';
import { PROVIDER_LABELS, PROVIDER_METHODS } from './payment-labels';

const OPTION =
  'flex gap-3 rounded-lg border border-slate-300 bg-white p-4 has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600';

/** The packages as radio cards: minutes, price, what a minute costs in it, and the saving against the smallest. */
export function PackageOptions({
  packages,
  selected,
  onSelect,
  disabled,
}: {
  packages: readonly CreditPackage[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset className="flex flex-col gap-2" disabled={disabled}>
      <legend className="mb-2 text-lg font-semibold">Package</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        {packages.map((pkg) => {
          const discount = formatDiscount(pkg.discount);
          return (
            <label key={pkg.id} className={`${OPTION} cursor-pointer`}>
              <input
                type="radio"
                name="package"
                value={pkg.id}
                checked={selected === pkg.id}
                onChange={() => onSelect(pkg.id)}
                className="mt-1 h-4 w-4 shrink-0 accent-indigo-600"
              />
              <span className="flex min-w-0 flex-col gap-0.5">
                <span className="font-semibold text-slate-900">{pkg.name}</span>
                <span className="text-slate-800">{pkg.minutes} minutes</span>
                <span className="text-2xl font-bold text-slate-900">{formatMoney(pkg.priceMinor, pkg.currency)}</span>
                <span className="text-sm text-slate-700">
                  {formatPerMinute(pkg.pricePerMinuteMinor, pkg.currency)} per minute
                </span>
                {discount ? <span className="text-sm font-semibold text-green-800">Save {discount}</span> : null}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** The payment providers; one this server has no keys for is shown, greyed and disabled, as not configured. */
export function ProviderOptions({
  providers,
  selected,
  onSelect,
  disabled,
}: {
  providers: readonly ProviderAvailability[];
  selected: PaymentProvider | undefined;
  onSelect: (provider: PaymentProvider) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset className="flex flex-col gap-2" disabled={disabled}>
      <legend className="mb-2 text-lg font-semibold">Pay with</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        {providers.map((entry) => (
          <label
            key={entry.provider}
            className={`${OPTION} ${entry.available ? 'cursor-pointer' : 'cursor-not-allowed bg-slate-100 text-slate-600'}`}
          >
            <input
              type="radio"
              name="provider"
              value={entry.provider}
              checked={selected === entry.provider}
              disabled={!entry.available}
              onChange={() => onSelect(entry.provider)}
              className="mt-1 h-4 w-4 shrink-0 accent-indigo-600"
            />
            <span className="flex min-w-0 flex-col gap-0.5">
              <span className={`font-semibold ${entry.available ? 'text-slate-900' : 'text-slate-600'}`}>
                {PROVIDER_LABELS[entry.provider]}
              </span>
              <span className="text-sm">{entry.available ? PROVIDER_METHODS[entry.provider] : 'not configured'}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
