import { useId } from 'react';

import { ErrorAlert } from '../../../components/error-alert';
import { CallbackSecret } from './callback-secret';
import { CreateWebhookForm } from './create-webhook-form';
import { NewWebhookSecret } from './new-webhook-secret';
import { useCreateWebhook, useWebhooks } from './webhook-queries';
import { WebhookList } from './webhook-list';

/** Signed webhooks: add an endpoint (its secret shown once), the endpoints with their deliveries, the callback secret. */
export function WebhooksSection() {
  const endpoints = useWebhooks();
  const create = useCreateWebhook();
  const created = create.data;
  const titleId = useId();

  return (
    <section aria-labelledby={titleId} className="flex flex-col gap-4">
      <div>
        <h2 id={titleId} className="text-xl font-semibold">
          Webhooks
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          We POST each event you choose to your endpoint, signed per Standard Webhooks. Any 2xx answer within 10 s
          counts; anything else is retried for 24 hours.
        </p>
      </div>
      {created ? (
        <NewWebhookSecret url={created.endpoint.url} secret={created.secret} onDone={() => create.reset()} />
      ) : (
        <div className="rounded-lg border border-slate-200 p-4">
          <CreateWebhookForm
            onCreate={(input) => create.mutate(input)}
            pending={create.isPending}
            error={create.error}
          />
        </div>
      )}
      <div className="flex flex-col gap-3">
        <h3 className="text-lg font-semibold">Your endpoints</h3>
        {endpoints.isPending ? (
          <p className="text-sm text-slate-600">Loading…</p>
        ) : endpoints.error ? (
          <ErrorAlert error={endpoints.error} title="Could not load your endpoints" />
        ) : (
          <WebhookList endpoints={endpoints.data} />
        )}
      </div>
      <CallbackSecret />
    </section>
  );
}
