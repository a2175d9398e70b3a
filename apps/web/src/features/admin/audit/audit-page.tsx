import { useId, useState } from 'react';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { ACTION_LABELS } from '../admin-labels';
import { type AdminAction, useAuditLog } from '../admin-queries';
import { AuditTable } from './audit-table';

const ACTIONS = Object.keys(ACTION_LABELS) as AdminAction[];

/** The append-only log of admin actions, newest first, paged by cursor (older pages on demand). */
export function AuditPage() {
  const id = useId();
  const [action, setAction] = useState<AdminAction>();
  // Cursors of the pages shown after the first: "Older" pushes one, "Newer" pops one.
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const log = useAuditLog(action ? { action } : {}, before);

  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Audit log</h1>
      <p className="text-sm text-slate-700">
        Every admin action, with who did it and why. Rows cannot be changed or deleted, not even in the database.
      </p>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-action`} className="text-sm font-medium text-slate-800">
          Action
        </label>
        <select
          id={`${id}-action`}
          value={action ?? ''}
          onChange={(event) => {
            setAction((event.target.value || undefined) as AdminAction | undefined);
            setCursors([]);
          }}
          className="max-w-xs rounded-md border border-slate-300 bg-white px-3 py-2 text-base"
        >
          <option value="">All actions</option>
          {ACTIONS.map((option) => (
            <option key={option} value={option}>
              {ACTION_LABELS[option]}
            </option>
          ))}
        </select>
      </div>
      <ErrorAlert error={log.error} title="Could not load the audit log" />
      {log.isPending ? (
        <p role="status" className="text-slate-600">
          Loading…
        </p>
      ) : null}
      {log.data ? (
        <div className="flex flex-col gap-3" aria-busy={log.isPlaceholderData}>
          {log.data.items.length === 0 ? (
            <p role="status">No admin actions yet.</p>
          ) : (
            <AuditTable entries={log.data.items} caption="Admin actions, newest first" />
          )}
          <nav aria-label="Pagination" className="flex justify-between gap-3">
            <Button
              variant="secondary"
              disabled={cursors.length === 0}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Newer
            </Button>
            <Button
              variant="secondary"
              disabled={log.data.nextCursor === null}
              onClick={() => {
                const next = log.data?.nextCursor;
                if (next !== null && next !== undefined) setCursors([...cursors, next]);
              }}
            >
              Older
            </Button>
          </nav>
        </div>
      ) : null}
    </section>
  );
}
