import { useId, useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { SecretField } from './secret-field';
import { useCallbackSecret } from './webhook-queries';

/** The account's callback secret, fetched only when asked for and forgotten when hidden. */
export function CallbackSecret() {
  const [shown, setShown] = useState(false);
  const secret = useCallbackSecret(shown);
  const titleId = useId();
  return (
    <section aria-labelledby={titleId} className="flex flex-col gap-3 rounded-lg border border-slate-200 p-4">
      <h3 id={titleId} className="text-lg font-semibold">
        Job callbacks
      </h3>
      <p className="text-sm text-slate-700">
        Submit a job with <code>?callback_url=https://…</code> to get its final event (job.completed, job.failed or
        job.cancelled) at that address, signed like webhook deliveries but with this one secret of your account.
      </p>
      {shown ? (
        <>
          {secret.isPending ? <p className="text-sm text-slate-600">Loading…</p> : null}
          <ErrorAlert error={secret.error} title="Could not load the callback secret" />
          {secret.data ? <SecretField label="Callback secret" secret={secret.data} /> : null}
        </>
      ) : null}
      <div>
        <Button variant="secondary" aria-expanded={shown} onClick={() => setShown((s) => !s)}>
          {shown ? 'Hide callback secret' : 'Show callback secret'}
        </Button>
      </div>
    </section>
  );
}
