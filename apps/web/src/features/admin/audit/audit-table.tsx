import { Link } from 'react-router';

import { formatDateTime } from '../../../lib/format';
import { ACTION_LABELS, auditReason, describeAuditDetails } from '../admin-labels';
import type { AuditEntry } from '../admin-queries';

const CELL = 'px-3 py-2 align-top';
const WIDE_ONLY = 'hidden sm:table-cell';

/** Audit rows, newest first: when, who, what, to whom, and why. */
export function AuditTable({ entries, caption }: { entries: readonly AuditEntry[]; caption: string }) {
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="border-b border-slate-300 text-slate-700">
        <tr>
          <th scope="col" className={CELL}>
            Action
          </th>
          <th scope="col" className={CELL}>
            Reason
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            Admin
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            When
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => {
          const details = describeAuditDetails(entry);
          return (
            <tr key={entry.id} className="border-b border-slate-200">
              <td className={CELL}>
                <span className="font-semibold">{ACTION_LABELS[entry.action]}</span>
                {details ? <p className="text-xs text-slate-700">{details}</p> : null}
                {entry.targetUserId ? (
                  <p className="text-xs break-all">
                    <Link to={`/admin/users/${entry.targetUserId}`} className="text-indigo-700 underline">
                      {entry.targetEmail ?? entry.targetUserId}
                    </Link>
                  </p>
                ) : null}
                <p className="text-xs text-slate-600 sm:hidden">
                  {entry.adminEmail ?? entry.adminId} · {formatDateTime(entry.createdAt)}
                </p>
              </td>
              <td className={`${CELL} break-words`}>
                {auditReason(entry) ?? <span className="text-slate-600">No reason given</span>}
              </td>
              <td className={`${CELL} ${WIDE_ONLY} break-all`}>{entry.adminEmail ?? entry.adminId}</td>
              <td className={`${CELL} ${WIDE_ONLY}`}>{formatDateTime(entry.createdAt)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
