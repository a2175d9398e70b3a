import { HeadObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { S3Storage, contentDisposition } from '../src';
import { blobStorageContract, writeRandomFile, type ContractContext } from './support/blob-storage-contract';
import { acquireS3TestServer, type S3TestServer } from './support/s3-test-server';

describe('S3Storage against a real MinIO server', () => {
  let server: S3TestServer | undefined;
  let skipReason = 'S3 test server not started';
  let storage: S3Storage;
  let scratchDir: string;

  function newStorage(bucket: string, defaultTtlSeconds = 900): S3Storage {
    assert.ok(server);
    return new S3Storage({
      endpoint: server.endpoint,
      region: server.region,
      bucket,
      accessKeyId: server.accessKey,
      secretAccessKey: server.secretKey,
      forcePathStyle: true,
      defaultTtlSeconds,
    });
  }
  const bucketName = (label: string) => `${server?.bucketPrefix ?? ''}${label}-${randomUUID().slice(0, 8)}`;

  before(async () => {
    scratchDir = await mkdtemp(join(tmpdir(), 's3-storage-test-'));
    const acquired = await acquireS3TestServer();
    if ('skip' in acquired) {
      skipReason = acquired.skip;
      return;
    }
    server = acquired.server;
    storage = newStorage(bucketName('storage'));
    await storage.ensureBucket();
  });
  after(async () => {
    await storage?.close();
    await server?.stop();
    await rm(scratchDir, { recursive: true, force: true });
  });

  const context = (): ContractContext => (server ? { storage, scratchDir } : { skip: skipReason });
  const ready = (t: TestContext): boolean => {
    if (!server) t.skip(skipReason);
    return server !== undefined;
  };

  blobStorageContract(context);

  it('ensureBucket creates a missing bucket and is idempotent', async (t) => {
    if (!ready(t)) return;
    const fresh = newStorage(bucketName('ensure'));
    try {
      await assert.rejects(fresh.putBuffer('a.txt', Buffer.from('x')), { name: 'NoSuchBucket' });
      await fresh.ensureBucket();
      await fresh.ensureBucket();
      await fresh.putBuffer('a.txt', Buffer.from('x'));
      assert.equal(await fresh.exists('a.txt'), true);
    } finally {
      await fresh.close();
    }
  });

  it('serves a presigned URL with the object bytes and the requested Content-Disposition', async (t) => {
    if (!ready(t)) return;
    const key = `presign/${randomUUID()}/mix ü.wav`;
    const body = randomBytes(64 * 1024);
    await storage.putBuffer(key, body, 'audio/wav');
    const filename = 'Café mix (final).wav';
    const signed = await storage.signedDownloadUrl(key, { downloadFilename: filename, ttlSeconds: 60 });
    assert.ok(signed.expiresAt.getTime() > Date.now() + 50_000);

    const response = await fetch(signed.url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-disposition'), contentDisposition(filename));
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), body);
  });

  it('refuses a presigned URL with 403 once it has expired', async (t) => {
    if (!ready(t)) return;
    const key = `presign/${randomUUID()}.bin`;
    await storage.putBuffer(key, Buffer.from('short-lived'));
    const signed = await storage.signedDownloadUrl(key, { ttlSeconds: 1 });
    // SigV4 expiry has one-second resolution, so nothing shorter than ~2 s can prove expiry.
    await sleep(2100);
    const response = await fetch(signed.url);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /expired/i);
  });

  it('refuses a presigned URL with 403 when its key is tampered with', async (t) => {
    if (!ready(t)) return;
    const id = randomUUID();
    await storage.putBuffer(`presign/${id}/a.bin`, Buffer.from('a'));
    await storage.putBuffer(`presign/${id}/b.bin`, Buffer.from('b'));
    const signed = await storage.signedDownloadUrl(`presign/${id}/a.bin`);
    const response = await fetch(signed.url.replace('/a.bin?', '/b.bin?'));
    assert.equal(response.status, 403);
    await response.arrayBuffer();
  });

  it('putFile sends files larger than a part as a multipart upload', async (t) => {
    if (!ready(t)) return;
    const source = join(scratchDir, `${randomUUID()}.bin`);
    await writeRandomFile(source, 12);
    const key = `multipart/${randomUUID()}.bin`;
    await storage.putFile(key, source);
    const head = await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: key }));
    // A multipart ETag is "<md5 of part md5s>-<part count>": 12 MiB in 8 MiB parts is two parts.
    assert.match(head.ETag ?? '', /-2"$/);
    assert.equal(head.ContentLength, 12 * 1024 * 1024);
  });

  it('putFile of a missing source fails without creating the object', async (t) => {
    if (!ready(t)) return;
    const key = `putfile/${randomUUID()}.bin`;
    await assert.rejects(storage.putFile(key, join(scratchDir, 'does-not-exist.bin')), { code: 'ENOENT' });
    assert.equal(await storage.exists(key), false);
  });
});
