import { formatCredits } from '../../../lib/format';
import { BuyCreditsLink } from '../../billing/insufficient-credits';

/**
 * The credits the submit will hold, against the balance: shown before anything is uploaded, so a job the
 * balance cannot cover is stopped here rather than after a long upload.
 */
export function CostSummary({
  estimate,
  balance,
  pendingReason,
}: {
  estimate: number | undefined;
  balance: number | undefined;
  /** Why there is no estimate yet ("Add an audio file…"). */
  pendingReason: string | undefined;
}) {
  const insufficient = estimate !== undefined && balance !== undefined && estimate > balance;
  return (
    <section
      aria-labelledby="cost-heading"
      className="flex flex-col gap-2 rounded-lg border border-slate-200 bg-white p-4"
    >
      <h2 id="cost-heading" className="text-lg font-semibold">
        Cost
      </h2>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-600">Estimated</dt>
        <dd className="font-semibold" data-testid="cost-estimate">
          {estimate === undefined ? (pendingReason ?? '—') : formatCredits(estimate)}
        </dd>
        <dt className="text-slate-600">Your balance</dt>
        <dd data-testid="credit-balance">{balance === undefined ? '…' : formatCredits(balance)}</dd>
      </dl>
      <p className="text-xs text-slate-600">
        One credit is one second of input. The estimate is held when the job starts; you are charged per downloaded
        minute, and nothing if the job fails.
      </p>
      {insufficient ? (
        <p
          id="insufficient-credits"
          role="alert"
          className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800"
        >
          Not enough credits: this job needs {formatCredits(estimate)} and your balance is {formatCredits(balance)}. Use
          a shorter recording or buy credits.
          {/* The same way out as the API's 402; the buy page shows which package covers the gap. */}
          <span className="mt-2 block">
            <BuyCreditsLink
              gate={{ shortfall: estimate - balance, shortfallMinutes: Math.ceil((estimate - balance) / 60) }}
            />
          </span>
        </p>
      ) : null}
    </section>
  );
}
