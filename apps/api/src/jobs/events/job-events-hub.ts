import { HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Env } from '@voice/config';
import { getJobById, type Database, type ProcessingJob } from '@voice/db';
import type { JobStatus, PipelineProgress } from '@voice/shared';
import { DomainError, rateLimited } from '../../common/domain-error';
import { PIPELINE_CLIENT, type PipelineClient } from '../../common/pipeline-client';
import { DATABASE, ENV } from '../../common/tokens';
import { ApiLifecycle } from '../../lifecycle/api-lifecycle';
import { toProgressView, toStatusView, type JobProgressView, type JobStatusView } from '../job-views';
import { TERMINAL } from '../jobs.service';

export type TerminalEventName = 'completed' | 'failed' | 'cancelled';
export type JobEventName = 'status' | 'progress' | TerminalEventName;

/** One event of a job's stream. Ids grow monotonically per job, so a client resumes with `Last-Event-ID`. */
export type JobEvent =
  | { id: number; event: 'status' | TerminalEventName; data: JobStatusView }
  | { id: number; event: 'progress'; data: JobProgressView };

/** Where a listener's events go (an SSE response); the hub knows nothing of HTTP. */
export interface JobEventSink {
  /** False when the listener cannot keep up (its buffer is full): the hub drops it. */
  send(event: JobEvent): boolean;
  keepAlive(): void;
  /** Tells the client this instance is going away and it should reconnect (to another one); end() follows. */
  goAway(): void;
  /** Ends the stream; called once, after the terminal event or when the hub drops or shuts down the listener. */
  end(): void;
}

export interface HubStats {
  watchers: number;
  listeners: number;
}

/**
 * Live job events with ONE watcher per job, shared by every listener of it: the first listener starts it, it reads
 * the row and the live progress at most once per JOB_EVENTS_POLL_MS and fans changes out; it stops when the last
 * listener leaves or the job ends. Without this, each open page would query Temporal every second. Only I/O runs
 * here; serialising an event is a small JSON.stringify per listener.
 *
 * Per process: behind several API instances each keeps its own watchers, which is still one per job per instance.
 */
@Injectable()
export class JobEventsHub implements OnModuleDestroy {
  private readonly logger = new Logger('JobEventsHub');
  private readonly watchers = new Map<string, JobWatcher>();
  /**
   * What stopped watchers last sent, so a client that reconnects after its watcher stopped (it was the only
   * listener) still gets only what changed since its Last-Event-ID. Bounded: the oldest entries go first.
   */
  private readonly recent = new Map<string, WatcherMemory>();
  private listeners = 0;
  private draining = false;

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PIPELINE_CLIENT) private readonly pipeline: PipelineClient,
    lifecycle: ApiLifecycle,
  ) {
    // A shutting-down instance sends every listener elsewhere at once: an open stream is never idle, so it would
    // otherwise hold the drain for its whole grace period and then be cut without a word.
    lifecycle.onDrain(() => this.drain());
  }

  stats(): HubStats {
    return { watchers: this.watchers.size, listeners: this.listeners };
  }

  /**
   * Adds a listener for `job` (whose ownership the caller checked). Capacity is checked before `open` is called,
   * so a refusal is still a plain HTTP error (429 for one job's cap, 503 for the process's). Returns the function
   * that removes the listener (the client went away). A finished job gets its final state and the stream ends.
   */
  subscribe(job: ProcessingJob, lastEventId: number | undefined, open: () => JobEventSink): () => void {
    if (TERMINAL.has(job.status)) {
      const sink = open();
      for (const event of finalEvents(job, lastEventId)) sink.send(event);
      sink.end();
      return () => undefined;
    }
    if (this.draining) {
      throw new DomainError(
        'SHUTTING_DOWN',
        HttpStatus.SERVICE_UNAVAILABLE,
        'This server is shutting down; reconnect to follow the job',
        { headers: { 'Retry-After': '1' } },
      );
    }
    const existing = this.watchers.get(job.id);
    if (existing && existing.size >= this.env.JOB_EVENTS_MAX_PER_JOB) {
      throw rateLimited(`At most ${this.env.JOB_EVENTS_MAX_PER_JOB} event streams may be open on one job`, 5);
    }
    if (this.listeners >= this.env.JOB_EVENTS_MAX_STREAMS) {
      throw new DomainError(
        'TOO_MANY_STREAMS',
        HttpStatus.SERVICE_UNAVAILABLE,
        'The server has too many open event streams; retry shortly or poll the status',
        { headers: { 'Retry-After': '5' } },
      );
    }
    const sink = open();
    let watcher = existing;
    if (!watcher) {
      const memory = this.recent.get(job.id);
      this.recent.delete(job.id);
      watcher = new JobWatcher(job, memory, {
        pollMs: this.env.JOB_EVENTS_POLL_MS,
        keepAliveMs: this.env.JOB_EVENTS_KEEPALIVE_MS,
        read: (jobId) => getJobById(this.db, jobId),
        progress: (jobId) => this.pipeline.progress(jobId),
        onListenerGone: () => (this.listeners -= 1),
        onStop: (stopped, memory) => {
          if (this.watchers.get(job.id) === stopped) this.watchers.delete(job.id);
          if (memory) this.remember(job.id, memory);
        },
        logger: this.logger,
      });
      this.watchers.set(job.id, watcher);
    }
    this.listeners += 1;
    return watcher.add(sink, lastEventId);
  }

  private remember(jobId: string, memory: WatcherMemory): void {
    this.recent.delete(jobId);
    this.recent.set(jobId, memory);
    for (const oldest of this.recent.keys()) {
      if (this.recent.size <= REMEMBERED_JOBS) break;
      this.recent.delete(oldest);
    }
  }

  /** Tells every listener to reconnect elsewhere and ends its stream; new subscriptions are refused from now on. */
  drain(): void {
    this.draining = true;
    for (const watcher of [...this.watchers.values()]) watcher.stop({ goAway: true });
  }

  /** Ends every stream, so the HTTP server can close (an open SSE response is never idle). */
  onModuleDestroy(): void {
    for (const watcher of [...this.watchers.values()]) watcher.stop();
  }
}

/** Jobs whose last sent state is kept after their watcher stopped (a few hundred bytes each). */
const REMEMBERED_JOBS = 1000;

/** A watcher's last sent state, handed to the next watcher of the same job. */
interface WatcherMemory {
  latestStatus: JobEvent | undefined;
  latestProgress: JobEvent | undefined;
  progressKey: string;
  lastId: number;
}

interface WatcherDeps {
  pollMs: number;
  keepAliveMs: number;
  read(jobId: string): Promise<ProcessingJob | undefined>;
  progress(jobId: string): Promise<PipelineProgress | undefined>;
  onListenerGone(): void;
  /** `memory` is absent when the job ended: nothing will change any more. */
  onStop(watcher: JobWatcher, memory: WatcherMemory | undefined): void;
  logger: Logger;
}

/** The events that describe a finished job: its status, its stored steps, then the terminal result. */
function finalEvents(job: ProcessingJob, lastEventId: number | undefined): JobEvent[] {
  const ids = new EventIds(lastEventId);
  const status = toStatusView(job);
  return [
    { id: ids.next(), event: 'status', data: status },
    { id: ids.next(), event: 'progress', data: toProgressView(job, undefined) },
    { id: ids.next(), event: terminalEventOf(job.status) ?? 'status', data: status },
  ];
}

/** The terminal event a status ends the stream with, or undefined while the job is still active. */
function terminalEventOf(status: JobStatus): TerminalEventName | undefined {
  switch (status) {
    case 'completed':
    case 'failed':
    case 'cancelled':
      return status;
    case 'pending':
    case 'running':
      return undefined;
  }
}

/**
 * Ids are milliseconds since the epoch, kept strictly increasing: a watcher started later (a reconnect after the
 * last listener left, another API instance) still issues ids above the ones a client saw before.
 */
class EventIds {
  constructor(public last = 0) {}
  next(): number {
    this.last = Math.max(this.last + 1, Date.now());
    return this.last;
  }
}

class JobWatcher {
  private readonly sinks = new Set<JobEventSink>();
  private readonly ids: EventIds;
  /** The latest status and progress events: a joining listener gets them (those newer than its Last-Event-ID). */
  private latestStatus: JobEvent | undefined;
  private latestProgress: JobEvent | undefined;
  private progressKey = '';
  private ended = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly keepAliveTimer: NodeJS.Timeout;
  private readonly jobId: string;
  private stopped = false;

  constructor(
    initial: ProcessingJob,
    memory: WatcherMemory | undefined,
    private readonly deps: WatcherDeps,
  ) {
    this.jobId = initial.id;
    this.ids = new EventIds(memory?.lastId);
    this.latestStatus = memory?.latestStatus;
    this.latestProgress = memory?.latestProgress;
    this.progressKey = memory?.progressKey ?? '';
    this.keepAliveTimer = setInterval(() => {
      for (const sink of this.sinks) sink.keepAlive();
    }, deps.keepAliveMs);
    // The caller just read the row; the first tick only adds the live progress.
    void this.tick(initial);
  }

  get size(): number {
    return this.sinks.size;
  }

  add(sink: JobEventSink, lastEventId: number | undefined): () => void {
    this.sinks.add(sink);
    const known = [this.latestStatus, this.latestProgress].filter(
      (event): event is JobEvent => event !== undefined && (lastEventId === undefined || event.id > lastEventId),
    );
    for (const event of known.sort((a, b) => a.id - b.id)) {
      if (!sink.send(event)) {
        this.drop(sink);
        break;
      }
    }
    return () => this.remove(sink);
  }

  /** Ends every listener's stream (with `goAway`, after telling it to reconnect) and stops reading. */
  stop(options: { goAway?: boolean } = {}): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearInterval(this.keepAliveTimer);
    for (const sink of [...this.sinks]) {
      if (options.goAway) sink.goAway();
      this.drop(sink);
    }
    const memory = {
      latestStatus: this.latestStatus,
      latestProgress: this.latestProgress,
      progressKey: this.progressKey,
      lastId: this.ids.last,
    };
    this.deps.onStop(this, this.ended ? undefined : memory);
  }

  private remove(sink: JobEventSink): void {
    if (!this.sinks.delete(sink)) return;
    this.deps.onListenerGone();
    if (this.sinks.size === 0) this.stop();
  }

  private drop(sink: JobEventSink): void {
    if (!this.sinks.has(sink)) return;
    sink.end();
    this.remove(sink);
  }

  private async tick(known?: ProcessingJob): Promise<void> {
    const started = Date.now();
    try {
      const job = known ?? (await this.deps.read(this.jobId));
      if (this.stopped) return;
      if (!job) {
        // Deleted (account erasure): nothing more will happen.
        this.stop();
        return;
      }
      const live = TERMINAL.has(job.status) ? undefined : await this.deps.progress(job.id);
      if (this.stopped) return;
      this.update(job, live);
    } catch (error) {
      // A failed read is retried on the next tick; the listeners keep their stream.
      this.deps.logger.warn(`job events: reading ${this.jobId} failed: ${String(error)}`);
    }
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => void this.tick(), Math.max(0, this.deps.pollMs - (Date.now() - started)));
  }

  private update(job: ProcessingJob, live: PipelineProgress | undefined): void {
    const status = toStatusView(job, live?.progress);
    if (this.latestStatus?.data.status !== status.status) {
      this.latestStatus = this.emit({ id: this.ids.next(), event: 'status', data: status });
    }
    const progress = toProgressView(job, live);
    const key = JSON.stringify([progress.status, progress.progress, progress.steps]);
    if (key !== this.progressKey) {
      this.progressKey = key;
      this.latestProgress = this.emit({ id: this.ids.next(), event: 'progress', data: progress });
    }
    const terminal = terminalEventOf(job.status);
    if (terminal) {
      this.ended = true;
      this.emit({ id: this.ids.next(), event: terminal, data: status });
      this.stop();
    }
  }

  private emit(event: JobEvent): JobEvent {
    for (const sink of [...this.sinks]) if (!sink.send(event)) this.drop(sink);
    return event;
  }
}
