import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Env } from '@voice/config';

import { TASK_QUEUE_INSPECTOR, type TaskQueueInspector, type TaskQueueKind } from '../common/task-queue-inspector';
import { ENV, TEMPORAL_UI_URL } from '../common/tokens';
import { HealthService } from '../health/health.service';
import { listModelAvailability } from '../jobs/model-listing';
import type { SystemDto, TaskQueueDto, WorkerDto } from './dto/admin-panel.dto';

/** One Temporal call per queue, all in parallel: a page load must not wait on a stuck server for long. */
const DESCRIBE_DEADLINE_MS = 2_000;

interface QueueSpec {
  role: TaskQueueDto['role'];
  name: string;
  kind: TaskQueueKind;
}

/** Dependency health, each task queue's backlog and pollers, the workers behind them, and the installed models. */
@Injectable()
export class AdminSystemService {
  private readonly logger = new Logger('AdminSystem');

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(TASK_QUEUE_INSPECTOR) private readonly inspector: TaskQueueInspector | null,
    @Inject(TEMPORAL_UI_URL) private readonly temporalUiUrl: string | null,
    private readonly health: HealthService,
  ) {}

  async system(): Promise<SystemDto> {
    const [health, taskQueues, models] = await Promise.all([
      this.health.check(),
      Promise.all(this.queues().map((queue) => this.describe(queue))),
      listModelAvailability({ modelsDir: this.env.MODELS_DIR }),
    ]);
    return {
      health,
      temporal: {
        namespace: this.env.TEMPORAL_NAMESPACE,
        uiUrl: this.temporalUiUrl,
        configured: this.inspector !== null,
      },
      taskQueues,
      workers: workersOf(taskQueues),
      models,
    };
  }

  /** The CPU queue carries workflow tasks and the bookkeeping activities; media and GPU carry activities only. */
  private queues(): QueueSpec[] {
    const { TASK_QUEUE_CPU, TASK_QUEUE_MEDIA, TASK_QUEUE_GPU } = this.env;
    return [
      { role: 'cpu', name: TASK_QUEUE_CPU, kind: 'workflow' },
      { role: 'cpu', name: TASK_QUEUE_CPU, kind: 'activity' },
      { role: 'media', name: TASK_QUEUE_MEDIA, kind: 'activity' },
      { role: 'gpu', name: TASK_QUEUE_GPU, kind: 'activity' },
    ];
  }

  private async describe(queue: QueueSpec): Promise<TaskQueueDto> {
    if (!this.inspector) return { ...queue, pollers: [], error: 'Temporal is not configured on this server' };
    try {
      const described = await this.inspector.describe(queue.name, queue.kind, DESCRIBE_DEADLINE_MS);
      return { role: queue.role, ...described };
    } catch (error) {
      this.logger.warn(`could not describe ${queue.kind} queue ${queue.name}: ${String(error)}`);
      return { ...queue, pollers: [], error: 'Temporal did not answer; see the server log' };
    }
  }
}

/** The workers are the identities polling the queues: one entry each, with every queue it polls. */
function workersOf(queues: readonly TaskQueueDto[]): WorkerDto[] {
  const workers = new Map<string, WorkerDto>();
  for (const queue of queues) {
    for (const poller of queue.pollers) {
      const worker = workers.get(poller.identity) ?? { identity: poller.identity, queues: [], lastSeen: null };
      worker.queues.push({ name: queue.name, kind: queue.kind });
      if (poller.lastAccessTime && (!worker.lastSeen || poller.lastAccessTime > worker.lastSeen)) {
        worker.lastSeen = poller.lastAccessTime;
      }
      workers.set(poller.identity, worker);
    }
  }
  return [...workers.values()].sort((a, b) => a.identity.localeCompare(b.identity));
}
