import { formatCredits, formatDateTime } from '../../../lib/format';
import type { Schemas } from '../../../api/client';

type LedgerEntry = Schemas['LedgerEntryDto'];

const KIND_LABELS: Record<string, string> = {
  grant: 'Grant',
  purchase: 'Purchase',
  hold: 'Hold',
  hold_release: 'Hold released',
  charge: 'Charge',
  refund: 'Refund',
  adjustment: 'Correction',
};

const CELL = 'px-3 py-2 align-top';

/** The latest ledger entries, newest first; admin entries show their reason. */
export function LedgerTable({ entries }: { entries: readonly LedgerEntry[] }) {
  if (entries.length === 0) return <p className="text-sm text-slate-700">No entries.</p>;
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">Latest ledger entries, newest first</caption>
      <thead className="border-b border-slate-300 text-slate-700">
        <tr>
          <th scope="col" className={CELL}>
            Entry
          </th>
          <th scope="col" className={`${CELL} text-right`}>
            Amount
          </th>
          <th scope="col" className={`${CELL} hidden text-right sm:table-cell`}>
            Balance after
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} className="border-b border-slate-200">
            <td className={CELL}>
              <span className="font-semibold">{KIND_LABELS[entry.kind] ?? entry.kind}</span>
              {entry.reason ? <p className="text-xs break-words text-slate-700">{entry.reason}</p> : null}
              <p className="text-xs text-slate-600">{formatDateTime(entry.createdAt)}</p>
            </td>
            <td className={`${CELL} text-right whitespace-nowrap`}>
              {entry.amount < 0 ? '−' : '+'}
              {formatCredits(Math.abs(entry.amount))}
            </td>
            <td className={`${CELL} hidden text-right whitespace-nowrap sm:table-cell`}>
              {formatCredits(entry.balanceAfter)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
