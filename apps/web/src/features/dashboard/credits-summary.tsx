import { ErrorAlert } from '../../components/error-alert';
import { formatCredits } from '../../lib/format';
import { useCredits } from '../account/use-credits';

/** Credits are seconds of audio; what is held is already taken out of what is available. */
export function CreditsSummary() {
  const credits = useCredits();
  return (
    <section aria-labelledby="credits-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="credits-heading" className="text-lg font-semibold">
        Credits
      </h2>
      <ErrorAlert error={credits.error} title="Could not load your credits" />
      {credits.isPending ? (
        <p role="status" className="text-slate-600">
          Loading credits…
        </p>
      ) : null}
      {credits.data ? (
        <dl className="mt-2 grid gap-4 sm:grid-cols-2">
          <div>
            <dt className="text-sm text-slate-600">Available</dt>
            <dd className="text-3xl font-bold text-slate-900">{formatCredits(credits.data.creditsRemaining)}</dd>
          </div>
          <div>
            <dt className="text-sm text-slate-600">Held for your jobs</dt>
            <dd className="text-3xl font-bold text-slate-900">{formatCredits(credits.data.creditsHeld)}</dd>
            <dd className="text-xs text-slate-600">
              Reserved while a job runs and until its result is downloaded; released if it fails or is cancelled.
            </dd>
          </div>
        </dl>
      ) : null}
    </section>
  );
}
