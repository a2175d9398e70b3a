/**
 * A random Idempotency-Key. crypto.getRandomValues rather than randomUUID: the latter exists only in secure contexts,
 * and a self-hosted server may well be reached over plain HTTP on a LAN address.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `admin-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
