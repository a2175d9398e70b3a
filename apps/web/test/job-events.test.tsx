import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { jobKeys, type JobStatusView } from '../src/features/jobs/job/job-queries';
import { SseParser } from '../src/features/jobs/job/sse-parser';
import { useJobEvents } from '../src/features/jobs/job/use-job-events';
import { jobSummary } from './api-stub';

describe('the event-stream parser', () => {
  it('joins events split across chunks at any byte, skips comments and keeps the last id', () => {
    const text =
      'retry: 3000\n\n: keep-alive\n\nid: 7\nevent: status\ndata: {"a":1}\n\n' +
      'id: 8\r\nevent: progress\r\ndata: line one\r\ndata: line two\r\n\r\ndata: no name\n\n';
    // Every split point gives the same events as one chunk.
    for (let cut = 0; cut <= text.length; cut += 1) {
      const parser = new SseParser();
      const messages = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(messages).toEqual([
        { id: '7', event: 'status', data: '{"a":1}' },
        { id: '8', event: 'progress', data: 'line one\nline two' },
        { id: '8', event: 'message', data: 'no name' },
      ]);
      expect(parser.lastEventId).toBe('8');
    }
  });
});

/** A fetch answering /events with a stream the test writes to, one per connection. */
function streamingFetch() {
  const connections: Array<{ request: Request; write: (text: string) => void; close: () => void }> = [];
  const fetchMock = vi.fn(async (input: Request) => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
    const encoder = new TextEncoder();
    connections.push({
      request: input,
      write: (text) => controller.enqueue(encoder.encode(text)),
      close: () => controller.close(),
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return connections;
}

const frame = (id: number, event: string, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

describe('useJobEvents', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  function Probe({ jobId }: { jobId: string }) {
    const streaming = useJobEvents(jobId, true);
    return <p>{streaming ? 'streaming' : 'polling'}</p>;
  }

  it('writes each event into the job cache, reconnects with Last-Event-ID, and stops after the terminal event', async () => {
    const connections = streamingFetch();
    const job = jobSummary({ status: 'running', progress: 10 });
    const client = new QueryClient();
    render(
      <QueryClientProvider client={client}>
        <Probe jobId={job.jobId} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(connections).toHaveLength(1));
    const first = connections[0];
    expect(first?.request.url).toMatch(new RegExp(`/api/jobs/${job.jobId}/events$`));
    expect(first?.request.headers.get('Last-Event-ID')).toBeNull();

    first?.write(frame(100, 'status', job));
    first?.write(frame(101, 'progress', { jobId: job.jobId, status: 'running', progress: 40, live: true, steps: [] }));
    await screen.findByText('streaming');
    await waitFor(() =>
      expect(client.getQueryData<{ progress: number }>(jobKeys.progress(job.jobId))?.progress).toBe(40),
    );
    expect(client.getQueryData<JobStatusView>(jobKeys.status(job.jobId))?.status).toBe('running');

    // The connection drops: the page falls back to polling, then reconnects from the last id it saw.
    first?.close();
    await screen.findByText('polling');
    await waitFor(() => expect(connections).toHaveLength(2), { timeout: 3_000 });
    const second = connections[1];
    expect(second?.request.headers.get('Last-Event-ID')).toBe('101');

    const done = { ...job, status: 'completed', progress: 100 };
    second?.write(frame(102, 'status', done));
    second?.write(frame(103, 'completed', done));
    await waitFor(() =>
      expect(client.getQueryData<JobStatusView>(jobKeys.status(job.jobId))?.status).toBe('completed'),
    );
    await screen.findByText('polling');
    // Finished: no further connection is made.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(connections).toHaveLength(2);
  });

  it('gives up on a 404 and leaves the page polling', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ statusCode: 404, error: { code: 'JOB_NOT_FOUND', message: 'x' } }), {
          status: 404,
        }),
    );
    vi.stubGlobal('fetch', fetchMock);
    render(
      <QueryClientProvider client={new QueryClient()}>
        <Probe jobId={crypto.randomUUID()} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(screen.getByText('polling')).toBeTruthy();
  });
});
