import * as path from 'node:path';
import { parseEnv, publicBaseUrl } from '@voice/config';
import { runMigrations } from '@voice/db';
import { mailerFromEnv } from '@voice/mail';
import {
  connectWorkerConnection,
  databaseFromEnv,
  installWorkerRuntime,
  processLogger,
  resolveSecretBox,
  resolveSigningSecret,
  storageFromEnv,
} from '@voice/runtime';
import { parseCreditPackages } from '@voice/shared';
import { createCpuWorker, webhookOptionsFromEnv } from './cpu-worker';
import { createMediaWorker } from './media-worker';

/** Standalone CPU worker (docker-compose `worker` service): workflows + bookkeeping and payments, and the media activities. */
async function main(): Promise<void> {
  const env = parseEnv();
  installWorkerRuntime(env);
  const database = await databaseFromEnv(env);
  await runMigrations(database);
  const connection = await connectWorkerConnection(env);
  const mailer = mailerFromEnv(env, { log: (line) => processLogger().info({ component: 'mail' }, line) });
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
    }),
    await createMediaWorker({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TASK_QUEUE_MEDIA,
      storage: storageFromEnv(env, await resolveSigningSecret(env)),
      workDir: path.join(env.DATA_DIR, 'work'),
      ffmpegPath: env.FFMPEG_PATH,
      maxConcurrentActivities: env.CPU_WORKER_CONCURRENCY,
    }),
  ];
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks finish (the SDK installs the handlers).
  await Promise.all(workers.map((worker) => worker.run()));
  await connection.close();
  await mailer.close();
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
