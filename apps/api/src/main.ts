import { Logger } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { parseEnv } from '@voice/config';
import { runMigrations } from '@voice/db';
import {
  configureTracing,
  databaseFromEnv,
  metricsFromEnv,
  serveMetrics,
  storageFromEnv,
  temporalAddress,
  temporalProbe,
  tracingPlugins,
} from '@voice/runtime';

import { resolveSigningSecret } from '@voice/runtime';
import { createApiApp } from './create-api-app';
import { closeOnSignals } from './lifecycle/graceful-shutdown';

/**
 * Runs the API on its own (the all-in-one launcher in apps/platform calls createApiApp instead).
 * It owns its dependencies: SIGTERM/SIGINT stop the HTTP server, then close Temporal, storage and the database.
 */
async function main(): Promise<void> {
  const env = parseEnv();
  configureTracing(env);
  const logger = new Logger('Main');

  const database = await databaseFromEnv(env);
  // Idempotent and lock-protected on PostgreSQL, so racing the worker's migration at start is safe.
  await runMigrations(database);
  const signingSecret = await resolveSigningSecret(env);
  const storage = storageFromEnv(env, signingSecret);

  // Lazy: the API may come up before Temporal; /api/health reports "starting" until Temporal answers.
  const connection = Connection.lazy({ address: temporalAddress(env) });
  const temporalClient = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, plugins: tracingPlugins() });
  const metrics = metricsFromEnv(env);

  const app = await createApiApp({
    env,
    database,
    storage,
    temporalClient,
    signingSecret,
    readiness: [temporalProbe(temporalClient)],
    ownsDependencies: true,
    metrics,
  });
  closeOnSignals(app, env);
  // Its own port, never the public one: Prometheus reaches it inside the network, the gateway does not.
  const metricsServer = await serveMetrics(env, metrics?.registry);
  await app.listen(env.API_PORT, env.API_HOST);
  logger.log(`API listening on ${await app.getUrl()} (OpenAPI at /api/docs)`);
  if (metricsServer) logger.log(`Metrics at ${metricsServer.url}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
