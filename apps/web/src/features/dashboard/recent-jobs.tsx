import { Link } from 'react-router';

import { ErrorAlert } from '../../components/error-alert';
import { StatusBadge } from '../../components/status-badge';
import { formatDateTime } from '../../lib/format';
import { describeJobType } from '../jobs/history/job-types';
import { useJobHistory } from '../jobs/history/use-job-history';

export const RECENT_JOBS = 5;
const RECENT_QUERY = { limit: RECENT_JOBS, offset: 0 };

const PRIMARY_LINK =
  'inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700';

/** The latest jobs with live status, and the way to start one. */
export function RecentJobs() {
  const history = useJobHistory(RECENT_QUERY);
  const jobs = history.data?.items;
  return (
    <section aria-labelledby="recent-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="recent-heading" className="text-lg font-semibold">
          Recent jobs
        </h2>
        {jobs && jobs.length > 0 ? (
          <span className="flex flex-wrap items-center gap-3">
            <Link to="/history" className="text-sm font-semibold text-indigo-700 underline">
              View all jobs ({history.data?.total})
            </Link>
            <Link to="/jobs/new" className={PRIMARY_LINK}>
              New job
            </Link>
          </span>
        ) : null}
      </div>
      <ErrorAlert error={history.error} title="Could not load your jobs" />
      {history.isPending ? (
        <p role="status" className="text-slate-600">
          Loading your jobs…
        </p>
      ) : null}
      {jobs && jobs.length === 0 ? (
        <div className="mt-3 flex flex-col items-start gap-3">
          <p className="text-slate-700">
            No jobs yet. Upload a recording to clean up, transcribe or dub, or turn text into speech.
          </p>
          <Link to="/jobs/new" className={PRIMARY_LINK}>
            Start your first job
          </Link>
        </div>
      ) : null}
      {jobs && jobs.length > 0 ? (
        // Polite: a status that changes while the list is on screen is announced once, without stealing focus.
        <ul aria-live="polite" className="mt-3 flex flex-col divide-y divide-slate-200">
          {jobs.map((job) => (
            <li key={job.jobId}>
              <Link
                to={`/jobs/${job.jobId}`}
                className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 py-2 hover:bg-slate-50"
              >
                <span className="flex min-w-0 flex-col">
                  <span className="font-semibold break-words text-indigo-700">{describeJobType(job.jobType)}</span>
                  <span className="text-xs text-slate-600">{formatDateTime(job.createdAt)}</span>
                </span>
                <span className="flex items-center gap-2">
                  {job.status === 'running' && job.progress > 0 ? (
                    <span className="text-xs text-slate-600">{job.progress}%</span>
                  ) : null}
                  <StatusBadge status={job.status} />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
