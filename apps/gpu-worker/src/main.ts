import * as path from 'node:path';
import { parseEnv } from '@voice/config';
import {
  connectWorkerConnection,
  installWorkerRuntime,
  metricsFromEnv,
  resolveSigningSecret,
  serveMetrics,
  shutdownTracing,
  storageFromEnv,
} from '@voice/runtime';
import { createGpuWorker } from './gpu-worker';

/** Standalone GPU worker (docker-compose `gpu-worker` service); also spawned by the crash-recovery test. */
async function main(): Promise<void> {
  const env = parseEnv();
  installWorkerRuntime(env);
  const connection = await connectWorkerConnection(env);
  const metrics = metricsFromEnv(env);
  const { worker, dispose } = await createGpuWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TASK_QUEUE_GPU,
    storage: storageFromEnv(env, await resolveSigningSecret(env)),
    concurrency: env.GPU_WORKER_CONCURRENCY,
    modelIdleUnloadMs: env.MODEL_IDLE_UNLOAD_SECONDS * 1000,
    modelsDir: env.MODELS_DIR,
    // Scratch under DATA_DIR/work, swept at start (only entries whose owning process is gone).
    workDir: path.join(env.DATA_DIR, 'work'),
    metrics,
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
  });
  const metricsServer = await serveMetrics(env, metrics?.registry);
  if (metricsServer) console.log(`Metrics at ${metricsServer.url}`);
  // Resolves after SIGTERM/SIGINT (the SDK's handlers) once running inference finished or was cancelled.
  await worker.run();
  await metricsServer?.close();
  await dispose();
  await connection.close();
  // The last batch of spans (the shutdown's own included) is sent, not lost with the process.
  await shutdownTracing();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
