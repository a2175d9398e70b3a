import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { JobOutcome, MetricsRecorder, PaymentOutcome } from './recorder';

/** Seconds; HTTP answers are mostly milliseconds, uploads and SSE streams run longer. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
/** Seconds from submit to the end: a short TTS takes seconds, a long dub an hour or two. */
const JOB_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Processing seconds per audio second: below 1 is faster than real time. */
const RTF_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];
const LOAD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** One task queue as voice_task_queue_* reports it (the CPU queue: its workflow and activity sides together). */
export interface TaskQueueFigures {
  taskQueue: string;
  /** Approximate count of tasks waiting for a worker. */
  backlog: number;
  /** Approximate age of the oldest waiting task, in seconds. */
  backlogAgeSeconds: number;
  /** Distinct workers the server saw polling recently. */
  pollers: number;
}

/** Credits held right now over all open holds. */
export interface HeldCreditFigures {
  /** Credit-seconds. */
  held: number;
  /** Age of the oldest hold whose job has not completed, in seconds; 0 when none (completed jobs hold until downloaded). */
  oldestAgeSeconds: number;
}

/** A worker whose activity slots are reported (apps read `Worker.getStatus()`). */
export interface WorkerSlotSource {
  taskQueue: string;
  /** maxConcurrentActivityTaskExecutions. */
  total: number;
  /** Activities running right now. */
  used(): number;
}

export interface VoiceMetricsOptions {
  /** prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC…); on by default. */
  defaultMetrics?: boolean;
}

type Reader<T> = () => Promise<T>;

/**
 * The platform's metrics in a registry of their own (never prom-client's global one, so two components or two tests
 * in one process never share counts by accident). Counters and histograms are registered up front; the scrape-time
 * gauges (task queues, held credits, worker slots) only once a process observes them, so a process reports only
 * what it knows: no API-only gauge reads 0 on a worker.
 */
export class VoiceMetrics implements MetricsRecorder {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'voice_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'voice_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template, method and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly jobsSubmitted = new Counter({
    name: 'voice_jobs_submitted_total',
    help: 'Jobs accepted by the API (workflow started), by job type and tier.',
    labelNames: ['job_type', 'tier'] as const,
    registers: [this.registry],
  });
  private readonly jobsFinished = new Counter({
    name: 'voice_jobs_finished_total',
    help: 'Jobs that reached a terminal state, by job type, tier and status (completed, failed, cancelled).',
    labelNames: ['job_type', 'tier', 'status'] as const,
    registers: [this.registry],
  });
  private readonly jobDuration = new Histogram({
    name: 'voice_job_duration_seconds',
    help: 'Time from submit to the terminal state, by job type, tier and status.',
    labelNames: ['job_type', 'tier', 'status'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'voice_step_duration_seconds',
    help: 'Time a pipeline step (activity) took on this worker, by step and model ("" when it runs none).',
    labelNames: ['step', 'model'] as const,
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  private readonly realTimeFactor = new Histogram({
    name: 'voice_model_real_time_factor',
    help: 'Processing seconds per second of audio, by model (below 1 is faster than real time).',
    labelNames: ['model'] as const,
    buckets: RTF_BUCKETS,
    registers: [this.registry],
  });
  private readonly modelLoad = new Histogram({
    name: 'voice_model_load_seconds',
    help: 'Time to load a model session into memory, by model.',
    labelNames: ['model'] as const,
    buckets: LOAD_BUCKETS,
    registers: [this.registry],
  });
  private readonly charged = new Counter({
    name: 'voice_credits_charged_total',
    help: 'Credit-seconds taken from balances: each job once, at its first download (or its streamed delivery).',
    registers: [this.registry],
  });
  private readonly payments = new Counter({
    name: 'voice_payments_total',
    help: 'Payment events applied, by provider and outcome (paid, refunded, disputed, review).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly purchased = new Counter({
    name: 'voice_credits_purchased_total',
    help: 'Credit-seconds granted by payments, by provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  private taskQueueReader: Reader<readonly TaskQueueFigures[]> | undefined;
  private taskQueueGauges: Array<Gauge<'task_queue'>> | undefined;
  private heldCreditsReader: Reader<HeldCreditFigures> | undefined;
  private heldCreditGauges: Array<Gauge> | undefined;
  private readonly slotSources = new Set<WorkerSlotSource>();
  private slotGaugesRegistered = false;

  constructor(options: VoiceMetricsOptions = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  httpRequest({ method, route, status, seconds }: Parameters<MetricsRecorder['httpRequest']>[0]): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  jobSubmitted({ jobType, tier }: { jobType: string; tier: string }): void {
    this.jobsSubmitted.inc({ job_type: jobType, tier });
  }

  jobFinished({
    jobType,
    tier,
    status,
    seconds,
  }: {
    jobType: string;
    tier: string;
    status: JobOutcome;
    seconds: number;
  }) {
    const labels = { job_type: jobType, tier, status };
    this.jobsFinished.inc(labels);
    this.jobDuration.observe(labels, Math.max(0, seconds));
  }

  stepFinished(step: Parameters<MetricsRecorder['stepFinished']>[0]): void {
    this.stepDuration.observe({ step: step.step, model: step.model }, step.seconds);
    // An RTF needs both a model and audio to divide by; a step without either has none.
    if (step.model !== '' && step.audioSeconds !== undefined && step.audioSeconds > 0) {
      this.realTimeFactor.observe({ model: step.model }, (step.processingSeconds ?? step.seconds) / step.audioSeconds);
    }
  }

  modelLoaded({ model, seconds }: { model: string; seconds: number }): void {
    this.modelLoad.observe({ model }, seconds);
  }

  creditsCharged(creditSeconds: number): void {
    if (creditSeconds > 0) this.charged.inc(creditSeconds);
  }

  paymentApplied({ provider, outcome, creditsPurchased }: Parameters<MetricsRecorder['paymentApplied']>[0]): void {
    this.payments.inc({ provider, outcome });
    if (creditsPurchased > 0) this.purchased.inc({ provider }, creditsPurchased);
  }

  /**
   * voice_task_queue_backlog / _backlog_age_seconds / _pollers, read by `read` at scrape time (the API does this).
   * `read` is called once per gauge per scrape, so it should cache (the API's caches for a few seconds). Returns
   * the function that stops observing; a later call replaces the reader.
   */
  observeTaskQueues(read: Reader<readonly TaskQueueFigures[]>): () => void {
    this.taskQueueReader = read;
    this.taskQueueGauges ??= this.registerTaskQueueGauges();
    return () => {
      if (this.taskQueueReader === read) this.taskQueueReader = undefined;
    };
  }

  /** voice_credits_held and voice_credits_held_oldest_age_seconds, read by `read` at scrape time (the API). */
  observeHeldCredits(read: Reader<HeldCreditFigures>): () => void {
    this.heldCreditsReader = read;
    this.heldCreditGauges ??= this.registerHeldCreditGauges();
    return () => {
      if (this.heldCreditsReader === read) this.heldCreditsReader = undefined;
    };
  }

  /** voice_worker_slots_used / _total for one worker of this process, until the returned function is called. */
  observeWorkerSlots(source: WorkerSlotSource): () => void {
    if (!this.slotGaugesRegistered) this.registerSlotGauges();
    this.slotSources.add(source);
    return () => this.slotSources.delete(source);
  }

  private registerTaskQueueGauges(): Array<Gauge<'task_queue'>> {
    // Every gauge reads the same (cached) figures; a failed read leaves them empty rather than stale.
    const gauge = (name: string, help: string, value: (queue: TaskQueueFigures) => number) => {
      const created: Gauge<'task_queue'> = new Gauge({
        name,
        help,
        labelNames: ['task_queue'] as const,
        aggregator: 'max',
        registers: [this.registry],
        collect: async () => {
          const queues = await readOr(this.taskQueueReader, []);
          created.reset();
          for (const queue of queues) created.set({ task_queue: queue.taskQueue }, value(queue));
        },
      });
      return created;
    };
    return [
      gauge(
        'voice_task_queue_backlog',
        'Approximate number of tasks waiting on the task queue (Temporal DescribeTaskQueue).',
        (queue) => queue.backlog,
      ),
      gauge(
        'voice_task_queue_backlog_age_seconds',
        'Approximate age of the oldest task waiting on the task queue, in seconds.',
        (queue) => queue.backlogAgeSeconds,
      ),
      gauge(
        'voice_task_queue_pollers',
        'Workers the Temporal server saw polling the task queue in the last minutes.',
        (queue) => queue.pollers,
      ),
    ];
  }

  private registerHeldCreditGauges(): Gauge[] {
    const gauge = (name: string, help: string, value: (figures: HeldCreditFigures) => number) => {
      const created: Gauge = new Gauge({
        name,
        help,
        aggregator: 'max',
        registers: [this.registry],
        collect: async () => {
          const figures = await readOr(this.heldCreditsReader, undefined);
          if (figures) created.set(value(figures));
          else created.reset();
        },
      });
      return created;
    };
    return [
      gauge('voice_credits_held', 'Credit-seconds held by jobs right now.', (figures) => figures.held),
      gauge(
        'voice_credits_held_oldest_age_seconds',
        'Age of the oldest credit hold whose job has not completed, in seconds (0 when none); completed jobs hold until downloaded.',
        (figures) => figures.oldestAgeSeconds,
      ),
    ];
  }

  private registerSlotGauges(): void {
    this.slotGaugesRegistered = true;
    const gauge = (name: string, help: string, value: (source: WorkerSlotSource) => number) => {
      const created: Gauge<'task_queue'> = new Gauge({
        name,
        help,
        labelNames: ['task_queue'] as const,
        registers: [this.registry],
        collect: () => {
          created.reset();
          // Two workers of one process on one queue add up, as they would across processes.
          for (const source of this.slotSources) created.inc({ task_queue: source.taskQueue }, value(source));
        },
      });
      return created;
    };
    gauge('voice_worker_slots_used', 'Activity slots of this process in use, by task queue.', (source) =>
      source.used(),
    );
    gauge('voice_worker_slots_total', 'Activity slots of this process, by task queue.', (source) => source.total);
  }
}

/** A scrape must never fail because one source did: a failed read reports nothing for its gauges. */
async function readOr<T, F>(read: Reader<T> | undefined, fallback: F): Promise<T | F> {
  if (!read) return fallback;
  try {
    return await read();
  } catch {
    return fallback;
  }
}
