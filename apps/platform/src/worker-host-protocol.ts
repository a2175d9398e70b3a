/** Which workers a worker host runs: the media activities (TASK_QUEUE_MEDIA) and the inference ones (TASK_QUEUE_GPU). */
export type WorkerRole = 'media' | 'gpu';

/** Parent → host: the signing secret for local storage links, sent over IPC so it never sits in the environment. */
export interface StartMessage {
  type: 'start';
  signingSecret: string;
}

/** Host → parent: every worker is created and polling. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

export type HostMessage = ReadyMessage;

export function isParentMessage(message: unknown): message is StartMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'start';
}

export function isHostMessage(message: unknown): message is HostMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';
}
