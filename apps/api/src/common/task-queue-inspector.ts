import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';

import { token } from './tokens';

export type TaskQueueKind = 'workflow' | 'activity';

/** One worker seen polling a queue. */
export interface QueuePoller {
  /** The worker's identity (the SDK's default is `<pid>@<host>`). */
  identity: string;
  lastAccessTime: string | null;
  ratePerSecond: number;
}

/** Backlog figures of one queue (or one priority key of it), from DescribeTaskQueue with `reportStats`. */
export interface QueueStats {
  approximateBacklogCount: number;
  /** Age of the oldest backlogged task, in seconds. */
  approximateBacklogAgeSeconds: number;
  /** Tasks per second added and dispatched, averaged over the last 30 s. */
  tasksAddRate: number;
  tasksDispatchRate: number;
}

export interface TaskQueueDescription {
  name: string;
  kind: TaskQueueKind;
  pollers: QueuePoller[];
  stats: QueueStats;
  /** The same figures per priority key in use (premium jobs' GPU tasks are key 1, free ones key 3). */
  statsByPriorityKey: Record<string, QueueStats>;
}

/** Reads task queues (backlog, pollers) for the admin system page. Behind a token so tests can fake it. */
export interface TaskQueueInspector {
  describe(name: string, kind: TaskQueueKind, deadlineMs: number): Promise<TaskQueueDescription>;
}

export const TASK_QUEUE_INSPECTOR = token<TaskQueueInspector | null>('TASK_QUEUE_INSPECTOR');

const { TaskQueueKind: ProtoQueueKind, TaskQueueType } = temporal.api.enums.v1;

type ProtoStats = temporal.api.taskqueue.v1.ITaskQueueStats;

/** protobuf int64 fields arrive as Long objects (or numbers); the counts we read fit a double. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') {
    return Number(value.toNumber());
  }
  return Number(value ?? 0) || 0;
}

function mapStats(stats: ProtoStats | null | undefined): QueueStats {
  const age = stats?.approximateBacklogAge;
  return {
    approximateBacklogCount: toNumber(stats?.approximateBacklogCount),
    approximateBacklogAgeSeconds: toNumber(age?.seconds) + (age?.nanos ?? 0) / 1e9,
    tasksAddRate: stats?.tasksAddRate ?? 0,
    tasksDispatchRate: stats?.tasksDispatchRate ?? 0,
  };
}

function timestampToIso(value: temporal.api.taskqueue.v1.IPollerInfo['lastAccessTime']): string | null {
  if (!value) return null;
  return new Date(toNumber(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6)).toISOString();
}

/**
 * DescribeTaskQueue in the default (non-enhanced) mode with `reportStats`, which servers from 1.27 answer with the
 * backlog count and age (and per priority key); older servers leave the stats empty, which reads as zero.
 */
export class TemporalTaskQueueInspector implements TaskQueueInspector {
  constructor(private readonly client: Client) {}

  async describe(name: string, kind: TaskQueueKind, deadlineMs: number): Promise<TaskQueueDescription> {
    const response = await this.client.withDeadline(Date.now() + deadlineMs, () =>
      this.client.workflowService.describeTaskQueue({
        namespace: this.client.options.namespace,
        taskQueue: { name, kind: ProtoQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType:
          kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportStats: true,
      }),
    );
    return {
      name,
      kind,
      pollers: (response.pollers ?? []).map((poller) => ({
        identity: poller.identity ?? '',
        lastAccessTime: timestampToIso(poller.lastAccessTime),
        ratePerSecond: poller.ratePerSecond ?? 0,
      })),
      stats: mapStats(response.stats),
      statsByPriorityKey: Object.fromEntries(
        Object.entries(response.statsByPriorityKey ?? {}).map(([key, stats]) => [key, mapStats(stats)]),
      ),
    };
  }
}
