import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { sweepScratch, useScratchTmpdir } from '@voice/activity-kit';
import { SpeechEngines, createGpuActivities } from '@voice/gpu-activities';
import type { VoiceMetrics } from '@voice/metrics';
import { tracingPlugins, workerInterceptors } from '@voice/runtime';
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
  /** This process's metrics (step durations, real-time factors, model loads, slots); none without it. */
  metrics?: VoiceMetrics;
  /**
   * SHUTDOWN_GRACE_SECONDS: on shutdown a running inference gets this long to finish, then is cancelled (it checks
   * its heartbeat kit's signal between chunks) and retried on another worker. Default 10.
   */
  shutdownGraceSeconds?: number;
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
  const { metrics } = options;
  const onModelLoaded = metrics && ((model: string, seconds: number) => metrics.modelLoaded({ model, seconds }));
  const speech = new SpeechEngines({
    modelsDir: options.modelsDir,
    idleUnloadMs: options.modelIdleUnloadMs,
    ...(onModelLoaded ? { onModelLoaded } : {}),
  });
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
      ...(onModelLoaded ? { onModelLoaded } : {}),
    }),
    maxConcurrentActivityTaskExecutions: options.concurrency,
    shutdownGraceTime: (options.shutdownGraceSeconds ?? 10) * 1000,
    // An inference that ignores its cancel gets 10 s more before run() gives up, so the process still exits.
    shutdownForceTime: ((options.shutdownGraceSeconds ?? 10) + 10) * 1000,
    // The SDK batches heartbeats up to 80% of the heartbeat timeout by default; a cancel is only seen when a
    // heartbeat reaches the server, so send them at least every second for prompt cancels and live progress.
    maxHeartbeatThrottleInterval: '1 second',
    interceptors: workerInterceptors(metrics),
    plugins: tracingPlugins(),
  });
  metrics?.observeWorkerSlots({
    taskQueue: options.taskQueue,
    total: options.concurrency,
    used: () => worker.getStatus().numInFlightActivities,
  });
  return { worker, dispose: () => speech.unloadAll() };
}
