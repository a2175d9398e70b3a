import type { Env } from '@voice/config';
import { startMetricsServer, VoiceMetrics, type MetricsServer, type MetricsSource } from '@voice/metrics';

/** This process's metrics when METRICS_PORT is set; undefined (nothing recorded, nothing served) when it is not. */
export function metricsFromEnv(env: Pick<Env, 'METRICS_PORT'>): VoiceMetrics | undefined {
  return env.METRICS_PORT === undefined ? undefined : new VoiceMetrics();
}

/**
 * Serves `source` (the process's registry, or a merge of several) at /metrics on METRICS_HOST:METRICS_PORT; does
 * nothing when METRICS_PORT is unset. The caller closes the returned server on shutdown.
 */
export async function serveMetrics(
  env: Pick<Env, 'METRICS_PORT' | 'METRICS_HOST'>,
  source: MetricsSource | undefined,
): Promise<MetricsServer | undefined> {
  if (env.METRICS_PORT === undefined || !source) return undefined;
  return startMetricsServer({ host: env.METRICS_HOST, port: env.METRICS_PORT, registry: source });
}
