import * as path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { parseEnv } from '@voice/config';
import { createGpuWorker } from '@voice/gpu-worker';
import {
  connectWorkerConnection,
  installWorkerRuntime,
  metricsFromEnv,
  processLogger,
  shutdownTracing,
  storageFromEnv,
} from '@voice/runtime';
import { createMediaWorker } from '@voice/worker';
import { isParentMessage, type HostMessage, type WorkerRole } from './worker-host-protocol';

/**
 * The worker host `npm start` forks (see worker-host-supervisor.ts): the media and GPU workers, whose decoding,
 * metering and inference must not run on the API's event loop. Neither touches the database, so they need no
 * PGlite. The parent sends the signing secret over IPC (never through the environment) and this process exits
 * when the parent goes away, however it went. With metrics on, it serves no port of its own: the parent asks for
 * this process's metrics over IPC at each scrape and serves them merged with its own.
 */
async function main(): Promise<void> {
  const roles = new Set(process.argv.slice(2) as WorkerRole[]);
  const env = parseEnv();
  installWorkerRuntime(env);
  const send = (message: HostMessage) => process.send?.(message);
  const metrics = metricsFromEnv(env);
  if (metrics) {
    process.on('message', (message) => {
      if (!isParentMessage(message) || message.type !== 'metrics-request') return;
      metrics.registry.getMetricsAsJSON().then(
        (snapshot) => send({ type: 'metrics', id: message.id, snapshot }),
        // The parent serves its own metrics alone when this answer does not come.
        (error: unknown) => console.error('could not collect the worker host metrics:', error),
      );
    });
  }

  // A parent that died (even by SIGKILL) closes the IPC channel: stop promptly instead of orphaning inference.
  const shutdownOnDisconnect = new Promise<void>((resolve) => process.once('disconnect', resolve));
  const signingSecret = await new Promise<string>((resolve, reject) => {
    process.on('message', (message) => {
      if (isParentMessage(message) && message.type === 'start') resolve(message.signingSecret);
    });
    void shutdownOnDisconnect.then(() => reject(new Error('the platform went away before starting this host')));
  });

  const storage = storageFromEnv(env, signingSecret);
  const connection = await connectWorkerConnection(env);
  const workDir = path.join(env.DATA_DIR, 'work');
  const workers: Worker[] = [];
  const disposers: Array<() => Promise<void>> = [];
  if (roles.has('media')) {
    workers.push(
      await createMediaWorker({
        connection,
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: env.TASK_QUEUE_MEDIA,
        storage,
        workDir,
        ffmpegPath: env.FFMPEG_PATH,
        maxConcurrentActivities: env.CPU_WORKER_CONCURRENCY,
        metrics,
        shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
      }),
    );
  }
  if (roles.has('gpu')) {
    const gpu = await createGpuWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TASK_QUEUE_GPU,
      storage,
      concurrency: env.GPU_WORKER_CONCURRENCY,
      modelIdleUnloadMs: env.MODEL_IDLE_UNLOAD_SECONDS * 1000,
      modelsDir: env.MODELS_DIR,
      workDir,
      metrics,
      shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    });
    workers.push(gpu.worker);
    disposers.push(gpu.dispose);
  }

  // Worker.run() also resolves after SIGTERM/SIGINT (the SDK's runtime handles them) once in-flight tasks end.
  const running = Promise.all(workers.map((worker) => worker.run()));
  void shutdownOnDisconnect.then(() => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    // Running activities get the grace period, then their cancel; do not outlive that by much.
    setTimeout(() => process.exit(1), (env.SHUTDOWN_GRACE_SECONDS + 5) * 1000).unref();
  });
  send({ type: 'ready', pid: process.pid });
  await running;
  for (const dispose of disposers) await dispose();
  await connection.close();
  await shutdownTracing();
}

// Logs go to pipes the parent reads; once it is gone a write would raise EPIPE, which must not mask the exit.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

main().then(
  // The IPC channel keeps the event loop alive, so leave explicitly once the workers are down.
  () => process.exit(0),
  (error: unknown) => {
    processLogger().fatal({ err: error }, 'worker host failed');
    process.exit(1);
  },
);
