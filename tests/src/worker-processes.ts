import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import type { TestPlatform } from './platform-harness';

/** apps/worker (workflows, bookkeeping, retention and the media activities) or apps/gpu-worker (inference). */
export type WorkerKind = 'cpu' | 'gpu';

const ENTRIES: Record<WorkerKind, string> = {
  cpu: path.resolve(__dirname, '../../../apps/worker/dist/src/main.js'),
  gpu: path.resolve(__dirname, '../../../apps/gpu-worker/dist/src/main.js'),
};

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Standalone worker processes for a test platform started without the matching embedded workers
 * (`embeddedCpuWorker`, `embeddedMediaWorker`, `embeddedGpuWorker`: false), on its task queues, database and data
 * dir, as a deployment runs them. A test stops one with SIGTERM (a rolling deploy) or SIGKILL (a crash).
 */
export class WorkerProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly output: string[] = [];

  constructor(private readonly platform: () => TestPlatform) {}

  /** `env` adds to or overrides the worker's environment. */
  spawn(kind: WorkerKind, env: Record<string, string> = {}): ChildProcess {
    const platform = this.platform();
    const { env: platformEnv } = platform;
    const child = spawn(process.execPath, [ENTRIES[kind]], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: platform.dataDir,
        TEMPORAL_ADDRESS: platform.temporalAddress,
        TEMPORAL_NAMESPACE: platformEnv.TEMPORAL_NAMESPACE,
        TASK_QUEUE_CPU: platformEnv.TASK_QUEUE_CPU,
        TASK_QUEUE_MEDIA: platformEnv.TASK_QUEUE_MEDIA,
        TASK_QUEUE_GPU: platformEnv.TASK_QUEUE_GPU,
        STORAGE_DRIVER: 'local',
        SHUTDOWN_GRACE_SECONDS: String(platformEnv.SHUTDOWN_GRACE_SECONDS),
        RETENTION_DAYS: String(platformEnv.RETENTION_DAYS),
        SIGNED_URL_TTL_SECONDS: String(platformEnv.SIGNED_URL_TTL_SECONDS),
        ...(platformEnv.DATABASE_URL ? { DATABASE_URL: platformEnv.DATABASE_URL } : {}),
        ...(platformEnv.SMTP_URL ? { SMTP_URL: platformEnv.SMTP_URL } : {}),
        ...env,
      },
      // Never inherit stdout: the test runner reads this process's stdout as its report stream.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(`[${kind} ${child.pid}] ${chunk.toString()}`));
    this.children.push(child);
    return child;
  }

  /** The identity the Temporal SDK gives this process's workers (the default, `<pid>@<host>`). */
  identity(child: ChildProcess): string {
    return `${child.pid}@${hostname()}`;
  }

  /** Resolves once the server has seen this process poll every queue its kind serves (bounded). */
  async polling(kind: WorkerKind, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
    const { env, client } = this.platform();
    const { TaskQueueType } = temporal.api.enums.v1;
    const queues: Array<[string, temporal.api.enums.v1.TaskQueueType]> =
      kind === 'gpu'
        ? [[env.TASK_QUEUE_GPU, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]]
        : [
            [env.TASK_QUEUE_CPU, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
            [env.TASK_QUEUE_CPU, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
            [env.TASK_QUEUE_MEDIA, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
          ];
    const identity = this.identity(child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${kind} worker exited (${child.exitCode}) before polling\n${this.log}`);
      const seen = await Promise.all(
        queues.map(async ([name, taskQueueType]) => {
          const response = await client.workflowService.describeTaskQueue({
            namespace: env.TEMPORAL_NAMESPACE,
            taskQueue: { name },
            taskQueueType,
          });
          return (response.pollers ?? []).some((poller) => poller.identity === identity);
        }),
      );
      if (seen.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`${kind} worker ${identity} not polling after ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  /** Sends `signal` and resolves with how the process ended. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<WorkerExit> {
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill(signal);
    const [code, exitSignal] = await exited;
    return { code, signal: exitSignal };
  }

  /** Everything the workers wrote to stderr, for assertion messages. */
  get log(): string {
    return this.output.join('');
  }

  killAll(): void {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
