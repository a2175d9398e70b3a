import { useId } from 'react';

import { Button } from '../../../components/button';
import { STATUS_LABELS, type JobStatus } from '../../../components/status-badge';
import { type HistoryParams, pageSizeOptions } from './history-params';
import { STEP_TYPES, stepLabel, type StepType } from './job-types';

const STATUSES = Object.keys(STATUS_LABELS) as JobStatus[];
const SELECT = 'rounded-md border border-slate-300 bg-white px-3 py-2 text-base';

interface Props {
  params: HistoryParams;
  onChange: (change: Partial<Pick<HistoryParams, 'status' | 'type' | 'limit'>>) => void;
}

/** Type, status and page size; each change is applied at once (no submit button) and lands in the URL. */
export function HistoryFilters({ params, onChange }: Props) {
  const id = useId();
  const filtered = params.status !== undefined || params.type !== undefined;
  return (
    <form
      role="search"
      aria-label="Filter jobs"
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => event.preventDefault()}
    >
      <div className="flex min-w-0 flex-col gap-1">
        <label htmlFor={`${id}-type`} className="text-sm font-medium text-slate-800">
          Type
        </label>
        <select
          id={`${id}-type`}
          className={SELECT}
          value={params.type ?? ''}
          aria-describedby={`${id}-type-hint`}
          onChange={(event) => onChange({ type: (event.target.value || undefined) as StepType | undefined })}
        >
          <option value="">All types</option>
          {STEP_TYPES.map((op) => (
            <option key={op} value={op}>
              {stepLabel(op)}
            </option>
          ))}
        </select>
        <p id={`${id}-type-hint`} className="sr-only">
          A job of several steps is listed under each of its steps.
        </p>
      </div>
      <div className="flex min-w-0 flex-col gap-1">
        <label htmlFor={`${id}-status`} className="text-sm font-medium text-slate-800">
          Status
        </label>
        <select
          id={`${id}-status`}
          className={SELECT}
          value={params.status ?? ''}
          onChange={(event) => onChange({ status: (event.target.value || undefined) as JobStatus | undefined })}
        >
          <option value="">All statuses</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABELS[status]}
            </option>
          ))}
        </select>
      </div>
      <div className="flex min-w-0 flex-col gap-1">
        <label htmlFor={`${id}-limit`} className="text-sm font-medium text-slate-800">
          Per page
        </label>
        <select
          id={`${id}-limit`}
          className={SELECT}
          value={params.limit}
          onChange={(event) => onChange({ limit: Number(event.target.value) })}
        >
          {pageSizeOptions(params.limit).map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </div>
      {filtered ? (
        <Button variant="secondary" onClick={() => onChange({ status: undefined, type: undefined })}>
          Clear filters
        </Button>
      ) : null}
    </form>
  );
}
