import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { parseEnv, publicBaseUrl } from '@voice/config';
import { runMigrations } from '@voice/db';
import { mailerFromEnv } from '@voice/mail';
import {
  connectWorkerConnection,
  databaseFromEnv,
  installWorkerRuntime,
  metricsFromEnv,
  processLogger,
  resolveSecretBox,
  serveMetrics,
  resolveSigningSecret,
  shutdownTracing,
  storageFromEnv,
} from '@voice/runtime';
import { parseCreditPackages } from '@voice/shared';
import { createCpuWorker, retentionOptionsFromEnv, webhookOptionsFromEnv } from './cpu-worker';
import { createMediaWorker } from './media-worker';
import { ensureRetentionSchedule } from './retention-schedule';

/** Standalone CPU worker (docker-compose `worker` service): workflows + bookkeeping and payments, and the media activities. */
async function main(): Promise<void> {
  const env = parseEnv();
  installWorkerRuntime(env);
  const database = await databaseFromEnv(env);
  await runMigrations(database);
  const connection = await connectWorkerConnection(env);
  const mailer = mailerFromEnv(env, { log: (line) => processLogger().info({ component: 'mail' }, line) });
  const metrics = metricsFromEnv(env);
  const storage = storageFromEnv(env, await resolveSigningSecret(env));
  const workers = [
    await createCpuWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TASK_QUEUE_CPU,
      db: database.db,
      maxConcurrentActivities: env.CPU_WORKER_CONCURRENCY,
      mailer,
      packages: parseCreditPackages(env.CREDIT_PACKAGES),
      publicBaseUrl: publicBaseUrl(env),
      webhooks: webhookOptionsFromEnv(env, await resolveSecretBox(env)),
      metrics,
      retention: retentionOptionsFromEnv(env, storage),
      shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    }),
    await createMediaWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TASK_QUEUE_MEDIA,
      storage,
      workDir: path.join(env.DATA_DIR, 'work'),
      ffmpegPath: env.FFMPEG_PATH,
      maxConcurrentActivities: env.CPU_WORKER_CONCURRENCY,
      metrics,
      shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    }),
  ];
  const metricsServer = await serveMetrics(env, metrics?.registry);
  if (metricsServer) console.log(`Metrics at ${metricsServer.url}`);
  // The daily retention schedule, created or updated idempotently (README: Operations → Shutdown and retention).
  await ensureRetentionSchedule(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), env.TASK_QUEUE_CPU);
  // Worker.run() resolves after SIGINT/SIGTERM (the SDK installs the handlers): polling stops at once, running
  // activities get SHUTDOWN_GRACE_SECONDS, then are cancelled and retried elsewhere; the process then exits 0.
  await Promise.all(workers.map((worker) => worker.run()));
  await metricsServer?.close();
  await connection.close();
  await mailer.close();
  await database.close();
  // The last batch of spans (the shutdown's own included) is sent, not lost with the process.
  await shutdownTracing();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
