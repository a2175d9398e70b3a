import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Env } from '@voice/config';

const levels: Record<Env['LOG_LEVEL'], LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
let installed = false;

/**
 * The Temporal runtime can be installed once per process, before any worker or connection exists. With
 * TEMPORAL_METRICS_PORT set, the SDK core serves its own worker metrics (temporal_*: task slots, poll and
 * schedule-to-start latencies, sticky cache…) in the Prometheus format on METRICS_HOST at that port.
 */
export function installWorkerRuntime(
  env: Pick<Env, 'LOG_LEVEL'> & Partial<Pick<Env, 'TEMPORAL_METRICS_PORT' | 'METRICS_HOST'>>,
): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new DefaultLogger(levels[env.LOG_LEVEL]),
    ...(env.TEMPORAL_METRICS_PORT === undefined
      ? {}
      : {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: `${env.METRICS_HOST ?? '0.0.0.0'}:${env.TEMPORAL_METRICS_PORT}` } },
          },
        }),
  });
}
