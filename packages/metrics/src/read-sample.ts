import type { Registry } from 'prom-client';

/**
 * The value of one sample of `registry`: by full sample name (`voice_job_duration_seconds_count`, or a counter's or
 * gauge's own name) and the labels it must carry (others may differ). Undefined when no such sample exists. For
 * tests and tools that read a process's metrics without parsing the text format.
 */
export async function readSample(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const family = name.replace(/_(bucket|sum|count)$/, '');
  const metrics = await registry.getMetricsAsJSON();
  const found = metrics.find((metric) => metric.name === name) ?? metrics.find((metric) => metric.name === family);
  if (!found) return undefined;
  const value = found.values.find(
    (entry) =>
      ((entry as { metricName?: string }).metricName ?? found.name) === name &&
      Object.entries(labels).every(([key, wanted]) => String(entry.labels[key]) === wanted),
  );
  return value?.value;
}
