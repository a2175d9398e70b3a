import { Link } from 'react-router';

import { StatusBadge } from '../../../components/status-badge';
import { formatClock, formatCredits, formatDateTime } from '../../../lib/format';
import { describeJobType } from './job-types';
import type { JobSummary } from './use-job-history';

function None() {
  return (
    <>
      <span aria-hidden="true">—</span>
      <span className="sr-only">None</span>
    </>
  );
}

/** What the job cost: charged at first download; until then the hold it keeps, if any. */
function Credits({ job }: { job: JobSummary }) {
  if (job.creditsCharged !== null) return <>{formatCredits(job.creditsCharged)}</>;
  if (job.creditsHeld > 0) return <span className="text-slate-600">{formatCredits(job.creditsHeld)} held</span>;
  return <None />;
}

const CELL = 'px-3 py-2 align-top';
// Below 640 px the created and input columns fold into the first one, so the table fits 360 px.
const WIDE_ONLY = 'hidden sm:table-cell';

export function HistoryTable({ jobs }: { jobs: readonly JobSummary[] }) {
  return (
    <table className="w-full border-collapse text-left text-sm">
      <caption className="sr-only">Your jobs, newest first</caption>
      <thead className="border-b border-slate-300 text-slate-700">
        <tr>
          <th scope="col" className={CELL}>
            Job
          </th>
          <th scope="col" className={CELL}>
            Status
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            Created
          </th>
          <th scope="col" className={`${CELL} ${WIDE_ONLY}`}>
            Input
          </th>
          <th scope="col" className={`${CELL} text-right`}>
            Credits charged
          </th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.jobId} className="border-b border-slate-200">
            <td className={CELL}>
              <Link to={`/jobs/${job.jobId}`} className="font-semibold break-words text-indigo-700 underline">
                {describeJobType(job.jobType)}
              </Link>
              <p className="text-xs text-slate-600 sm:hidden">
                {formatDateTime(job.createdAt)}
                {job.inputDurationMs !== null ? ` · ${formatClock(job.inputDurationMs)}` : null}
              </p>
            </td>
            <td className={CELL}>
              <StatusBadge status={job.status} />
              {job.status === 'running' && job.progress > 0 ? (
                <span className="ml-1 text-xs text-slate-600">{job.progress}%</span>
              ) : null}
            </td>
            <td className={`${CELL} ${WIDE_ONLY}`}>{formatDateTime(job.createdAt)}</td>
            <td className={`${CELL} ${WIDE_ONLY}`}>
              {job.inputDurationMs !== null ? formatClock(job.inputDurationMs) : <None />}
            </td>
            <td className={`${CELL} text-right`}>
              <Credits job={job} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
