import { ApiError } from '../api/client';
import { BuyCreditsLink, insufficientCreditsOf } from '../features/billing/insufficient-credits';

/** A sentence for any failure: the API's own message, a retry time for 429, never raw JSON. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait !== undefined && wait > 0
        ? `Too many attempts. Try again in ${formatWait(wait)}.`
        : 'Too many attempts. Try again in a moment.';
    }
    return error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}

function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** An error announced to screen readers as it appears; the payment gate's 402 comes with its way out. */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const gate = insufficientCreditsOf(error);
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800">
      {title ? <p className="font-semibold">{title}</p> : null}
      <p>{describeError(error)}</p>
      {gate ? (
        <p className="mt-2">
          <BuyCreditsLink gate={gate} />
        </p>
      ) : null}
    </div>
  );
}
