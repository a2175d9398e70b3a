import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { TestPlatform } from './platform-harness';

/**
 * Standalone GPU worker processes (apps/gpu-worker) for a test platform started with `embeddedGpuWorker: false`,
 * so a test can kill one with SIGKILL mid-inference and start another. Their stderr is kept for failure messages.
 */
export class GpuWorkerProcesses {
  private readonly children: ChildProcess[] = [];
  private readonly output: string[] = [];

  constructor(private readonly platform: () => TestPlatform) {}

  /** `env` adds to or overrides the worker's environment (e.g. GPU_WORKER_CONCURRENCY). */
  spawn(env: Record<string, string> = {}): ChildProcess {
    const platform = this.platform();
    const child = spawn(process.execPath, [path.resolve(__dirname, '../../../apps/gpu-worker/dist/src/main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: platform.dataDir,
        TEMPORAL_ADDRESS: platform.temporalAddress,
        TEMPORAL_NAMESPACE: platform.env.TEMPORAL_NAMESPACE,
        TASK_QUEUE_GPU: platform.env.TASK_QUEUE_GPU,
        STORAGE_DRIVER: 'local',
        ...env,
      },
      // Never inherit stdout: the test runner reads this process's stdout as its report stream.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.children.push(child);
    return child;
  }

  /** Everything the workers wrote to stderr, for assertion messages. */
  get log(): string {
    return this.output.join('');
  }

  killAll(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}
