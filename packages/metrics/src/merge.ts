import { AggregatorRegistry, type Registry } from 'prom-client';

import type { MetricsSource } from './metrics-server';

/** A registry's contents as plain data (`registry.getMetricsAsJSON()`), which can cross a process boundary. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * One exposition for several processes that Prometheus scrapes as one target (the embedded platform and its worker
 * host): `own` plus the snapshots `others` fetches at each scrape, merged by prom-client's AggregatorRegistry.
 * Samples with the same name and labels combine by each metric's aggregator (counters and histograms add up;
 * the task-queue and held-credit gauges take the maximum), so no metric appears twice.
 */
export function mergedMetricsSource(own: Registry, others: () => Promise<readonly MetricsSnapshot[]>): MetricsSource {
  return {
    contentType: own.contentType,
    async metrics() {
      const [mine, theirs] = await Promise.all([own.getMetricsAsJSON(), others()]);
      return AggregatorRegistry.aggregate([mine, ...theirs]).metrics();
    },
  };
}
