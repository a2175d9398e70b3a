import type { Readable } from 'node:stream';

export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

export interface SignedUrlOptions {
  /** Lifetime of the link; defaults to the driver's configured TTL. */
  ttlSeconds?: number;
  /** Suggested file name for the browser (Content-Disposition). */
  downloadFilename?: string;
}

/**
 * Blob storage for audio. Keys are relative POSIX paths such as `jobs/<jobId>/input.wav`;
 * only keys ever travel in Temporal payloads.
 */
export interface BlobStorage {
  readonly driver: 'local' | 's3';
  putBuffer(key: string, body: Buffer, contentType?: string): Promise<void>;
  /**
   * Streams a local file into storage without loading it into memory. With `consume`, the caller is done with
   * the file and a driver may move it into place instead of copying (it is then gone from `filePath`).
   */
  putFile(key: string, filePath: string, contentType?: string, options?: { consume?: boolean }): Promise<void>;
  getBuffer(key: string): Promise<Buffer>;
  getStream(key: string): Promise<Readable>;
  /** Copies the object to a local file (for ffmpeg and other tools that need a path). */
  downloadToFile(key: string, filePath: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Size in bytes, or undefined if the object does not exist. */
  size(key: string): Promise<number | undefined>;
  delete(key: string): Promise<void>;
  /**
   * Deletes every object whose key starts with `prefix` (a folder such as `jobs/<id>/`: it must end with `/`) and
   * returns how many there were. Missing objects are fine, so a retried cleanup succeeds.
   */
  deletePrefix(prefix: string): Promise<number>;
  signedDownloadUrl(key: string, options?: SignedUrlOptions): Promise<SignedUrl>;
}
