import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  InvalidStorageKeyError,
  LocalStorage,
  S3Storage,
  contentDisposition,
  createStorage,
  verifyLocalSignedUrl,
  type LocalSignedUrlParams,
} from '../src';
import { blobStorageContract } from './support/blob-storage-contract';

const SECRET = 'test-signing-secret-0123456789abcdef';

describe('LocalStorage', () => {
  let workDir: string;
  let storage: LocalStorage;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'local-storage-test-'));
    storage = new LocalStorage({
      root: join(workDir, 'root'),
      publicBaseUrl: 'http://127.0.0.1:3000',
      signingSecret: SECRET,
      defaultTtlSeconds: 900,
    });
  });
  after(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  blobStorageContract(() => ({ storage, scratchDir: workDir }));

  it('stores objects as plain files under the root', async () => {
    await storage.putBuffer('jobs/j1/input.wav', Buffer.from('RIFF'));
    assert.equal(await readFile(join(workDir, 'root', 'jobs', 'j1', 'input.wav'), 'utf8'), 'RIFF');
  });

  it('moves a consumed upload into place instead of copying it', async () => {
    const source = join(workDir, 'upload.bin');
    await writeFile(source, 'uploaded bytes');
    await storage.putFile('jobs/j2/input.wav', source, 'audio/wav', { consume: true });
    assert.equal(await readFile(join(workDir, 'root', 'jobs', 'j2', 'input.wav'), 'utf8'), 'uploaded bytes');
    await assert.rejects(readFile(source), { code: 'ENOENT' });
  });

  it('writes atomically, leaving no temp files next to the object', async () => {
    const source = join(workDir, 'source.bin');
    await writeFile(source, 'payload');
    await storage.putBuffer('atomic/a.bin', Buffer.from('a'));
    await storage.putFile('atomic/b.bin', source);
    await assert.rejects(storage.putFile('atomic/c.bin', join(workDir, 'no-such-file')), { code: 'ENOENT' });
    assert.deepEqual((await readdir(join(workDir, 'root', 'atomic'))).sort(), ['a.bin', 'b.bin']);
  });

  it('never reads a real file outside the root through a traversal key', async () => {
    await writeFile(join(workDir, 'outside.txt'), 'secret');
    await assert.rejects(storage.getBuffer('../outside.txt'), InvalidStorageKeyError);
    await assert.rejects(storage.getBuffer('jobs/../../outside.txt'), InvalidStorageKeyError);
    await assert.rejects(storage.getBuffer(join(workDir, 'outside.txt')), InvalidStorageKeyError);
  });
});

describe('LocalStorage signed download URLs', () => {
  const storage = new LocalStorage({
    root: join(tmpdir(), `unused-${randomUUID()}`),
    publicBaseUrl: 'https://voice.example.com/',
    signingSecret: SECRET,
    defaultTtlSeconds: 600,
  });

  /** What the API's file route does: decode the key segment and read the query. */
  function parse(url: string): LocalSignedUrlParams {
    const parsed = new URL(url);
    const prefix = '/api/files/';
    assert.ok(parsed.pathname.startsWith(prefix), parsed.pathname);
    const filename = parsed.searchParams.get('filename');
    return {
      key: decodeURIComponent(parsed.pathname.slice(prefix.length)),
      expires: parsed.searchParams.get('expires') ?? '',
      sig: parsed.searchParams.get('sig') ?? '',
      ...(filename === null ? {} : { filename }),
    };
  }

  it('verifies a fresh URL for its key, expiry and filename', async () => {
    const key = 'jobs/j 1/output ü.wav';
    const signed = await storage.signedDownloadUrl(key, { downloadFilename: 'My Mix.wav', ttlSeconds: 60 });
    assert.match(signed.url, /^https:\/\/voice\.example\.com\/api\/files\/jobs%2Fj%201%2Foutput%20%C3%BC\.wav\?/);
    const params = parse(signed.url);
    assert.equal(params.key, key);
    assert.equal(params.filename, 'My Mix.wav');
    assert.equal(Number(params.expires) * 1000, signed.expiresAt.getTime());
    assert.deepEqual(verifyLocalSignedUrl(params, SECRET), { ok: true });
  });

  it('uses the default TTL when none is given', async () => {
    const before = Date.now();
    const signed = await storage.signedDownloadUrl('a.wav');
    const ttlMs = signed.expiresAt.getTime() - before;
    assert.ok(ttlMs > 598_000 && ttlMs <= 600_000, `ttl ${ttlMs} ms`);
  });

  it('rejects a URL past its expiry as expired', async () => {
    const signed = await storage.signedDownloadUrl('jobs/j1/out.wav', { ttlSeconds: 1 });
    const params = parse(signed.url);
    assert.deepEqual(verifyLocalSignedUrl(params, SECRET, signed.expiresAt), { ok: true });
    assert.deepEqual(verifyLocalSignedUrl(params, SECRET, new Date(signed.expiresAt.getTime() + 1000)), {
      ok: false,
      reason: 'expired',
    });
  });

  it('rejects a tampered key, expiry, filename or signature as bad_signature', async () => {
    const signed = await storage.signedDownloadUrl('jobs/j1/out.wav', { downloadFilename: 'out.wav' });
    const params = parse(signed.url);
    const badSignature = { ok: false, reason: 'bad_signature' };
    const lastChar = params.sig.at(-1) === 'A' ? 'B' : 'A';
    const tampered: LocalSignedUrlParams[] = [
      { ...params, key: 'jobs/j2/out.wav' },
      { ...params, expires: Number(params.expires) + 3600 },
      { ...params, expires: `${params.expires}0` },
      { ...params, expires: 'soon' },
      { ...params, filename: 'evil.exe' },
      { ...params, filename: undefined },
      { ...params, sig: `${params.sig.slice(0, -1)}${lastChar}` },
      { ...params, sig: params.sig.slice(0, 20) },
      { ...params, sig: '' },
    ];
    for (const candidate of tampered) {
      assert.deepEqual(verifyLocalSignedUrl(candidate, SECRET), badSignature, JSON.stringify(candidate));
    }
    assert.deepEqual(verifyLocalSignedUrl(params, 'another-secret-0123456789abcdef'), badSignature);
  });

  it('reports a forged link as bad_signature even when it is also expired', async () => {
    const signed = await storage.signedDownloadUrl('a.wav', { ttlSeconds: 1 });
    const params = { ...parse(signed.url), key: 'b.wav' };
    assert.deepEqual(verifyLocalSignedUrl(params, SECRET, new Date(Date.now() + 3_600_000)), {
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses TTLs outside 1 s – 7 days and weak secrets', async () => {
    await assert.rejects(storage.signedDownloadUrl('a.wav', { ttlSeconds: 0 }), RangeError);
    await assert.rejects(storage.signedDownloadUrl('a.wav', { ttlSeconds: 8 * 24 * 3600 }), RangeError);
    assert.throws(
      () =>
        new LocalStorage({ root: tmpdir(), publicBaseUrl: 'http://x', signingSecret: 'short', defaultTtlSeconds: 60 }),
      /signingSecret/,
    );
  });
});

describe('contentDisposition', () => {
  it('offers an ASCII fallback and the exact UTF-8 name via filename*', () => {
    assert.equal(
      contentDisposition('Café "mix" (1).wav'),
      `attachment; filename="Caf_ _mix_ (1).wav"; filename*=UTF-8''Caf%C3%A9%20%22mix%22%20%281%29.wav`,
    );
  });
});

describe('createStorage', () => {
  it('builds the driver named by the config', async () => {
    const local = createStorage({
      driver: 'local',
      root: tmpdir(),
      publicBaseUrl: 'http://127.0.0.1:3000',
      signingSecret: SECRET,
      defaultTtlSeconds: 60,
    });
    assert.ok(local instanceof LocalStorage);
    assert.equal(local.driver, 'local');
    const s3 = createStorage({
      driver: 's3',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      bucket: 'b',
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: true,
      defaultTtlSeconds: 60,
    });
    assert.ok(s3 instanceof S3Storage);
    assert.equal(s3.driver, 's3');
    await Promise.all([local.close(), s3.close()]);
  });
});
