import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { JobsService } from '../jobs.service';
import { JobEventsHub, type JobEvent, type JobEventSink } from './job-events-hub';

/** A listener whose unsent events exceed this is too slow to follow the job: its stream is ended, not buffered. */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** Tells EventSource-style clients how long to wait before reconnecting. */
const RETRY_MS = 3_000;
/** After a shutdown's `reconnect` event: soon, the load balancer has taken this instance out by then. */
const SHUTDOWN_RETRY_MS = 500;

/** `Last-Event-ID` as sent back by a reconnecting client: our ids are non-negative integers; anything else is ignored. */
export function parseLastEventId(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/** One SSE frame: `id:`, `event:`, `data:` (single-line JSON), then a blank line. */
export function formatEvent(event: JobEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Serves GET /api/jobs/:id/events over the shared hub: ownership first (404 before any byte), then the stream. */
@Injectable()
export class JobEventsService {
  constructor(
    private readonly jobs: JobsService,
    private readonly hub: JobEventsHub,
  ) {}

  async stream(userId: string, jobId: string, lastEventId: string | undefined, req: Request, res: Response) {
    const job = await this.jobs.requireJob(userId, jobId);
    const unsubscribe = this.hub.subscribe(job, parseLastEventId(lastEventId), () => openSse(res));
    // The client left (closed the tab, aborted the fetch): free its place, and the watcher with the last one.
    res.on('close', unsubscribe);
    if (req.destroyed) unsubscribe();
  }
}

function openSse(res: Response): JobEventSink {
  res.status(200);
  res.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    // no-transform: a compressing proxy would otherwise hold events back to fill its buffer.
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers proxied responses by default, which would deliver events in bursts or only at the end.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(`retry: ${RETRY_MS}\n\n`);
  let ended = false;
  const write = (chunk: string): boolean => {
    if (ended || res.writableEnded || res.destroyed) return false;
    res.write(chunk);
    return res.writableLength <= MAX_BUFFERED_BYTES;
  };
  return {
    send: (event) => write(formatEvent(event)),
    keepAlive: () => void write(': keep-alive\n\n'),
    // No id: the client's Last-Event-ID must stay the last real event, so the reconnect resumes from there.
    goAway: () =>
      void write(
        `: server shutting down\nretry: ${SHUTDOWN_RETRY_MS}\nevent: reconnect\ndata: {"reason":"shutdown"}\n\n`,
      ),
    end: () => {
      if (ended) return;
      ended = true;
      if (!res.writableEnded) res.end();
    },
  };
}
