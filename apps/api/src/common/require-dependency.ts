import { serviceUnavailable } from './domain-error';

/**
 * Narrows an optional dependency (the STORAGE token resolves to null when the process
 * was started without it), answering 503 SERVICE_UNAVAILABLE instead of crashing on use.
 */
export function requireDependency<T>(value: T | null | undefined, name: string): T {
  if (value === null || value === undefined) throw serviceUnavailable(`${name} is not configured on this server`);
  return value;
}
