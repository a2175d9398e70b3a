import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { ApiError, api, unwrap, type Schemas } from '../../../api/client';
import { isActive } from '../../../components/status-badge';
import { CREDITS_QUERY_KEY } from '../../account/use-credits';
import { sameOriginStorageLink } from '../../../lib/storage-link';

export type JobStatusView = Schemas['JobStatusDto'];
export type JobProgressView = Schemas['JobProgressDto'];
export type StepView = Schemas['StepProgressDto'];
export type DownloadLinks = Schemas['DownloadDto'];
export type InputAudio = Schemas['InputAudioDto'];
export type TranscriptDocument = Schemas['TranscriptDocumentDto'];
export type TranscriptWord = Schemas['TranscriptWordDto'];

/** Everything about one job lives under ['jobs', id], so one invalidation refreshes the page. */
export const jobKeys = {
  job: (jobId: string) => ['jobs', jobId] as const,
  status: (jobId: string) => ['jobs', jobId, 'status'] as const,
  progress: (jobId: string) => ['jobs', jobId, 'progress'] as const,
  download: (jobId: string) => ['jobs', jobId, 'download'] as const,
  input: (jobId: string) => ['jobs', jobId, 'input'] as const,
  transcript: (jobId: string) => ['jobs', jobId, 'transcript'] as const,
};

/** The API holds a status request this long when nothing changes (it allows up to 60 s). */
const LONG_POLL_SECONDS = 30;
/** Per-step progress comes from workflow heartbeats, so it is read about once a second while the job runs. */
const PROGRESS_POLL_MS = 1_000;
/** A signed link is refreshed this long before it expires, never while it is still good. */
const LINK_MARGIN_MS = 60_000;

/** A missing job (or someone else's, which the API does not tell apart) or a malformed id: nothing to retry. */
export function isJobNotFound(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}

const retryUnlessAnswered = (failureCount: number, error: unknown) =>
  failureCount < 3 && !(error instanceof ApiError && error.status >= 400 && error.status < 500);

/**
 * The job's status, long-polled while it runs: the first read answers at once, each later one is held by the API
 * until the status changes (or 30 s pass), so completion shows without a second of delay or a request a second.
 * While the event stream is connected (`streaming`, see useJobEvents) it writes the cache and nothing polls.
 */
export function useJobStatus(jobId: string, streaming = false) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: jobKeys.status(jobId),
    queryFn: async ({ signal }) => {
      const known = queryClient.getQueryData<JobStatusView>(jobKeys.status(jobId));
      const polled = queryClient.getQueryData<JobProgressView>(jobKeys.progress(jobId));
      // The API holds a request until the status differs from what it read when the request arrived, so a
      // long-poll is only right while the status we show is still current; otherwise catch up at once.
      const current = known !== undefined && (polled === undefined || polled.status === known.status);
      const wait = current && isActive(known.status) ? LONG_POLL_SECONDS : 0;
      const job = unwrap(
        await api.GET('/api/jobs/{id}/status', { params: { path: { id: jobId }, query: { wait } }, signal }),
      );
      // The job just ended: its hold was released (or settled) and its steps were stored; read both again.
      if (known && isActive(known.status) && !isActive(job.status)) {
        void queryClient.invalidateQueries({ queryKey: CREDITS_QUERY_KEY });
        void queryClient.invalidateQueries({ queryKey: jobKeys.progress(jobId) });
      }
      return job;
    },
    // While a long-poll is in flight the interval's fetches join it; once it answers the next one starts.
    refetchInterval: (query) =>
      !streaming && query.state.data && isActive(query.state.data.status) ? PROGRESS_POLL_MS : false,
    retry: retryUnlessAnswered,
    staleTime: 0,
  });
}

/** Per-step progress, live from the workflow while the job runs; read once more when it ends (stored steps). */
export function useJobProgress(jobId: string, enabled: boolean, streaming = false) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: jobKeys.progress(jobId),
    queryFn: async ({ signal }) => {
      const progress = unwrap(await api.GET('/api/jobs/{id}/progress', { params: { path: { id: jobId } }, signal }));
      // The status moved on (pending → running, say) while a long-poll was held for the old one: read it now.
      // (Cached first: the status read decides from it whether it may long-poll.)
      const shown = queryClient.getQueryData<JobStatusView>(jobKeys.status(jobId));
      if (shown && shown.status !== progress.status) {
        queryClient.setQueryData(jobKeys.progress(jobId), progress);
        void queryClient.invalidateQueries({ queryKey: jobKeys.status(jobId) });
      }
      return progress;
    },
    enabled,
    refetchInterval: (query) =>
      !streaming && (!query.state.data || isActive(query.state.data.status)) ? PROGRESS_POLL_MS : false,
    retry: retryUnlessAnswered,
  });
}

/** What a job's status, progress and (through the credits) balance depend on: refetched after a cancel or charge. */
function refreshAfterChange(queryClient: QueryClient, jobId: string) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: jobKeys.status(jobId) }),
    queryClient.invalidateQueries({ queryKey: jobKeys.progress(jobId) }),
    queryClient.invalidateQueries({ queryKey: CREDITS_QUERY_KEY }),
  ]);
}

export function useCancelJob(jobId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/jobs/{id}/cancel', { params: { path: { id: jobId } } })),
    // The cancel is a request: the workflow releases the hold and the status turns `cancelled` moments later,
    // which the long-poll picks up. Credits are read again once it has.
    onSettled: () => refreshAfterChange(queryClient, jobId),
  });
}

const requestDownload = async (jobId: string) =>
  unwrap(await api.POST('/api/audio/download/{job_id}', { params: { path: { job_id: jobId } } }));

/** Fresh until shortly before the link expires. */
const linkStaleTime = (expiresAt: string | undefined) =>
  expiresAt ? Math.max(0, Date.parse(expiresAt) - Date.now() - LINK_MARGIN_MS) : 0;

/**
 * The paid download: the first call charges the output's length, later ones cost nothing (the API keys the
 * charge by job, so a retried or double click cannot charge twice). The links it returns are kept as the
 * download query's data, where the players and the transcript read them.
 */
export function useDownload(jobId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => requestDownload(jobId),
    onSuccess: async (links) => {
      queryClient.setQueryData(jobKeys.download(jobId), links);
      await refreshAfterChange(queryClient, jobId);
    },
  });
}

/**
 * The links of a job whose output is already paid for (a reload, a second visit). Enabled only once the status
 * says it was charged, so this read can never be the charge.
 */
export function useDownloadLinks(jobId: string, charged: boolean) {
  return useQuery({
    queryKey: jobKeys.download(jobId),
    queryFn: () => requestDownload(jobId),
    enabled: charged,
    staleTime: (query) => linkStaleTime(query.state.data?.expiresAt),
    // A new link would reload a player mid-playback; the loaded audio outlives the link anyway.
    refetchOnWindowFocus: false,
    retry: retryUnlessAnswered,
  });
}

/** The owner's own upload, free to play at any time. */
export function useInputAudio(jobId: string, enabled: boolean) {
  return useQuery({
    queryKey: jobKeys.input(jobId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/jobs/{id}/input', { params: { path: { id: jobId } }, signal })),
    enabled,
    staleTime: (query) => linkStaleTime(query.state.data?.expiresAt),
    refetchOnWindowFocus: false,
    retry: retryUnlessAnswered,
  });
}

/** A transcript-only job's transcript JSON, from its (paid) signed link: a file, not an API route. */
export function useTranscript(jobId: string, url: string | undefined) {
  return useQuery({
    queryKey: jobKeys.transcript(jobId),
    queryFn: async ({ signal }): Promise<TranscriptDocument> => {
      if (url === undefined) throw new Error('No transcript link yet');
      const response = await fetch(sameOriginStorageLink(url), { signal });
      if (!response.ok)
        throw new ApiError(response.status, `HTTP_${response.status}`, 'The transcript could not be loaded.');
      return (await response.json()) as TranscriptDocument;
    },
    enabled: url !== undefined,
    // A finished job's transcript never changes.
    staleTime: Infinity,
  });
}
