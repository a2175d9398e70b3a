import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { sweepScratch, useScratchTmpdir } from '@voice/activity-kit';
import { SpeechEngines, createGpuActivities } from '@voice/gpu-activities';
import { logContextInterceptors, tracingPlugins } from '@voice/runtime';
import type { BlobStorage } from '@voice/storage';

export interface GpuWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  storage: BlobStorage;
  /**
   * Scratch space, `path.join(env.DATA_DIR, 'work')`; leftovers of dead workers are swept when this worker is
   * created. Defaults to `.data/work` under the working directory (DATA_DIR's default).
   */
  workDir?: string;
  /** Concurrent inference activities; size it to the device so jobs queue instead of running out of memory. */
  concurrency: number;
  modelIdleUnloadMs?: number;
  modelsDir?: string;
}

export interface GpuWorker {
  worker: Worker;
  /** Releases loaded models and helper processes (the Whisper sidecar); call after the worker stops. */
  dispose(): Promise<void>;
}

/** Inference activities only, on the dedicated GPU task queue. It never touches the database. */
export async function createGpuWorker(options: GpuWorkerOptions): Promise<GpuWorker> {
  const workDir = options.workDir ?? path.resolve('.data', 'work');
  await mkdir(workDir, { recursive: true });
  await sweepScratch(workDir);
  await useScratchTmpdir(workDir);
  const speech = new SpeechEngines({ modelsDir: options.modelsDir, idleUnloadMs: options.modelIdleUnloadMs });
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createGpuActivities({
      storage: options.storage,
      workDir,
      modelIdleUnloadMs: options.modelIdleUnloadMs,
      modelsDir: options.modelsDir,
      speech,
    }),
    maxConcurrentActivityTaskExecutions: options.concurrency,
    // Let a running inference finish its heartbeat-driven cancellation before the process exits.
    shutdownGraceTime: '10 seconds',
    // The SDK batches heartbeats up to 80% of the heartbeat timeout by default; a cancel is only seen when a
    // heartbeat reaches the server, so send them at least every second for prompt cancels and live progress.
    maxHeartbeatThrottleInterval: '1 second',
    interceptors: logContextInterceptors,
    plugins: tracingPlugins(),
  });
  return { worker, dispose: () => speech.unloadAll() };
}
