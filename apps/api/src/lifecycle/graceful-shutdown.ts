import { type INestApplication, Logger } from '@nestjs/common';
import { ApiLifecycle, type DrainResult } from './api-lifecycle';

/**
 * Drains the HTTP server (see ApiLifecycle) for up to `graceMs`, then closes the app: Nest's shutdown hooks run
 * after the last request, so mail still goes out and the database closes last. The launcher and tests call this;
 * a standalone API gets it on SIGTERM through closeOnSignals.
 */
export async function shutdownApiApp(app: INestApplication, graceMs: number): Promise<DrainResult> {
  const result = await app.get(ApiLifecycle).drain(graceMs);
  await app.close();
  return result;
}

/**
 * Graceful shutdown on SIGTERM and SIGINT, instead of Nest's enableShutdownHooks (which closes the database before
 * the HTTP server and cuts requests short): drain for SHUTDOWN_GRACE_SECONDS, close, exit 0. A second signal while
 * draining exits at once, for an operator who does not want to wait.
 */
export function closeOnSignals(
  app: INestApplication,
  graceSeconds: number,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting for the drain`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal}: no longer ready; draining for up to ${graceSeconds} s`);
    shutdownApiApp(app, graceSeconds * 1000).then(
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
