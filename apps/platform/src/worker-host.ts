import * as path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { parseEnv } from '@voice/config';
import { createGpuWorker } from '@voice/gpu-worker';
import {
  connectWorkerConnection,
  installWorkerRuntime,
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
 * when the parent goes away, however it went.
 */
async function main(): Promise<void> {
  const roles = new Set(process.argv.slice(2) as WorkerRole[]);
  const env = parseEnv();
  installWorkerRuntime(env);
  const send = (message: HostMessage) => process.send?.(message);

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
    });
    workers.push(gpu.worker);
    disposers.push(gpu.dispose);
  }

  // Worker.run() also resolves after SIGTERM/SIGINT (the SDK's runtime handles them) once in-flight tasks end.
  const running = Promise.all(workers.map((worker) => worker.run()));
  void shutdownOnDisconnect.then(() => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    // The GPU worker grants a running inference 10 s to see its cancellation; do not outlive that by much.
    setTimeout(() => process.exit(1), 15_000).unref();
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
