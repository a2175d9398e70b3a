import { mkdir } from 'node:fs/promises';
import type { INestApplication } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { createApiApp, drainOptionsFromEnv, shutdownApiApp } from '@voice/api';
import { publicBaseUrl, type Env } from '@voice/config';
import { runMigrations, type DatabaseHandle } from '@voice/db';
import { mailerFromEnv } from '@voice/mail';
import { mergedMetricsSource } from '@voice/metrics';
import {
  configureLogging,
  connectTemporalClient,
  connectWorkerConnection,
  databaseFromEnv,
  ensureTemporalSetup,
  freePort,
  metricsFromEnv,
  processLogger,
  shutdownTracing,
  type LogDestination,
  resolveSecretBox,
  serveMetrics,
  resolveSigningSecret,
  storageFromEnv,
  temporalProbe,
  workerProbe,
} from '@voice/runtime';
import { parseCreditPackages } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import {
  createCpuWorker,
  ensureRetentionSchedule,
  retentionOptionsFromEnv,
  webhookOptionsFromEnv,
} from '@voice/worker';
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
  /**
   * Skip the embedded CPU worker (workflows, bookkeeping, retention), e.g. when standalone apps/worker processes
   * serve TASK_QUEUE_CPU. Needs PostgreSQL (DATABASE_URL): embedded PGlite is reachable from this process only.
   */
  embeddedCpuWorker?: boolean;
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
  /**
   * Where Prometheus scrapes the whole platform (`http://host:port/metrics`), when METRICS_PORT is set: this
   * process's metrics (API, workflows, bookkeeping) merged with the worker host's (media and GPU steps).
   */
  metricsUrl: string | undefined;
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
    // One registry for the API and the CPU worker of this process; the worker host keeps its own (see below).
    const metrics = metricsFromEnv(env);
    if ('ensureBucket' in storage && typeof storage.ensureBucket === 'function') {
      await (storage.ensureBucket as () => Promise<void>)();
    }

    const embeddedCpuWorker = options.embeddedCpuWorker !== false;
    if (!embeddedCpuWorker && database.kind === 'pglite') {
      throw new Error('embeddedCpuWorker: false needs DATABASE_URL: other processes cannot open the embedded PGlite');
    }
    const roles: WorkerRole[] = [
      ...(options.embeddedMediaWorker !== false ? (['media'] as const) : []),
      ...(options.embeddedGpuWorker !== false ? (['gpu'] as const) : []),
    ];
    const workerHost =
      roles.length > 0
        ? new WorkerHostSupervisor({
            env,
            temporalAddress,
            signingSecret,
            roles,
            // Its workers give running activities the grace period, then cancel them: a little more before SIGKILL.
            stopGraceMs: (env.SHUTDOWN_GRACE_SECONDS + 5) * 1000,
          })
        : undefined;
    if (workerHost) cleanups.push(() => workerHost.stop());
    const connection = await connectWorkerConnection(env, temporalAddress);
    cleanups.push(() => connection.close());
    // The workflow worker's own transport (payment receipts); the API opens another for account mail.
    const receiptMailer = mailerFromEnv(env, { log: (line) => log.info({ component: 'mail' }, line) });
    cleanups.push(() => receiptMailer.close());
    // The host loads its workers while this process bundles the workflows: both take seconds.
    const [worker] = await Promise.all([
      embeddedCpuWorker
        ? createCpuWorker({
            connection,
            namespace: env.TEMPORAL_NAMESPACE,
            taskQueue: env.TASK_QUEUE_CPU,
            db: database.db,
            maxConcurrentActivities: env.CPU_WORKER_CONCURRENCY,
            mailer: receiptMailer,
            packages: parseCreditPackages(env.CREDIT_PACKAGES),
            publicBaseUrl: publicBaseUrl(env),
            webhooks: webhookOptionsFromEnv(env, secretBox),
            retention: retentionOptionsFromEnv(env, storage),
            shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
            metrics,
          })
        : undefined,
      workerHost?.start(),
    ]);
    if (worker) {
      const running = worker.run().catch((error: unknown) => {
        log.error({ err: error, taskQueue: worker.options.taskQueue }, 'worker stopped');
      });
      cleanups.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      });
      // The daily retention schedule, created with the worker that runs it (README: Operations → Shutdown and retention).
      await ensureRetentionSchedule(client, env.TASK_QUEUE_CPU);
    }

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
      ...(metrics ? { metrics } : {}),
      readiness: [
        devServer ? devServer.probe(temporalProbe(client)) : temporalProbe(client),
        workerProbe(client, 'worker', env.TASK_QUEUE_CPU, 'workflow'),
        workerProbe(client, 'media-worker', env.TASK_QUEUE_MEDIA, 'activity'),
        workerProbe(client, 'gpu-worker', env.TASK_QUEUE_GPU, 'activity'),
      ],
    });
    await app.listen(env.API_PORT, env.API_HOST);
    // Readiness goes 503, event streams are sent elsewhere, in-flight requests get SHUTDOWN_GRACE_SECONDS; the
    // worker host stops after the API (the embedded CPU worker already stops polling at SIGTERM, by the SDK).
    cleanups.push(async () => void (await shutdownApiApp(app, drainOptionsFromEnv(env))));

    // One scrape target for the whole platform: the worker host serves no port, it hands its registry over IPC at
    // each scrape and the two merge (counters add up; each family appears once, as Prometheus requires). A host
    // that is restarting or slow is left out of that scrape rather than failing it.
    const metricsServer = await serveMetrics(
      env,
      metrics &&
        mergedMetricsSource(metrics.registry, async () => {
          const host = await workerHost?.metricsSnapshot();
          return host ? [host] : [];
        }),
    );
    if (metricsServer) cleanups.push(() => metricsServer.close());

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
      metricsUrl: metricsServer?.url,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
