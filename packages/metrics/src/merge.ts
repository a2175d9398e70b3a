import { AggregatorRegistry, type Registry } from 'prom-client';

import type { MetricsSource } from './metrics-server';

/** A registry's contents as plain data (`registry.getMetricsAsJSON()`), which can cross a process boundary. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Families reported for the serving process only. Event-loop lag says whether the API answers promptly: averaged with
 * the worker host's (whose loop runs inference) it would hide exactly the lag that matters. The start time is one
 * process's (prom-client would drop it from any merge).
 */
const OWN_ONLY = /^(nodejs_eventloop_lag|process_start_time_seconds$)/;

/**
 * One exposition for several processes that Prometheus scrapes as one target (the embedded platform and its worker
 * host): `own` plus the snapshots `others` fetches at each scrape, merged by prom-client's AggregatorRegistry.
 * Samples with the same name and labels combine by each metric's aggregator (counters, histograms, memory and CPU
 * add up; the task-queue and held-credit gauges take the maximum), so every family appears once.
 */
export function mergedMetricsSource(own: Registry, others: () => Promise<readonly MetricsSnapshot[]>): MetricsSource {
  return {
    contentType: own.contentType,
    async metrics() {
      const [mine, theirs] = await Promise.all([own.getMetricsAsJSON(), others()]);
      return AggregatorRegistry.aggregate([
        mine.map((metric) => (OWN_ONLY.test(metric.name) ? { ...metric, aggregator: 'first' as const } : metric)),
        ...theirs.map((snapshot) => snapshot.filter((metric) => !OWN_ONLY.test(metric.name))),
      ]).metrics();
    },
  };
}
