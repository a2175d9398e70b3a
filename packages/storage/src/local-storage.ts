import { createHmac, timingSafeEqual } from 'node:crypto';
import { copyFile, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidStorageKeyError, StorageObjectNotFoundError } from './errors';
import { isErrnoException, writeFileAtomically } from './fs-utils';
import { assertValidKey, assertValidPrefix, resolveTtlSeconds } from './keys';
import type { BlobStorage, SignedUrl, SignedUrlOptions } from './types';

export interface LocalStorageOptions {
  /** Directory holding the objects; created on first write. */
  root: string;
  /** Origin (and optional base path) of the API that serves `/api/files/...`, e.g. `https://voice.example.com`. */
  publicBaseUrl: string;
  /** HMAC key for download links; at least 16 bytes. */
  signingSecret: string | Buffer;
  defaultTtlSeconds: number;
}

/** Path prefix of signed download links; the API's file route must be mounted here. */
export const LOCAL_FILES_ROUTE = '/api/files';

export interface LocalSignedUrlParams {
  /** The decoded object key (the link carries it as one `encodeURIComponent`-encoded path segment). */
  key: string;
  /** Unix seconds, as found in the `expires` query parameter. */
  expires: string | number;
  sig: string;
  /** The `filename` query parameter, if present. */
  filename?: string | undefined;
}

export type LocalSignedUrlVerification = { ok: true } | { ok: false; reason: 'expired' | 'bad_signature' };

function isNotFound(error: unknown): boolean {
  // EISDIR/ENOTDIR: the key names a directory, or a path through a file; neither is a stored object.
  return isErrnoException(error) && (error.code === 'ENOENT' || error.code === 'EISDIR' || error.code === 'ENOTDIR');
}

function localUrlSignature(key: string, expires: number, filename: string | undefined, secret: string | Buffer) {
  // Keys cannot contain newlines (assertValidKey), so the fields cannot be shifted into one another.
  return createHmac('sha256', secret)
    .update(`${key}\n${expires}\n${filename ?? ''}`)
    .digest();
}

/**
 * Checks a local download link's query against `secret`. The signature is checked before the expiry so that a
 * forged link learns nothing; comparison is constant-time.
 */
export function verifyLocalSignedUrl(
  params: LocalSignedUrlParams,
  secret: string | Buffer,
  now: Date = new Date(),
): LocalSignedUrlVerification {
  const expiresText = String(params.expires);
  if (!/^\d{1,12}$/.test(expiresText)) return { ok: false, reason: 'bad_signature' };
  const expires = Number(expiresText);
  // Compare the canonical text, not decoded bytes: base64url ignores the spare bits of its last character,
  // so a decoded comparison would accept a link whose signature text was altered there.
  const expected = Buffer.from(localUrlSignature(params.key, expires, params.filename, secret).toString('base64url'));
  const given = Buffer.from(params.sig);
  // timingSafeEqual needs equal lengths; the length of an HMAC is public, so checking it first leaks nothing.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  if (Math.floor(now.getTime() / 1000) > expires) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** Stores objects as files under a root directory; downloads go through the API with HMAC-signed links. */
export class LocalStorage implements BlobStorage {
  readonly driver = 'local' as const;
  readonly root: string;
  private readonly publicBaseUrl: string;
  private readonly signingSecret: string | Buffer;
  private readonly defaultTtlSeconds: number;

  constructor(options: LocalStorageOptions) {
    if (Buffer.byteLength(options.signingSecret) < 16)
      throw new Error('LocalStorage signingSecret must be >= 16 bytes');
    this.root = resolve(options.root);
    this.publicBaseUrl = new URL(options.publicBaseUrl).href.replace(/\/+$/, '');
    this.signingSecret = options.signingSecret;
    this.defaultTtlSeconds = resolveTtlSeconds(undefined, options.defaultTtlSeconds);
  }

  /** Absolute file path of `key`, after validating that it stays inside the root. */
  pathFor(key: string): string {
    assertValidKey(key);
    const path = resolve(this.root, key);
    // Belt and braces: assertValidKey already rules out escapes, but the root must never be left.
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new InvalidStorageKeyError(key, 'resolves outside the storage root');
    }
    return path;
  }

  async putBuffer(key: string, body: Buffer, _contentType?: string): Promise<void> {
    // The content type is not stored: the file route derives it from the key's extension.
    await writeFileAtomically(this.pathFor(key), async (tempPath) => {
      const handle = await open(tempPath, 'wx');
      try {
        await handle.writeFile(body);
        // fsync before the rename, or a crash could leave a renamed but empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async putFile(
    key: string,
    filePath: string,
    _contentType?: string,
    options: { consume?: boolean } = {},
  ): Promise<void> {
    await writeFileAtomically(this.pathFor(key), async (tempPath) => {
      // A consumed upload on the same filesystem is moved, not copied: a submit then costs no second write.
      const moved = options.consume === true && (await rename(filePath, tempPath).then(() => true, isCrossDevice));
      // copyFile streams in the kernel (copy_file_range/reflink) rather than through JS buffers.
      if (!moved) await copyFile(filePath, tempPath);
      const handle = await open(tempPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  async getBuffer(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathFor(key));
    } catch (error) {
      if (isNotFound(error)) throw new StorageObjectNotFoundError(key);
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable> {
    // Opening eagerly turns a missing object into a rejected promise instead of a later stream 'error'.
    const handle = await open(this.pathFor(key), 'r').catch((error: unknown) => {
      throw isNotFound(error) ? new StorageObjectNotFoundError(key) : error;
    });
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new StorageObjectNotFoundError(key);
    }
    return handle.createReadStream();
  }

  async downloadToFile(key: string, filePath: string): Promise<void> {
    const source = this.pathFor(key);
    await writeFileAtomically(resolve(filePath), async (tempPath) => {
      await copyFile(source, tempPath).catch((error: unknown) => {
        throw isNotFound(error) ? new StorageObjectNotFoundError(key) : error;
      });
    });
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const info = await stat(this.pathFor(key));
      return info.isFile() ? info.size : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathFor(key);
    try {
      await unlink(file);
    } catch (error) {
      // Deleting a missing object succeeds, as on S3, so cleanup activities can be retried.
      if (!isNotFound(error)) throw error;
    }
    await this.removeEmptyParents(file);
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix);
    const dir = this.pathFor(prefix.slice(0, -1));
    const info = await stat(dir).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    // A file named like the folder is not under the prefix (`jobs/a` vs `jobs/a/…`): leave it.
    if (!info?.isDirectory()) return 0;
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    // Temp files of writes in progress (writeFileAtomically) are not objects yet.
    const objects = entries.filter((entry) => entry.isFile() && !entry.name.endsWith('.partial')).length;
    await rm(dir, { recursive: true, force: true });
    await this.removeEmptyParents(dir);
    return objects;
  }

  /**
   * S3 has no folders: leave no empty ones behind either (a job's folder goes with its last file). rmdir refuses a
   * non-empty folder, which ends the walk; top-level prefixes (jobs/, voices/) stay, so a concurrent write elsewhere
   * never loses the folder it is creating.
   */
  private async removeEmptyParents(path: string): Promise<void> {
    for (let dir = dirname(path); dirname(dir).startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  /**
   * `${publicBaseUrl}/api/files/<encodeURIComponent(key)>?expires=<unix s>&sig=<HMAC-SHA256, base64url>[&filename=]`.
   * The API route checks it with `verifyLocalSignedUrl` and streams `getStream(key)`.
   */
  async signedDownloadUrl(key: string, options: SignedUrlOptions = {}): Promise<SignedUrl> {
    assertValidKey(key);
    const ttl = resolveTtlSeconds(options.ttlSeconds, this.defaultTtlSeconds);
    const expires = Math.floor(Date.now() / 1000) + ttl;
    const query = new URLSearchParams({
      expires: String(expires),
      sig: localUrlSignature(key, expires, options.downloadFilename, this.signingSecret).toString('base64url'),
    });
    if (options.downloadFilename !== undefined) query.set('filename', options.downloadFilename);
    return {
      url: `${this.publicBaseUrl}${LOCAL_FILES_ROUTE}/${encodeURIComponent(key)}?${query.toString()}`,
      expiresAt: new Date(expires * 1000),
    };
  }

  /** Nothing to release; present so callers can close either driver. */
  async close(): Promise<void> {}
}

/** False for a cross-filesystem rename (the caller copies instead); any other failure is rethrown. */
function isCrossDevice(error: unknown): false {
  if (isErrnoException(error) && error.code === 'EXDEV') return false;
  throw error;
}
