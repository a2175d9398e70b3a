import { useId, useState } from 'react';

import { Button } from '../../components/button';
import { ErrorAlert } from '../../components/error-alert';
import { formatDateTime } from '../../lib/format';
import { ConfirmDialog } from '../jobs/job/confirm-dialog';
import { type ApiKey, useRevokeApiKey } from './developer-queries';
import { scopeLabel } from './scopes';

const STATUS: Record<ApiKey['status'], { label: string; className: string }> = {
  active: { label: 'Active', className: 'bg-green-100 text-green-900' },
  expired: { label: 'Expired', className: 'bg-slate-200 text-slate-800' },
  revoked: { label: 'Revoked', className: 'bg-red-100 text-red-900' },
};

function KeyCard({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke: (key: ApiKey) => void }) {
  const titleId = useId();
  const status = STATUS[apiKey.status];
  return (
    <article aria-labelledby={titleId} className="flex flex-col gap-2 rounded-lg border border-slate-200 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={titleId} className="font-semibold break-words">
          {apiKey.name}
        </h3>
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${status.className}`}>{status.label}</span>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-600">Key</dt>
        <dd>
          <code>{apiKey.prefix}…</code>
        </dd>
        <dt className="text-slate-600">Permissions</dt>
        <dd>{apiKey.scopes.map(scopeLabel).join(', ')}</dd>
        <dt className="text-slate-600">Created</dt>
        <dd>{formatDateTime(apiKey.createdAt)}</dd>
        <dt className="text-slate-600">Last used</dt>
        <dd>{apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : 'Never'}</dd>
        <dt className="text-slate-600">{apiKey.status === 'expired' ? 'Expired' : 'Expires'}</dt>
        <dd>{apiKey.expiresAt ? formatDateTime(apiKey.expiresAt) : 'Never'}</dd>
        {apiKey.revokedAt ? (
          <>
            <dt className="text-slate-600">Revoked on</dt>
            <dd>{formatDateTime(apiKey.revokedAt)}</dd>
          </>
        ) : null}
      </dl>
      {apiKey.status === 'active' ? (
        <div>
          <Button variant="secondary" onClick={() => onRevoke(apiKey)}>
            Revoke<span className="sr-only"> {apiKey.name}</span>
          </Button>
        </div>
      ) : null}
    </article>
  );
}

/** Every key, newest first, with a confirmed revoke for the active ones. */
export function KeyList({ keys }: { keys: readonly ApiKey[] }) {
  const revoke = useRevokeApiKey();
  const [pending, setPending] = useState<ApiKey>();
  if (keys.length === 0) return <p className="text-sm text-slate-600">No keys yet. Create one above.</p>;
  return (
    <>
      <ul className="flex flex-col gap-3" aria-label="Your API keys">
        {keys.map((apiKey) => (
          <li key={apiKey.id}>
            <KeyCard
              apiKey={apiKey}
              onRevoke={(key) => {
                revoke.reset();
                setPending(key);
              }}
            />
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={pending !== undefined}
        title={`Revoke “${pending?.name ?? ''}”?`}
        confirmLabel="Revoke key"
        cancelLabel="Keep it"
        variant="danger"
        busy={revoke.isPending}
        onCancel={() => setPending(undefined)}
        onConfirm={() => {
          if (!pending) return;
          revoke.mutate(pending.id, { onSuccess: () => setPending(undefined) });
        }}
      >
        <p>Programs using this key are refused from their very next request. This cannot be undone.</p>
        <ErrorAlert error={revoke.error} title="The key was not revoked" />
      </ConfirmDialog>
    </>
  );
}
