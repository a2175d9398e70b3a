import { mkdir } from 'node:fs/promises';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createMediaActivities } from '@voice/activities';
import { sweepScratch, useScratchTmpdir } from '@voice/activity-kit';
import type { VoiceMetrics } from '@voice/metrics';
import { tracingPlugins, workerInterceptors } from '@voice/runtime';
import type { BlobStorage } from '@voice/storage';
import { shutdownTimes } from './shutdown';

export interface MediaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** TASK_QUEUE_MEDIA. */
  taskQueue: string;
  storage: BlobStorage;
  /** Scratch space, `DATA_DIR/work`; leftovers of dead workers are swept when this worker is created. */
  workDir: string;
  ffmpegPath?: string;
  maxConcurrentActivities: number;
  /** This process's metrics (step durations, slots); none are recorded without it. */
  metrics?: VoiceMetrics;
  /** SHUTDOWN_GRACE_SECONDS: a running decode or edit gets this long to finish on shutdown; default 30. */
  shutdownGraceSeconds?: number;
}

/**
 * The media activities (decode, loudness, quality gate, edits) on their own task queue. They need storage and
 * ffmpeg but no database, so this worker can run in any process, away from the API's event loop.
 */
export async function createMediaWorker(options: MediaWorkerOptions): Promise<Worker> {
  await mkdir(options.workDir, { recursive: true });
  await sweepScratch(options.workDir);
  await useScratchTmpdir(options.workDir);
  const { metrics } = options;
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createMediaActivities({
      storage: options.storage,
      workDir: options.workDir,
      ffmpegPath: options.ffmpegPath,
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    // Long decodes heartbeat every few seconds; send them promptly so a cancel reaches the stage.
    maxHeartbeatThrottleInterval: '1 second',
    interceptors: workerInterceptors(metrics),
    plugins: tracingPlugins(),
    ...shutdownTimes(options.shutdownGraceSeconds ?? 30),
  });
  metrics?.observeWorkerSlots({
    taskQueue: options.taskQueue,
    total: options.maxConcurrentActivities,
    used: () => worker.getStatus().numInFlightActivities,
  });
  return worker;
}
