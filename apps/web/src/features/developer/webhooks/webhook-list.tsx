import { useId, useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { formatDateTime } from '../../../lib/format';
import { ConfirmDialog } from '../../jobs/job/confirm-dialog';
import { WebhookDeliveries } from './webhook-deliveries';
import { useDeleteWebhook, type WebhookEndpoint } from './webhook-queries';

const STATUS: Record<WebhookEndpoint['status'], { label: string; className: string }> = {
  active: { label: 'Active', className: 'bg-green-100 text-green-900' },
  disabled: { label: 'Disabled', className: 'bg-red-100 text-red-900' },
};

function EndpointCard({ endpoint, onDelete }: { endpoint: WebhookEndpoint; onDelete: (e: WebhookEndpoint) => void }) {
  const [open, setOpen] = useState(false);
  const titleId = useId();
  const panelId = useId();
  const status = STATUS[endpoint.status];
  return (
    <article aria-labelledby={titleId} className="flex flex-col gap-2 rounded-lg border border-slate-200 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h4 id={titleId} className="min-w-0 font-semibold break-all">
          {endpoint.url}
        </h4>
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${status.className}`}>{status.label}</span>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-600">Events</dt>
        <dd className="break-words">{endpoint.events.join(', ')}</dd>
        <dt className="text-slate-600">Added</dt>
        <dd>{formatDateTime(endpoint.createdAt)}</dd>
        {endpoint.disabledAt ? (
          <>
            <dt className="text-slate-600">Disabled on</dt>
            <dd>{formatDateTime(endpoint.disabledAt)}</dd>
          </>
        ) : endpoint.failingSince ? (
          <>
            <dt className="text-slate-600">Failing since</dt>
            <dd>{formatDateTime(endpoint.failingSince)}</dd>
          </>
        ) : null}
      </dl>
      {endpoint.disabledAt ? (
        <p className="text-sm text-slate-700">
          Every delivery failed for 24 hours, so it gets no new events. Delete it and add it again once your server
          answers.
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide deliveries' : 'Show deliveries'}
          <span className="sr-only"> for {endpoint.url}</span>
        </Button>
        <Button variant="secondary" onClick={() => onDelete(endpoint)}>
          Delete<span className="sr-only"> {endpoint.url}</span>
        </Button>
      </div>
      <div id={panelId} hidden={!open}>
        {open ? <WebhookDeliveries endpointId={endpoint.id} disabled={endpoint.status === 'disabled'} /> : null}
      </div>
    </article>
  );
}

/** Every endpoint, newest first, each with its delivery log on demand and a confirmed delete. */
export function WebhookList({ endpoints }: { endpoints: readonly WebhookEndpoint[] }) {
  const remove = useDeleteWebhook();
  const [pending, setPending] = useState<WebhookEndpoint>();
  if (endpoints.length === 0) return <p className="text-sm text-slate-600">No endpoints yet. Add one above.</p>;
  return (
    <>
      <ul className="flex flex-col gap-3" aria-label="Your webhook endpoints">
        {endpoints.map((endpoint) => (
          <li key={endpoint.id}>
            <EndpointCard
              endpoint={endpoint}
              onDelete={(e) => {
                remove.reset();
                setPending(e);
              }}
            />
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={pending !== undefined}
        title="Delete this endpoint?"
        confirmLabel="Delete endpoint"
        cancelLabel="Keep it"
        variant="danger"
        busy={remove.isPending}
        onCancel={() => setPending(undefined)}
        onConfirm={() => {
          if (!pending) return;
          remove.mutate(pending.id, { onSuccess: () => setPending(undefined) });
        }}
      >
        <p className="break-all">{pending?.url}</p>
        <p>It gets no more events, retries in flight stop, and its delivery log is deleted. This cannot be undone.</p>
        <ErrorAlert error={remove.error} title="The endpoint was not deleted" />
      </ConfirmDialog>
    </>
  );
}
