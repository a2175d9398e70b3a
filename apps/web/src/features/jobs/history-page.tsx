import { Link, useSearchParams } from 'react-router';

import { ErrorAlert } from '../../components/error-alert';
import { HistoryFilters } from './history/history-filters';
import {
  describePage,
  historyQuery,
  parseHistoryParams,
  toSearchParams,
  withFilters,
  type HistoryParams,
} from './history/history-params';
import { HistoryTable } from './history/history-table';
import { Pagination } from './history/pagination';
import { useJobHistory } from './history/use-job-history';

/** Every job of the user, filtered and paged; the view lives in the URL so it can be reloaded and shared. */
export function HistoryPage() {
  const [search, setSearch] = useSearchParams();
  const params = parseHistoryParams(search);
  const query = historyQuery(params);
  const history = useJobHistory(query);
  const show = (next: HistoryParams) => setSearch(toSearchParams(next));
  const filtered = params.status !== undefined || params.type !== undefined;
  const data = history.data;

  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">History</h1>
        <Link to="/jobs/new" className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white">
          New job
        </Link>
      </div>
      <HistoryFilters params={params} onChange={(change) => show(withFilters(params, change))} />
      <ErrorAlert error={history.error} title="Could not load your jobs" />
      {history.isPending ? (
        <p role="status" className="text-slate-600">
          Loading your jobs…
        </p>
      ) : null}
      {data ? (
        <div className="flex flex-col gap-3" aria-busy={history.isPlaceholderData}>
          <p role="status" className="text-sm text-slate-700">
            {describePage(data.offset, data.items.length, data.total)}
          </p>
          {data.items.length > 0 ? <HistoryTable jobs={data.items} /> : null}
          {data.total === 0 && !filtered ? (
            <p>
              No jobs yet.{' '}
              <Link to="/jobs/new" className="font-semibold text-indigo-700 underline">
                Start your first job
              </Link>
              .
            </p>
          ) : null}
          {data.total === 0 && filtered ? <p>No jobs match these filters.</p> : null}
          {data.total > 0 ? (
            <Pagination
              page={params.page}
              limit={params.limit}
              total={data.total}
              onPage={(page) => show({ ...params, page })}
            />
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
