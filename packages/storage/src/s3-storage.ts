import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createReadStream, createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageObjectNotFoundError } from './errors';
import { writeFileAtomically } from './fs-utils';
import { assertValidKey, assertValidPrefix, contentDisposition, resolveTtlSeconds } from './keys';
import type { BlobStorage, SignedUrl, SignedUrlOptions } from './types';

export interface S3StorageOptions {
  /** Custom endpoint for S3-compatible servers (MinIO, R2…); omit for AWS. */
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  /** Static credentials; omit both to use the SDK's default provider chain (instance roles etc.). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  /** `true` for MinIO and most self-hosted servers, which lack virtual-hosted bucket DNS. */
  forcePathStyle: boolean;
  defaultTtlSeconds: number;
  /** Multipart part size for putFile; S3 requires at least 5 MiB. Default 8 MiB. */
  partSizeBytes?: number;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
// Two parts in flight: enough to overlap network and disk, and memory stays at ~2 × partSize per upload.
const UPLOAD_QUEUE_SIZE = 2;
/** Objects deleted at once by deletePrefix. */
const DELETE_CONCURRENCY = 8;

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function isMissingObject(error: unknown): boolean {
  // GetObject says NoSuchKey; HEAD responses have no body, so HeadObject only has the 404.
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

/** Stores objects in one S3 bucket; downloads are presigned GET URLs straight from S3. */
export class S3Storage implements BlobStorage {
  readonly driver = 's3' as const;
  readonly bucket: string;
  /** The underlying client, for callers needing an operation this class does not wrap. */
  readonly client: S3Client;
  private readonly region: string;
  private readonly defaultTtlSeconds: number;
  private readonly partSize: number;

  constructor(options: S3StorageOptions) {
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      throw new Error('S3Storage needs both accessKeyId and secretAccessKey, or neither');
    }
    this.bucket = options.bucket;
    this.region = options.region;
    this.defaultTtlSeconds = resolveTtlSeconds(undefined, options.defaultTtlSeconds);
    this.partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE;
    if (this.partSize < 5 * 1024 * 1024) throw new RangeError('S3 multipart parts must be at least 5 MiB');
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId !== undefined && options.secretAccessKey !== undefined
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // The SDK's default (CRC checksums on every request) is rejected by several S3-compatible servers that
      // self-hosters run; only send checksums where the API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Creates the bucket if it does not exist. Call once at startup; needs s3:CreateBucket only the first time. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      if (statusOf(error) === 403)
        throw new Error(`S3 bucket ${this.bucket} exists but access is denied`, { cause: error });
      if (statusOf(error) !== 404) throw error;
    }
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the implicit location and AWS rejects it as an explicit constraint.
          CreateBucketConfiguration:
            this.region === 'us-east-1' ? undefined : { LocationConstraint: this.region as BucketLocationConstraint },
        }),
      );
    } catch (error) {
      // Another process (a second worker starting up) won the race: that is success.
      if (error instanceof S3ServiceException && error.name === 'BucketAlreadyOwnedByYou') return;
      throw error;
    }
  }

  async putBuffer(key: string, body: Buffer, contentType?: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType,
      }),
    );
  }

  /** Streams the file; objects above the part size go up as a multipart upload, aborted on failure. */
  async putFile(key: string, filePath: string, contentType?: string): Promise<void> {
    assertValidKey(key);
    const body = createReadStream(filePath);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: this.partSize,
      queueSize: UPLOAD_QUEUE_SIZE,
    });
    try {
      await upload.done();
    } finally {
      // A failed upload stops reading mid-file; close the descriptor rather than wait for GC.
      body.destroy();
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const body = await this.getStream(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  async getStream(key: string): Promise<Readable> {
    assertValidKey(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node the SDK returns an IncomingMessage; anything else means a browser runtime config slipped in.
      if (!(response.Body instanceof Readable)) throw new Error('S3 GetObject returned a non-Node stream body');
      return response.Body;
    } catch (error) {
      if (isMissingObject(error)) throw new StorageObjectNotFoundError(key);
      throw error;
    }
  }

  async downloadToFile(key: string, filePath: string): Promise<void> {
    const body = await this.getStream(key);
    try {
      await writeFileAtomically(resolve(filePath), (tempPath) => pipeline(body, createWriteStream(tempPath)));
    } finally {
      // If the temp file could not even be created, the socket must still be released.
      body.destroy();
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async size(key: string): Promise<number | undefined> {
    assertValidKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Lists the prefix page by page and deletes each object with DeleteObject rather than DeleteObjects: the batch call
   * requires a checksum header that several S3-compatible servers reject (see requestChecksumCalculation above).
   */
  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      for (let start = 0; start < keys.length; start += DELETE_CONCURRENCY) {
        await Promise.all(
          keys
            .slice(start, start + DELETE_CONCURRENCY)
            .map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))),
        );
      }
      deleted += keys.length;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  /** A presigned GET; with `downloadFilename`, S3 answers with that `Content-Disposition: attachment`. */
  async signedDownloadUrl(key: string, options: SignedUrlOptions = {}): Promise<SignedUrl> {
    assertValidKey(key);
    const ttl = resolveTtlSeconds(options.ttlSeconds, this.defaultTtlSeconds);
    const signedAt = new Date();
    const url = await getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition:
          options.downloadFilename === undefined ? undefined : contentDisposition(options.downloadFilename),
      }),
      { expiresIn: ttl, signingDate: signedAt },
    );
    return { url, expiresAt: new Date(Math.floor(signedAt.getTime() / 1000) * 1000 + ttl * 1000) };
  }

  /** Releases the client's sockets. */
  async close(): Promise<void> {
    this.client.destroy();
  }
}
