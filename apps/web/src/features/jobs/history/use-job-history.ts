import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';

import { api, unwrap, type Schemas } from '../../../api/client';
import { isActive } from '../../../components/status-badge';
import { CREDITS_QUERY_KEY } from '../../account/use-credits';
import type { StepType } from './job-types';

export type JobSummary = Schemas['JobStatusDto'];

export interface JobHistoryQuery {
  limit: number;
  offset: number;
  status?: JobSummary['status'];
  type?: StepType;
}

/** Prefix of every history query, to invalidate them all after a submit or a cancel. */
export const JOB_HISTORY_QUERY_KEY = ['jobs', 'history'] as const;
/** Often enough that a short job is seen finishing; polling stops as soon as nothing shown can change. */
export const ACTIVE_JOB_POLL_MS = 2_000;

/**
 * A page of the user's jobs. While any job on it is queued or running the page is refetched every 2 s, so
 * statuses move on their own; once each has finished the credits are refetched, as its hold has changed.
 */
export function useJobHistory(query: JobHistoryQuery) {
  const result = useQuery({
    queryKey: [...JOB_HISTORY_QUERY_KEY, query],
    queryFn: async () => unwrap(await api.GET('/api/jobs/history', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: (current) =>
      current.state.data?.items.some((job) => isActive(job.status)) ? ACTIVE_JOB_POLL_MS : false,
  });
  useCreditsRefreshOnSettle(result.data?.items);
  return result;
}

function useCreditsRefreshOnSettle(items: readonly JobSummary[] | undefined): void {
  const queryClient = useQueryClient();
  const wasActive = useRef<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!items) return;
    const settled = items.some((job) => wasActive.current.has(job.jobId) && !isActive(job.status));
    wasActive.current = new Set(items.filter((job) => isActive(job.status)).map((job) => job.jobId));
    if (settled) void queryClient.invalidateQueries({ queryKey: CREDITS_QUERY_KEY });
  }, [items, queryClient]);
}
