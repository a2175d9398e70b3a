import { type INestApplication, Logger } from '@nestjs/common';
import type { Env } from '@voice/config';
import { ApiLifecycle, type DrainOptions, type DrainResult } from './api-lifecycle';

/**
 * Drains the HTTP server (see ApiLifecycle), then closes the app: Nest's shutdown hooks run after the last request,
 * so mail still goes out and the database closes last. The launcher and tests call this; a standalone API gets it
 * on SIGTERM through closeOnSignals.
 */
export async function shutdownApiApp(app: INestApplication, options: DrainOptions): Promise<DrainResult> {
  const result = await app.get(ApiLifecycle).drain(options);
  await app.close();
  return result;
}

/** SHUTDOWN_GRACE_SECONDS and SHUTDOWN_DRAIN_DELAY_SECONDS as drain options. */
export function drainOptionsFromEnv(
  env: Pick<Env, 'SHUTDOWN_GRACE_SECONDS' | 'SHUTDOWN_DRAIN_DELAY_SECONDS'>,
): DrainOptions {
  return { graceMs: env.SHUTDOWN_GRACE_SECONDS * 1000, delayMs: env.SHUTDOWN_DRAIN_DELAY_SECONDS * 1000 };
}

/**
 * Graceful shutdown on SIGTERM and SIGINT, instead of Nest's enableShutdownHooks (which closes the database before
 * the HTTP server and cuts requests short): drain (SHUTDOWN_DRAIN_DELAY_SECONDS, then up to SHUTDOWN_GRACE_SECONDS), close, exit 0. A second signal while
 * draining exits at once, for an operator who does not want to wait.
 */
export function closeOnSignals(
  app: INestApplication,
  env: Pick<Env, 'SHUTDOWN_GRACE_SECONDS' | 'SHUTDOWN_DRAIN_DELAY_SECONDS'>,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): void {
  const graceSeconds = env.SHUTDOWN_GRACE_SECONDS;
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting for the drain`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal}: no longer ready; draining (in-flight requests get up to ${graceSeconds} s)`);
    shutdownApiApp(app, drainOptionsFromEnv(env)).then(
      (result) => {
        logger.log(`Stopped in ${result.durationMs} ms (${result.forced} request(s) cut at the grace period)`);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
}
