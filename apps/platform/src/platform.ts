import { mkdir } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { createApiApp } from '@voice/api';
import { publicBaseUrl, type Env } from '@voice/config';
import { runMigrations, type DatabaseHandle } from '@voice/db';
import { mailerFromEnv } from '@voice/mail';
import {
  configureLogging,
  connectTemporalClient,
  connectWorkerConnection,
  databaseFromEnv,
  ensureTemporalSetup,
  freePort,
  processLogger,
  shutdownTracing,
  type LogDestination,
  resolveSecretBox,
  resolveSigningSecret,
  storageFromEnv,
  temporalProbe,
  workerProbe,
} from '@voice/runtime';
import { parseCreditPackages } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { createCpuWorker, webhookOptionsFromEnv } from '@voice/worker';
import { DevServerSupervisor } from './dev-server-supervisor';
import { WorkerHostSupervisor } from './worker-host-supervisor';
import type { WorkerRole } from './worker-host-protocol';

export interface PlatformOptions {
  /** Reuse an open database (tests); otherwise one is opened from the env. */
  database?: DatabaseHandle;
  /** Skip the embedded GPU worker, e.g. when a test runs it as a separate process. */
  embeddedGpuWorker?: boolean;
  /** Skip the embedded media worker (decode, loudness, quality, edits), e.g. when another process serves it. */
  embeddedMediaWorker?: boolean;
  /** Where every log line goes instead of stdout, the worker host's included (tests read them back). */
  logDestination?: LogDestination;
}

export interface RunningPlatform {
  env: Env;
  apiUrl: string;
  docsUrl: string;
  temporalUiUrl: string | undefined;
  temporalAddress: string;
  app: INestApplication;
  client: Client;
  database: DatabaseHandle;
  storage: BlobStorage;
  /** The child process running the media and GPU workers, when either is embedded. */
  workerHost: WorkerHostSupervisor | undefined;
  stop(): Promise<void>;
}

/**
 * Hosts the whole platform: the Temporal dev server (unless TEMPORAL_ADDRESS points at a cluster), migrations,
 * the API and the workflow worker with the bookkeeping activities in this process (they share the embedded
 * PGlite, which is single-process), and the media and GPU workers in a supervised child process, so no
 * decoding, metering or inference runs on the API's event loop. Each also runs on its own (apps/*).
 */
export async function startPlatform(requestedEnv: Env, options: PlatformOptions = {}): Promise<RunningPlatform> {
  // Links handed out before the server listens must carry the real port, so resolve port 0 up front.
  const env: Env =
    requestedEnv.API_PORT === 0 ? { ...requestedEnv, API_PORT: await freePort(requestedEnv.API_HOST) } : requestedEnv;
  const logDestination = options.logDestination ? { logDestination: options.logDestination } : {};
  configureLogging(env, options.logDestination ? { destination: options.logDestination } : {});
  const log = processLogger();
  // Run last (cleanups run in reverse): the spans of the shutdown itself are sent too.
  const cleanups: Array<() => Promise<void>> = [() => shutdownTracing()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log.error({ err: error }, 'shutdown step failed'));
    }
  };

  try {
    await mkdir(env.DATA_DIR, { recursive: true });

    // Owned and supervised: restarted if it dies, and one a crashed platform left is stopped first.
    const devServer = env.TEMPORAL_ADDRESS ? undefined : new DevServerSupervisor(env);
    if (devServer) {
      await devServer.start();
      cleanups.push(() => devServer.stop());
    }
    const temporalAddress = devServer?.address ?? env.TEMPORAL_ADDRESS ?? '';

    const client = await connectTemporalClient(env, temporalAddress);
    cleanups.push(() => client.connection.close());
    if (!devServer) await ensureTemporalSetup(client, env.TEMPORAL_NAMESPACE);

    const database = options.database ?? (await databaseFromEnv(env));
    if (!options.database) cleanups.push(() => database.close());
    await runMigrations(database);

    const signingSecret = await resolveSigningSecret(env);
    // One key ring for the API (which seals webhook secrets) and the worker (which opens them to sign deliveries).
    const secretBox = await resolveSecretBox(env);
    const storage = storageFromEnv(env, signingSecret);
    if ('ensureBucket' in storage && typeof storage.ensureBucket === 'function') {
      await (storage.ensureBucket as () => Promise<void>)();
    }

    const roles: WorkerRole[] = [
      ...(options.embeddedMediaWorker !== false ? (['media'] as const) : []),
      ...(options.embeddedGpuWorker !== false ? (['gpu'] as const) : []),
    ];
    const workerHost =
      roles.length > 0 ? new WorkerHostSupervisor({ env, temporalAddress, signingSecret, roles }) : undefined;
    if (workerHost) cleanups.push(() => workerHost.stop());
    const connection = await connectWorkerConnection(env, temporalAddress);
    cleanups.push(() => connection.close());
    // The workflow worker's own transport (payment receipts); the API opens another for account mail.
    const receiptMailer = mailerFromEnv(env, { log: (line) => log.info({ component: 'mail' }, line) });
    cleanups.push(() => receiptMailer.close());
    // The host loads its workers while this process bundles the workflows: both take seconds.
    const [worker] = await Promise.all([
      createCpuWorker({
        connection,
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: env.TASK_QUEUE_CPU,
        db: database.db,
        maxConcurrentActivities: env.CPU_WORKER_CONCURRENCY,
        mailer: receiptMailer,
        packages: parseCreditPackages(env.CREDIT_PACKAGES),
        publicBaseUrl: publicBaseUrl(env),
        webhooks: webhookOptionsFromEnv(env, secretBox),
      }),
      workerHost?.start(),
    ]);
    const running = worker.run().catch((error: unknown) => {
      log.error({ err: error, taskQueue: worker.options.taskQueue }, 'worker stopped');
    });
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const app = await createApiApp({
      env,
      database,
      storage,
      temporalClient: client,
      signingSecret,
      secretBox,
      ...logDestination,
      // Links from the admin pages to a job's run; TEMPORAL_UI_PUBLIC_URL, when set, wins inside the API.
      ...(devServer ? { temporalUiUrl: devServer.uiUrl } : {}),
      readiness: [
        devServer ? devServer.probe(temporalProbe(client)) : temporalProbe(client),
        workerProbe(client, 'worker', env.TASK_QUEUE_CPU, 'workflow'),
        workerProbe(client, 'media-worker', env.TASK_QUEUE_MEDIA, 'activity'),
        workerProbe(client, 'gpu-worker', env.TASK_QUEUE_GPU, 'activity'),
      ],
    });
    await app.listen(env.API_PORT, env.API_HOST);
    cleanups.push(async () => {
      // A client holding a download open must not stall shutdown: give requests a moment, then cut them.
      const server = app.getHttpServer() as HttpServer;
      const force = setTimeout(() => server.closeAllConnections(), 5_000);
      force.unref();
      await app.close();
      clearTimeout(force);
    });

    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : env.API_PORT;
    const apiUrl = `http://127.0.0.1:${port}`;
    return {
      env,
      apiUrl,
      docsUrl: `${apiUrl}/api/docs`,
      temporalUiUrl: devServer?.uiUrl ?? env.TEMPORAL_UI_PUBLIC_URL,
      temporalAddress,
      app,
      client,
      database,
      storage,
      workerHost,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
