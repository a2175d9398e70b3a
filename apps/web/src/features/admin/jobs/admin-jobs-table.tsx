import { Link } from 'react-router';

import { StatusBadge } from '../../../components/status-badge';
import { formatClock, formatDateTime } from '../../../lib/format';
import { describeJobType } from '../../jobs/history/job-types';
import type { AdminJob } from '../admin-queries';

const CELL = 'px-3 py-2 align-top';
// Below 640 px the owner and created columns fold into the first one, so the table fits 360 px.
const WIDE_ONLY = 'hidden sm:table-cell';

/** Jobs of any user, each with its run in the Temporal Web UI when the server knows the UI's address. */
export function AdminJobsTable({
  jobs,
  caption,
  showOwner = true,
}: {
  jobs: readonly AdminJob[];
  caption: string;
  showOwner?: boolean;
}) {
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="border-b border-slate-300 text-slate-700">
        <tr>
          <th scope="col" className={CELL}>
            Job
          </th>
          {showOwner ? (
            <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
              Owner
            </th>
          ) : null}
          <th scope="col" className={CELL}>
            Status
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            Created
          </th>
          <th scope="col" className={CELL}>
            Run
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id} className="border-b border-slate-200">
            <td className={CELL}>
              <span className="font-semibold break-words">{describeJobType(job.jobType)}</span>
              <p className="font-mono text-xs break-all text-slate-600">{job.id}</p>
              <p className="text-xs text-slate-600 sm:hidden">
                {showOwner ? `${job.userEmail} · ` : ''}
                {formatDateTime(job.createdAt)}
              </p>
              {job.inputDurationMs !== null ? (
                <p className="text-xs text-slate-600">Input {formatClock(job.inputDurationMs)}</p>
              ) : null}
            </td>
            {showOwner ? (
              <td className={`${CELL} ${WIDE_ONLY}`}>
                <Link to={`/admin/users/${job.userId}`} className="break-all text-indigo-700 underline">
                  {job.userEmail}
                </Link>
                {job.userTier === 'premium' ? <p className="text-xs text-amber-900">Premium</p> : null}
              </td>
            ) : null}
            <td className={CELL}>
              <StatusBadge status={job.status} />
              {job.error ? <p className="mt-1 text-xs break-words text-red-800">{job.error}</p> : null}
            </td>
            <td className={`${CELL} ${WIDE_ONLY}`}>{formatDateTime(job.createdAt)}</td>
            <td className={CELL}>
              {job.temporalUrl ? (
                <a href={job.temporalUrl} target="_blank" rel="noreferrer" className="text-indigo-700 underline">
                  Temporal<span className="sr-only"> run of job {job.id} (opens a new tab)</span>
                </a>
              ) : (
                <span className="text-xs text-slate-600">No Temporal UI address</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
