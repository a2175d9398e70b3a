import { Link } from 'react-router';

import { ErrorAlert } from '../../../components/error-alert';
import { isActive, StatusBadge } from '../../../components/status-badge';
import { formatClock, formatCredits, formatDateTime } from '../../../lib/format';
import { useCredits } from '../../account/use-credits';
import { CancelJob } from './cancel-job';
import { DownloadPanel } from './download-panel';
import { jobTitle } from './job-labels';
import {
  isJobNotFound,
  type JobProgressView,
  type JobStatusView,
  useDownloadLinks,
  useJobProgress,
  useJobStatus,
} from './job-queries';
import { JobResultDetails } from './job-result-details';
import { ListenPanel } from './listen-panel';
import { ProgressBar } from './progress-bar';
import { StepList } from './step-list';
import { useJobEvents } from './use-job-events';
import { useNow } from './use-now';

/** The job page: live progress while it runs, then its outcome (download, players, transcript, or the error). */
export function JobView({ jobId }: { jobId: string }) {
  // The stream also serves a finished job (its final events, then it closes), so it opens before the status is known.
  const streaming = useJobEvents(jobId, true);
  const status = useJobStatus(jobId, streaming);
  const progress = useJobProgress(jobId, status.isSuccess, streaming);
  if (status.isPending) {
    return (
      <p role="status" className="text-slate-700">
        Loading the job…
      </p>
    );
  }
  if (status.isError) {
    if (isJobNotFound(status.error)) return <JobNotFound />;
    return <ErrorAlert error={status.error} title="The job could not be loaded" />;
  }
  return <JobDetails job={status.data} progress={progress.data} />;
}

function JobNotFound() {
  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">Job not found</h1>
      <p>
        There is no job at this address, or it belongs to another account.{' '}
        <Link className="font-semibold text-indigo-700 underline" to="/history">
          See your jobs
        </Link>
        .
      </p>
    </section>
  );
}

function JobDetails({ job, progress }: { job: JobStatusView; progress: JobProgressView | undefined }) {
  const active = isActive(job.status);
  const steps = progress?.steps ?? [];
  const now = useNow(active && steps.some((step) => step.state === 'running'));
  const overall = job.status === 'completed' ? 100 : Math.max(job.progress, active ? (progress?.progress ?? 0) : 0);
  const links = useDownloadLinks(job.jobId, job.status === 'completed' && job.creditsCharged !== null);

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-1">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-bold">{jobTitle(job.jobType)}</h1>
          <StatusBadge status={job.status} />
        </div>
        <p className="text-sm break-all text-slate-600">
          Job {job.jobId} · created {formatDateTime(job.createdAt)}
          {job.inputDurationMs !== null ? ` · ${formatClock(job.inputDurationMs)} of audio` : ''}
        </p>
      </header>

      <section aria-labelledby="progress-heading" className="flex flex-col gap-3">
        <div className="flex items-baseline justify-between gap-2">
          <h2 id="progress-heading" className="text-lg font-semibold">
            Progress
          </h2>
          <span className="text-sm text-slate-700 tabular-nums">{overall}%</span>
        </div>
        <ProgressBar
          value={overall}
          label="Overall progress"
          tone={job.status === 'failed' ? 'failed' : job.status === 'cancelled' ? 'stopped' : 'working'}
        />
        {steps.length > 0 ? <StepList steps={steps} now={now} /> : null}
        {active ? <CancelJob job={job} /> : null}
      </section>

      <Outcome job={job} />

      {job.status === 'completed' ? <DownloadPanel job={job} links={links.data} /> : null}
      {links.error ? <ErrorAlert error={links.error} title="The download links could not be loaded" /> : null}
      {job.status === 'completed' || job.inputDurationMs !== null ? <ListenPanel job={job} links={links.data} /> : null}
      {job.result ? <JobResultDetails result={job.result} /> : null}
    </div>
  );
}

/** A failed or cancelled job says so, and what became of its credits. */
function Outcome({ job }: { job: JobStatusView }) {
  const credits = useCredits();
  const balance = credits.data ? ` Your balance is ${formatCredits(credits.data.creditsRemaining)}.` : '';
  if (job.status === 'failed') {
    return (
      <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-4 text-red-900">
        <h2 className="font-semibold">This job failed</h2>
        <p className="mt-1">{job.error ?? 'The job stopped without saying why.'}</p>
        <p className="mt-2 text-sm">Nothing was charged: the credit held for it was released.{balance}</p>
      </div>
    );
  }
  if (job.status === 'cancelled') {
    return (
      <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-amber-950">
        <h2 className="font-semibold">Cancelled</h2>
        <p className="mt-1 text-sm">Nothing was charged, and the credit held for this job was released.{balance}</p>
      </div>
    );
  }
  return null;
}
