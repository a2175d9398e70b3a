import { type FormEvent, useId } from 'react';
import { useSearchParams } from 'react-router';

import { Button } from '../../../components/button';
import { ErrorAlert } from '../../../components/error-alert';
import { STATUS_LABELS, type JobStatus } from '../../../components/status-badge';
import { isStepType, STEP_TYPES, stepLabel } from '../../jobs/history/job-types';
import { type AdminJobsFilter, useAdminJobs } from '../admin-queries';
import { PageControls } from '../page-controls';
import { AdminJobsTable } from './admin-jobs-table';

const PAGE_SIZE = 25;
const STATUSES = Object.keys(STATUS_LABELS) as JobStatus[];
const FIELD = 'min-w-0 rounded-md border border-slate-300 bg-white px-3 py-2 text-base';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FILTER_NAMES = ['user', 'type', 'status', 'from', 'to'] as const;

function isStatus(value: string): value is JobStatus {
  return Object.hasOwn(STATUS_LABELS, value);
}

/** The URL's filters, read leniently: a stale or hand-edited value is dropped rather than answered with a 400. */
function filterOf(search: URLSearchParams, page: number): AdminJobsFilter {
  const user = search.get('user')?.trim() ?? '';
  const type = search.get('type') ?? '';
  const status = search.get('status') ?? '';
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  return {
    ...(user ? { user } : {}),
    ...(isStepType(type) ? { type } : {}),
    ...(isStatus(status) ? { status } : {}),
    ...(DATE.test(from) ? { from } : {}),
    ...(DATE.test(to) ? { to } : {}),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
}

/** Every user's jobs with filters (owner, type, status, dates), each linking to its run in the Temporal UI. */
export function AdminJobsPage() {
  const id = useId();
  const [search, setSearch] = useSearchParams();
  const page = Math.max(1, Number(search.get('page')) || 1);
  const filter = filterOf(search, page);
  const jobs = useAdminJobs(filter);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of FILTER_NAMES) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    setSearch(next);
  };
  const goTo = (next: number) => {
    const params = new URLSearchParams(search);
    if (next > 1) params.set('page', String(next));
    else params.delete('page');
    setSearch(params);
  };

  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Jobs</h1>
      <form
        role="search"
        aria-label="Filter jobs"
        className="grid grid-cols-1 gap-3 sm:grid-cols-3 lg:grid-cols-6"
        onSubmit={apply}
        key={search.toString()}
      >
        <div className="flex flex-col gap-1 sm:col-span-2">
          <label htmlFor={`${id}-user`} className="text-sm font-medium text-slate-800">
            User (email or id)
          </label>
          <input id={`${id}-user`} name="user" defaultValue={filter.user ?? ''} className={FIELD} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-type`} className="text-sm font-medium text-slate-800">
            Type
          </label>
          <select id={`${id}-type`} name="type" defaultValue={filter.type ?? ''} className={FIELD}>
            <option value="">All types</option>
            {STEP_TYPES.map((op) => (
              <option key={op} value={op}>
                {stepLabel(op)}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-status`} className="text-sm font-medium text-slate-800">
            Status
          </label>
          <select id={`${id}-status`} name="status" defaultValue={filter.status ?? ''} className={FIELD}>
            <option value="">All statuses</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-from`} className="text-sm font-medium text-slate-800">
            Created from
          </label>
          <input id={`${id}-from`} name="from" type="date" defaultValue={filter.from ?? ''} className={FIELD} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-to`} className="text-sm font-medium text-slate-800">
            Created until
          </label>
          <input id={`${id}-to`} name="to" type="date" defaultValue={filter.to ?? ''} className={FIELD} />
        </div>
        <div className="flex flex-wrap gap-2 sm:col-span-3 lg:col-span-6">
          <Button type="submit">Apply filters</Button>
          {FILTER_NAMES.some((name) => search.has(name)) ? (
            <Button variant="secondary" onClick={() => setSearch(new URLSearchParams())}>
              Clear filters
            </Button>
          ) : null}
        </div>
      </form>
      <ErrorAlert error={jobs.error} title="Could not load the jobs" />
      {jobs.isPending ? (
        <p role="status" className="text-slate-600">
          Loading jobs…
        </p>
      ) : null}
      {jobs.data ? (
        <div className="flex flex-col gap-3" aria-busy={jobs.isPlaceholderData}>
          <p role="status" className="text-sm text-slate-700">
            {jobs.data.total === 0 ? 'No jobs match.' : `${jobs.data.total} job${jobs.data.total === 1 ? '' : 's'}`}
          </p>
          {jobs.data.items.length > 0 ? <AdminJobsTable jobs={jobs.data.items} caption="Jobs, newest first" /> : null}
          <PageControls page={page} hasNext={page * PAGE_SIZE < jobs.data.total} onPage={goTo} />
        </div>
      ) : null}
    </section>
  );
}
