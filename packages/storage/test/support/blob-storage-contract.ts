import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { it, type TestContext } from 'node:test';
import { InvalidStorageKeyError, StorageObjectNotFoundError, type BlobStorage } from '../../src';

export type ContractContext = { storage: BlobStorage; scratchDir: string } | { skip: string };

/** Keys that must never reach the filesystem or the bucket. */
export const HOSTILE_KEYS = [
  '',
  '..',
  '../outside.txt',
  'jobs/../../outside.txt',
  '/etc/passwd',
  'jobs\\..\\..\\outside.txt',
  'jobs/a\0.wav',
  'jobs/a\n.wav',
  'jobs//a.wav',
  './a.wav',
  'jobs/.',
  'jobs/',
];

async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes `megabytes` of random data (never downloaded fixtures) and returns its sha256. */
export async function writeRandomFile(path: string, megabytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let i = 0; i < megabytes; i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return hash.digest('hex');
}

/**
 * Behaviour every `BlobStorage` driver must share, so the platform can switch drivers by configuration.
 * Call inside a `describe` whose `before` hook prepares what `getContext` returns.
 */
export function blobStorageContract(getContext: () => ContractContext): void {
  const prefix = `contract/${randomUUID()}`;
  const use = (t: TestContext): { storage: BlobStorage; scratchDir: string } | undefined => {
    const context = getContext();
    if ('skip' in context) {
      t.skip(context.skip);
      return undefined;
    }
    return context;
  };

  it('round-trips a buffer and overwrites an existing key', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const key = `${prefix}/roundtrip.bin`;
    await ctx.storage.putBuffer(key, Buffer.from('first version'), 'application/octet-stream');
    await ctx.storage.putBuffer(key, Buffer.from('second'), 'application/octet-stream');
    assert.deepEqual(await ctx.storage.getBuffer(key), Buffer.from('second'));
  });

  it('keeps keys with spaces and non-ASCII characters intact', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const key = `${prefix}/dir with space/Café ünïcode #1?.wav`;
    await ctx.storage.putBuffer(key, Buffer.from('audio'), 'audio/wav');
    assert.deepEqual(await ctx.storage.getBuffer(key), Buffer.from('audio'));
    assert.equal(await ctx.storage.size(key), 5);
  });

  it('streams an object with getStream', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const key = `${prefix}/stream.bin`;
    const body = randomBytes(256 * 1024);
    await ctx.storage.putBuffer(key, body);
    const digest = await sha256OfStream(await ctx.storage.getStream(key));
    assert.equal(digest, createHash('sha256').update(body).digest('hex'));
  });

  it('uploads a 20 MB file with putFile and downloads it byte-identical with downloadToFile', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const source = join(ctx.scratchDir, `upload-${randomUUID()}.bin`);
    const expectedDigest = await writeRandomFile(source, 20);
    const key = `${prefix}/large/20mb.bin`;

    await ctx.storage.putFile(key, source, 'application/octet-stream');
    assert.equal(await ctx.storage.size(key), 20 * 1024 * 1024);

    // A nested, not yet existing directory: callers hand in scratch paths like <tmp>/<job>/input.wav.
    const target = join(ctx.scratchDir, randomUUID(), 'nested', 'download.bin');
    await ctx.storage.downloadToFile(key, target);
    assert.equal(await sha256OfStream(createReadStream(target)), expectedDigest);
  });

  it('stores a consumed file byte-identical, whether the driver moves or copies it', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const source = join(ctx.scratchDir, `consumed-${randomUUID()}.bin`);
    const expectedDigest = await writeRandomFile(source, 1);
    const key = `${prefix}/consumed/1mb.bin`;
    await ctx.storage.putFile(key, source, 'application/octet-stream', { consume: true });
    assert.equal(await sha256OfStream(await ctx.storage.getStream(key)), expectedDigest);
  });

  it('reports exists and size, and undefined size for a missing key', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const key = `${prefix}/exists.txt`;
    assert.equal(await ctx.storage.exists(key), false);
    assert.equal(await ctx.storage.size(key), undefined);
    await ctx.storage.putBuffer(key, Buffer.from('12345'), 'text/plain');
    assert.equal(await ctx.storage.exists(key), true);
    assert.equal(await ctx.storage.size(key), 5);
  });

  it('treats a key prefix ("directory") as a missing object', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    await ctx.storage.putBuffer(`${prefix}/folder/child.txt`, Buffer.from('x'));
    assert.equal(await ctx.storage.exists(`${prefix}/folder`), false);
    await assert.rejects(ctx.storage.getBuffer(`${prefix}/folder`), StorageObjectNotFoundError);
  });

  it('deletes an object, and deleting a missing key succeeds (retry-safe cleanup)', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const key = `${prefix}/delete-me.txt`;
    await ctx.storage.putBuffer(key, Buffer.from('bye'));
    await ctx.storage.delete(key);
    assert.equal(await ctx.storage.exists(key), false);
    await ctx.storage.delete(key);
  });

  it('deletes every object under a prefix, counts them, and leaves neighbours that only share the name', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const folder = `${prefix}/prefix/job-1`;
    const inside = [`${folder}/input.wav`, `${folder}/work/00-preprocess.wav`, `${folder}/work/01-denoise.wav`];
    // Same leading characters, different folder: must survive.
    const neighbours = [`${prefix}/prefix/job-10/output.wav`, `${prefix}/prefix/job-1.wav`];
    for (const key of [...inside, ...neighbours]) await ctx.storage.putBuffer(key, Buffer.from(key));
    assert.equal(await ctx.storage.deletePrefix(`${folder}/`), inside.length);
    for (const key of inside) assert.equal(await ctx.storage.exists(key), false, key);
    for (const key of neighbours) assert.equal(await ctx.storage.exists(key), true, key);
    // Retry-safe: a second run finds nothing.
    assert.equal(await ctx.storage.deletePrefix(`${folder}/`), 0);
    await assert.rejects(ctx.storage.deletePrefix(folder), InvalidStorageKeyError, 'a prefix must end with "/"');
    await assert.rejects(ctx.storage.deletePrefix('../'), InvalidStorageKeyError);
  });

  it('rejects reads of a missing object with StorageObjectNotFoundError', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const key = `${prefix}/missing.wav`;
    await assert.rejects(ctx.storage.getBuffer(key), StorageObjectNotFoundError);
    await assert.rejects(ctx.storage.getStream(key), StorageObjectNotFoundError);
    await assert.rejects(
      ctx.storage.downloadToFile(key, join(ctx.scratchDir, `${randomUUID()}.wav`)),
      StorageObjectNotFoundError,
    );
  });

  it('rejects keys that escape the root or are malformed, on every operation', async (t) => {
    const ctx = use(t);
    if (!ctx) return;
    const { storage } = ctx;
    for (const key of HOSTILE_KEYS) {
      const operations: Array<[string, () => Promise<unknown>]> = [
        ['putBuffer', () => storage.putBuffer(key, Buffer.from('x'))],
        ['putFile', () => storage.putFile(key, __filename)],
        ['getBuffer', () => storage.getBuffer(key)],
        ['getStream', () => storage.getStream(key)],
        ['downloadToFile', () => storage.downloadToFile(key, join(ctx.scratchDir, 'never.bin'))],
        ['exists', () => storage.exists(key)],
        ['size', () => storage.size(key)],
        ['delete', () => storage.delete(key)],
        ['signedDownloadUrl', () => storage.signedDownloadUrl(key)],
      ];
      for (const [name, operation] of operations) {
        await assert.rejects(operation(), InvalidStorageKeyError, `${name}(${JSON.stringify(key)}) must be rejected`);
      }
    }
  });
}
