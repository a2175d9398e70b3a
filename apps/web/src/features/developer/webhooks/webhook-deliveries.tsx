import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { formatDateTime } from '../../../lib/format';
import { useRedeliver, useWebhookDeliveries, type WebhookDelivery } from './webhook-queries';

const STATUS: Record<WebhookDelivery['status'], { label: string; className: string }> = {
  pending: { label: 'Retrying', className: 'bg-amber-100 text-amber-900' },
  succeeded: { label: 'Delivered', className: 'bg-green-100 text-green-900' },
  failed: { label: 'Failed', className: 'bg-red-100 text-red-900' },
};

function lastResponse(delivery: WebhookDelivery): string {
  if (delivery.lastStatusCode !== null) return `HTTP ${delivery.lastStatusCode}`;
  if (delivery.attempts === 0) return 'Not sent yet';
  return delivery.lastError ? `No answer (${delivery.lastError})` : 'No answer';
}

/**
 * The endpoint's recent deliveries (newest first) as a list of small cards rather than a wide table, so it fits a
 * 360 px phone. Redeliver sends the same event again; a 409 (still retrying, endpoint disabled) is said in words.
 */
export function WebhookDeliveries({ endpointId, disabled }: { endpointId: string; disabled: boolean }) {
  const deliveries = useWebhookDeliveries(endpointId, true);
  const redeliver = useRedeliver(endpointId);

  if (deliveries.isPending) return <p className="text-sm text-slate-600">Loading deliveries…</p>;
  if (deliveries.error) return <ErrorAlert error={deliveries.error} title="Could not load the deliveries" />;
  if (deliveries.data.length === 0) {
    return <p className="text-sm text-slate-600">No deliveries yet: events are sent here as they happen.</p>;
  }
  return (
    <div className="flex flex-col gap-2">
      <ErrorAlert error={redeliver.error} title="The delivery was not sent again" />
      <ul className="flex flex-col gap-2" aria-label="Deliveries">
        {deliveries.data.map((delivery) => {
          const status = STATUS[delivery.status];
          const busy = redeliver.isPending && redeliver.variables === delivery.id;
          return (
            <li key={delivery.id} className="flex flex-col gap-2 rounded-md border border-slate-200 p-3 text-sm">
              <div className="flex flex-wrap items-center gap-2">
                <code className="font-semibold">{delivery.eventType}</code>
                <span className={`rounded px-2 py-0.5 text-xs font-semibold ${status.className}`}>{status.label}</span>
              </div>
              <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
                <dt className="text-slate-600">Attempts</dt>
                <dd>{delivery.attempts}</dd>
                <dt className="text-slate-600">Last response</dt>
                <dd className="break-words">{lastResponse(delivery)}</dd>
                <dt className="text-slate-600">Created</dt>
                <dd>{formatDateTime(delivery.createdAt)}</dd>
                {delivery.deliveredAt ? (
                  <>
                    <dt className="text-slate-600">Delivered</dt>
                    <dd>{formatDateTime(delivery.deliveredAt)}</dd>
                  </>
                ) : delivery.nextAttemptAt && delivery.status === 'pending' ? (
                  <>
                    <dt className="text-slate-600">Next attempt</dt>
                    <dd>{formatDateTime(delivery.nextAttemptAt)}</dd>
                  </>
                ) : null}
              </dl>
              {disabled ? null : (
                <div>
                  <Button
                    variant="secondary"
                    disabled={redeliver.isPending}
                    aria-busy={busy || undefined}
                    onClick={() => redeliver.mutate(delivery.id)}
                  >
                    {busy ? 'Sending…' : 'Redeliver'}
                    <span className="sr-only"> {`${delivery.eventType} of ${formatDateTime(delivery.createdAt)}`}</span>
                  </Button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
