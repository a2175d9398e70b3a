import type { MetricsSnapshot } from '@voice/metrics';

/** Which workers a worker host runs: the media activities (TASK_QUEUE_MEDIA) and the inference ones (TASK_QUEUE_GPU). */
export type WorkerRole = 'media' | 'gpu';

/** Parent → host: the signing secret for local storage links, sent over IPC so it never sits in the environment. */
export interface StartMessage {
  type: 'start';
  signingSecret: string;
}

/** Parent → host: send your metrics (the platform's /metrics is being scraped; METRICS_PORT set). */
export interface MetricsRequestMessage {
  type: 'metrics-request';
  /** Echoed in the answer, so a late answer to an abandoned request is told apart. */
  id: number;
}

export type ParentMessage = StartMessage | MetricsRequestMessage;

/** Host → parent: every worker is created and polling. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

/** Host → parent: this process's registry as data, for the parent to merge into the one /metrics it serves. */
export interface MetricsMessage {
  type: 'metrics';
  id: number;
  snapshot: MetricsSnapshot;
}

export type HostMessage = ReadyMessage | MetricsMessage;

const PARENT_TYPES: ReadonlySet<unknown> = new Set<ParentMessage['type']>(['start', 'metrics-request']);
const HOST_TYPES: ReadonlySet<unknown> = new Set<HostMessage['type']>(['ready', 'metrics']);

export function isParentMessage(message: unknown): message is ParentMessage {
  return typeof message === 'object' && message !== null && PARENT_TYPES.has((message as { type?: unknown }).type);
}

export function isHostMessage(message: unknown): message is HostMessage {
  return typeof message === 'object' && message !== null && HOST_TYPES.has((message as { type?: unknown }).type);
}
