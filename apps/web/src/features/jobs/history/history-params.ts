import { STATUS_LABELS, type JobStatus } from '../../../components/status-badge';
import { isStepType, type StepType } from './job-types';

export const DEFAULT_PAGE_SIZE = 20;
/** The API's maximum `limit`. */
export const MAX_PAGE_SIZE = 100;
export const PAGE_SIZE_OPTIONS = [10, 20, 50, 100] as const;

/** The history view as the URL holds it (`?status=failed&type=denoise&page=2&limit=50`), so it survives a reload. */
export interface HistoryParams {
  status: JobStatus | undefined;
  type: StepType | undefined;
  /** 1-based. */
  page: number;
  limit: number;
}

function isStatus(value: string): value is JobStatus {
  return Object.hasOwn(STATUS_LABELS, value);
}

function positiveInteger(raw: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === null || !/^\d+$/.test(raw)) return fallback;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : fallback;
}

/** Reads the URL leniently: a hand-edited or stale value falls back to its default instead of an error page. */
export function parseHistoryParams(search: URLSearchParams): HistoryParams {
  const status = search.get('status') ?? '';
  const type = search.get('type') ?? '';
  return {
    status: isStatus(status) ? status : undefined,
    type: isStepType(type) ? type : undefined,
    page: positiveInteger(search.get('page'), 1),
    limit: positiveInteger(search.get('limit'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  };
}

/** The URL for a view; defaults are left out so the plain /history stays plain. */
export function toSearchParams(params: HistoryParams): URLSearchParams {
  const search = new URLSearchParams();
  if (params.type) search.set('type', params.type);
  if (params.status) search.set('status', params.status);
  if (params.page > 1) search.set('page', String(params.page));
  if (params.limit !== DEFAULT_PAGE_SIZE) search.set('limit', String(params.limit));
  return search;
}

/** A new filter or page size starts again at page 1: the old page number means nothing in another list. */
export function withFilters(
  params: HistoryParams,
  change: Partial<Pick<HistoryParams, 'status' | 'type' | 'limit'>>,
): HistoryParams {
  return { ...params, ...change, page: 1 };
}

export function historyQuery(params: HistoryParams) {
  return {
    limit: params.limit,
    offset: (params.page - 1) * params.limit,
    ...(params.status ? { status: params.status } : {}),
    ...(params.type ? { type: params.type } : {}),
  };
}

/** "Showing 21–40 of 73" for the rows on screen; "Showing 73 of 73" for a single one. */
export function describePage(offset: number, shown: number, total: number): string {
  if (shown === 0) return total === 0 ? 'No jobs' : `No jobs on this page (${total} in all)`;
  const from = offset + 1;
  const to = offset + shown;
  return from === to ? `Showing ${from} of ${total}` : `Showing ${from}–${to} of ${total}`;
}

export function pageCount(total: number, limit: number): number {
  return Math.max(1, Math.ceil(total / limit));
}

/** The page-size choices, including a size that came from the URL (e.g. a shared `?limit=5`). */
export function pageSizeOptions(current: number): number[] {
  const options: number[] = [...PAGE_SIZE_OPTIONS];
  return options.includes(current) ? options : [...options, current].sort((a, b) => a - b);
}
