import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { authorizedFetch } from '../../../api/client';
import { CREDITS_QUERY_KEY } from '../../account/use-credits';
import { jobKeys, type JobProgressView, type JobStatusView } from './job-queries';
import { SseParser, type SseMessage } from './sse-parser';

const TERMINAL_EVENTS = new Set(['completed', 'failed', 'cancelled']);
/** Reconnects wait 1 s, 2 s, 4 s… up to this; polling covers the gap meanwhile. */
const MAX_BACKOFF_MS = 30_000;
/** After this many failed connections in a row the page stays on polling. */
const MAX_FAILURES = 6;

/**
 * Follows the job's event stream (GET /api/jobs/:id/events) and writes each event into the job's query cache, so the
 * page updates the moment the server sees a change and nothing polls. fetch, not EventSource: EventSource cannot
 * send the Authorization header, and the token lives only in memory. Returns whether the stream is connected; the
 * status and progress queries poll only while it is not (before it opens, between reconnects, or if it cannot be
 * opened at all). A dropped stream reconnects with Last-Event-ID, so only what changed since is sent again.
 */
export function useJobEvents(jobId: string, enabled: boolean): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let lastEventId: string | undefined;
    let failures = 0;

    const apply = (message: SseMessage): boolean => {
      const data = JSON.parse(message.data) as { jobId?: unknown };
      if (data.jobId !== jobId) return false;
      if (message.event === 'progress') {
        queryClient.setQueryData<JobProgressView>(jobKeys.progress(jobId), data as JobProgressView);
      } else if (message.event === 'status' || TERMINAL_EVENTS.has(message.event)) {
        queryClient.setQueryData<JobStatusView>(jobKeys.status(jobId), data as JobStatusView);
      }
      if (!TERMINAL_EVENTS.has(message.event)) return false;
      // The hold was released or settled: the balance changed.
      void queryClient.invalidateQueries({ queryKey: CREDITS_QUERY_KEY });
      return true;
    };

    /** One connection; true once the terminal event arrived (nothing more will happen), false to reconnect. */
    const follow = async (): Promise<boolean | 'give-up'> => {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
      const request = new Request(`${window.location.origin}/api/jobs/${encodeURIComponent(jobId)}/events`, {
        headers,
        signal: abort.signal,
      });
      const response = await authorizedFetch(request);
      // A 4xx other than 429 will not change on retry (gone, not allowed): polling reports it in words.
      if (response.status >= 400 && response.status < 500 && response.status !== 429) return 'give-up';
      if (!response.ok || !response.body) return false;
      setConnected(true);
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return false;
        for (const message of parser.push(value)) {
          // Counted as working only once events flow: a stream that opens and drops at once still backs off.
          failures = 0;
          lastEventId = parser.lastEventId;
          if (apply(message)) {
            await reader.cancel();
            return true;
          }
        }
      }
    };

    void (async () => {
      while (!abort.signal.aborted) {
        let outcome: boolean | 'give-up' = false;
        try {
          outcome = await follow();
        } catch {
          // A network error or a dropped connection: reconnect below.
        }
        setConnected(false);
        if (outcome !== false || abort.signal.aborted) return;
        failures += 1;
        if (failures >= MAX_FAILURES) return;
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (failures - 1))));
      }
    })();

    return () => {
      abort.abort();
      setConnected(false);
    };
  }, [jobId, enabled, queryClient]);

  return connected;
}
