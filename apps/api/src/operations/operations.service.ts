import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Env } from '@voice/config';
import { getHeldCreditsSummary, type Database, type HeldCreditsSummary } from '@voice/db';
import type { TaskQueueFigures, VoiceMetrics } from '@voice/metrics';

import { METRICS } from '../common/metrics';
import { TASK_QUEUE_INSPECTOR, type TaskQueueInspector, type TaskQueueKind } from '../common/task-queue-inspector';
import { DATABASE, ENV, TEMPORAL_UI_URL } from '../common/tokens';

/** Figures may be this old: scrapes (every few seconds, from several Prometheus replicas) and page loads share them. */
const CACHE_MS = 5_000;
/** Each source gets this long, whatever it does (a reconnecting gRPC channel can outlast its own deadline). */
const SOURCE_DEADLINE_MS = 2_000;

export type QueueRole = 'cpu' | 'media' | 'gpu';

/** One task queue's backlog, as both the operations page and the voice_task_queue_* gauges report it. */
export interface QueueFigures {
  role: QueueRole;
  name: string;
  /** The sides described: the CPU queue carries workflow tasks and activities; media and GPU activities only. */
  kinds: TaskQueueKind[];
  backlog: number;
  backlogAgeSeconds: number;
  /** Distinct worker identities polling any side of the queue. */
  pollers: number;
  /** Set when Temporal did not answer for this queue; the numbers are then zero and not exported. */
  error?: string;
}

export interface OperationsSnapshot {
  /** When the figures were read (they are cached for a few seconds). */
  readAt: Date;
  taskQueues: QueueFigures[];
  /** Undefined when the database did not answer in time. */
  credits: HeldCreditsSummary | undefined;
}

class DeadlineExceeded extends Error {}

function withinDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineExceeded(`${what}: no answer within ${SOURCE_DEADLINE_MS} ms`)),
      SOURCE_DEADLINE_MS,
    );
  });
  // Settles later on its own; its outcome no longer matters once the timer won.
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * The platform's live operating figures: each task queue's backlog, its age and its pollers (Temporal
 * DescribeTaskQueue), and the credits held (the database). One reading serves both the admin operations page and
 * the scrape-time gauges of /metrics, cached for CACHE_MS and bounded in time, so scrapes can never pile up calls.
 */
@Injectable()
export class OperationsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Operations');
  private cached: { at: number; snapshot: Promise<OperationsSnapshot> } | undefined;
  private readonly unobserve: Array<() => void> = [];

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(TASK_QUEUE_INSPECTOR) private readonly inspector: TaskQueueInspector | null,
    @Inject(TEMPORAL_UI_URL) readonly temporalUiUrl: string | null,
    @Inject(METRICS) private readonly metrics: VoiceMetrics | null,
  ) {}

  onModuleInit(): void {
    if (!this.metrics) return;
    this.unobserve.push(
      this.metrics.observeTaskQueues(async () => exportedQueues((await this.snapshot()).taskQueues)),
      this.metrics.observeHeldCredits(async () => {
        const { credits } = await this.snapshot();
        // No figure beats a wrong one: the gauges go empty until the database answers again.
        if (!credits) throw new Error('held credits unavailable');
        return { held: credits.held, oldestAgeSeconds: credits.oldestAgeSeconds };
      }),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unobserve.splice(0)) stop();
  }

  get namespace(): string {
    return this.env.TEMPORAL_NAMESPACE;
  }

  /** The figures, at most CACHE_MS old; concurrent callers share one reading. Never rejects. */
  snapshot(): Promise<OperationsSnapshot> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, snapshot: this.read() };
    return this.cached.snapshot;
  }

  private async read(): Promise<OperationsSnapshot> {
    const { TASK_QUEUE_CPU, TASK_QUEUE_MEDIA, TASK_QUEUE_GPU } = this.env;
    const [taskQueues, credits] = await Promise.all([
      Promise.all([
        this.describe('cpu', TASK_QUEUE_CPU, ['workflow', 'activity']),
        this.describe('media', TASK_QUEUE_MEDIA, ['activity']),
        this.describe('gpu', TASK_QUEUE_GPU, ['activity']),
      ]),
      withinDeadline(getHeldCreditsSummary(this.db), 'held credits').catch((error: unknown) => {
        this.logger.warn(`could not read the held credits: ${String(error)}`);
        return undefined;
      }),
    ]);
    return { readAt: new Date(), taskQueues, credits };
  }

  private async describe(role: QueueRole, name: string, kinds: TaskQueueKind[]): Promise<QueueFigures> {
    const empty = { role, name, kinds, backlog: 0, backlogAgeSeconds: 0, pollers: 0 };
    const { inspector } = this;
    if (!inspector) return { ...empty, error: 'Temporal is not configured on this server' };
    try {
      const sides = await Promise.all(
        kinds.map((kind) =>
          withinDeadline(inspector.describe(name, kind, SOURCE_DEADLINE_MS), `describe ${kind} queue ${name}`),
        ),
      );
      return {
        ...empty,
        backlog: sides.reduce((sum, side) => sum + side.stats.approximateBacklogCount, 0),
        backlogAgeSeconds: Math.max(0, ...sides.map((side) => side.stats.approximateBacklogAgeSeconds)),
        // One worker polls both sides of the CPU queue: count identities, not polls.
        pollers: new Set(sides.flatMap((side) => side.pollers.map((poller) => poller.identity))).size,
      };
    } catch (error) {
      this.logger.warn(`could not describe task queue ${name}: ${String(error)}`);
      return { ...empty, error: 'Temporal did not answer; see the server log' };
    }
  }
}

/** The queues whose figures are real: a queue Temporal did not describe is left out of the gauges, not zeroed. */
function exportedQueues(queues: readonly QueueFigures[]): TaskQueueFigures[] {
  return queues
    .filter((queue) => queue.error === undefined)
    .map(({ name, backlog, backlogAgeSeconds, pollers }) => ({ taskQueue: name, backlog, backlogAgeSeconds, pollers }));
}
