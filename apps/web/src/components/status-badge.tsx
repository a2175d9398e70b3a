import type { Schemas } from '../api/client';

export type JobStatus = Schemas['JobStatusDto']['status'];

const STYLES: Record<JobStatus, string> = {
  pending: 'bg-slate-100 text-slate-800',
  running: 'bg-blue-100 text-blue-900',
  completed: 'bg-green-100 text-green-900',
  failed: 'bg-red-100 text-red-900',
  cancelled: 'bg-amber-100 text-amber-900',
};

/** What each status is called wherever it is shown (badges, filters). */
export const STATUS_LABELS: Record<JobStatus, string> = {
  pending: 'Queued',
  running: 'Running',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** True while a job may still change: pages poll (or long-poll) only then. */
export function isActive(status: JobStatus): boolean {
  return status === 'pending' || status === 'running';
}

export function StatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-semibold ${STYLES[status]}`}>
      {STATUS_LABELS[status]}
    </span>
  );
}
