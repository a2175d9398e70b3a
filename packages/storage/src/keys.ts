import { InvalidStorageKeyError } from './errors';

// S3's limit is 1024 UTF-8 bytes; applying it to the local driver too keeps keys portable between drivers.
const MAX_KEY_BYTES = 1024;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Throws `InvalidStorageKeyError` unless `key` is a relative POSIX path that stays inside the storage root:
 * no leading `/`, no `.`/`..`/empty segments, no backslashes (a separator on Windows) and no control characters
 * (NUL truncates paths in C APIs; newlines would make signed-URL payloads ambiguous).
 */
export function assertValidKey(key: string): void {
  const fail = (reason: string): never => {
    throw new InvalidStorageKeyError(key, reason);
  };
  if (typeof key !== 'string' || key.length === 0) fail('must be a non-empty string');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail(`longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL_CHARACTERS.test(key)) fail('contains control characters');
  if (key.includes('\\')) fail('contains a backslash');
  if (key.startsWith('/')) fail('must be relative');
  for (const segment of key.split('/')) {
    if (segment === '') fail('contains an empty path segment');
    if (segment === '.' || segment === '..') fail(`contains a "${segment}" segment`);
  }
}

/**
 * Throws `InvalidStorageKeyError` unless `prefix` is a folder of valid keys: `<valid key>/`. The trailing slash keeps
 * `jobs/1` from also matching `jobs/10/…`.
 */
export function assertValidPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new InvalidStorageKeyError(prefix, 'a prefix must end with "/"');
  }
  assertValidKey(prefix.slice(0, -1));
}

/** Validates a TTL (S3 SigV4 presigning caps it at 7 days) and applies the driver default. */
export function resolveTtlSeconds(requested: number | undefined, fallback: number): number {
  const ttl = requested ?? fallback;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 7 * 24 * 3600) {
    throw new RangeError(`Signed URL TTL must be an integer between 1 and 604800 seconds, got ${ttl}`);
  }
  return ttl;
}

/**
 * A `Content-Disposition: attachment` value for `filename`: a quoted ASCII fallback plus the RFC 6266/5987
 * `filename*` form so non-ASCII names survive. Both drivers use it; the local file route should too.
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
