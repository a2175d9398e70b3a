#!/usr/bin/env node
// The storage half of scripts/backup.sh and scripts/restore.sh: copies every stored object (inputs, outputs,
// voices) between the configured storage and a backup directory, with a SHA-256 manifest.
//
//   node scripts/backup-storage.mjs export <backup-dir>   storage → <backup-dir>/storage/<key> + storage-manifest.json
//   node scripts/backup-storage.mjs verify <backup-dir>   every file of the manifest present, with its size and hash
//   node scripts/backup-storage.mjs import <backup-dir>   verify, then make the storage hold exactly the backup's objects
//
// Storage is configured like the platform (STORAGE_DRIVER, DATA_DIR, S3_*), parsed by packages/config's own schema,
// and S3 goes through packages/storage's client (@aws-sdk/client-s3) with the platform's settings, so a backup
// reads exactly what the workers wrote. A backup taken from one driver restores into the other (local → S3).
// DATA_DIR/secrets (the keys generated outside production) is copied too when it exists.
// Needs the built workspace (`npm run build`, or the Docker image).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const requireFromRoot = createRequire(join(repoRoot, 'package.json'));
// The SDK is a dependency of packages/storage: resolve it from there rather than rely on hoisting.
const requireFromStorage = createRequire(join(repoRoot, 'packages', 'storage', 'package.json'));

const MANIFEST = 'storage-manifest.json';
const STORAGE_DIR = 'storage';
const SECRETS_DIR = 'secrets';

function loadWorkspace() {
  try {
    const config = requireFromRoot('@voice/config');
    const storage = requireFromRoot('@voice/storage');
    const s3 = requireFromStorage('@aws-sdk/client-s3');
    return { config, storage, s3 };
  } catch (error) {
    throw new Error(`the workspace is not built (run \`npm run build\`): ${error.message}`);
  }
}

/** The storage variables only: a backup host needs no JWT or database settings to copy files. */
function storageSettings(config) {
  const settings = config.envSchema
    .pick({
      STORAGE_DRIVER: true,
      DATA_DIR: true,
      S3_ENDPOINT: true,
      S3_REGION: true,
      S3_BUCKET: true,
      S3_ACCESS_KEY_ID: true,
      S3_SECRET_ACCESS_KEY: true,
      S3_FORCE_PATH_STYLE: true,
    })
    .parse(process.env);
  return { ...settings, DATA_DIR: resolve(settings.DATA_DIR) };
}

function openS3(storage, settings) {
  if (!settings.S3_ENDPOINT || !settings.S3_ACCESS_KEY_ID || !settings.S3_SECRET_ACCESS_KEY) {
    throw new Error('STORAGE_DRIVER=s3 needs S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY');
  }
  return storage.createStorage({
    driver: 's3',
    endpoint: settings.S3_ENDPOINT,
    region: settings.S3_REGION,
    bucket: settings.S3_BUCKET,
    accessKeyId: settings.S3_ACCESS_KEY_ID,
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
    defaultTtlSeconds: 900,
  });
}

/** A pass-through that hashes and counts what flows by. */
function hashing() {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest('hex') }) };
}

async function copyHashed(source, target) {
  await mkdir(dirname(target), { recursive: true });
  const meter = hashing();
  await pipeline(source, meter.stream, createWriteStream(target, { mode: 0o600 }));
  return meter.result();
}

async function hashFile(path) {
  const meter = hashing();
  await pipeline(createReadStream(path), meter.stream, async function* (source) {
    for await (const chunk of source) void chunk;
  });
  return meter.result();
}

/** Files under `root` as POSIX keys, sorted; in-flight atomic writes (`.*.partial`) are not objects yet. */
async function listFiles(root) {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.partial'))
    .map((entry) =>
      relative(root, join(entry.parentPath ?? entry.path, entry.name))
        .split(sep)
        .join('/'),
    )
    .sort();
}

/** Object key → path under `root`, refusing keys that would escape it. */
function pathOf(root, key) {
  const path = resolve(root, ...key.split('/'));
  if (!path.startsWith(`${resolve(root)}${sep}`))
    throw new Error(`refusing object key outside the storage root: ${key}`);
  return path;
}

async function* s3Objects(client, s3, bucket) {
  let token;
  do {
    const page = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    // Keys ending in / are folder markers some S3 tools create, not objects the platform wrote.
    for (const object of page.Contents ?? []) if (object.Key && !object.Key.endsWith('/')) yield object.Key;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function exportStorage(backupDir) {
  const { config, storage, s3 } = loadWorkspace();
  const settings = storageSettings(config);
  const target = join(backupDir, STORAGE_DIR);
  await mkdir(target, { recursive: true, mode: 0o700 });
  const objects = [];
  if (settings.STORAGE_DRIVER === 's3') {
    const bucket = openS3(storage, settings);
    try {
      for await (const key of s3Objects(bucket.client, s3, bucket.bucket)) {
        const response = await bucket.client.send(new s3.GetObjectCommand({ Bucket: bucket.bucket, Key: key }));
        const measured = await copyHashed(response.Body, pathOf(target, key));
        objects.push({ key, ...measured, ...(response.ContentType ? { contentType: response.ContentType } : {}) });
      }
    } finally {
      await bucket.close();
    }
  } else {
    const root = join(settings.DATA_DIR, 'storage');
    for (const key of await listFiles(root)) {
      objects.push({ key, ...(await copyHashed(createReadStream(pathOf(root, key)), pathOf(target, key))) });
    }
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const source =
    settings.STORAGE_DRIVER === 's3' ? { bucket: settings.S3_BUCKET } : { root: join(settings.DATA_DIR, 'storage') };
  await writeFile(
    join(backupDir, MANIFEST),
    `${JSON.stringify({ driver: settings.STORAGE_DRIVER, ...source, objects }, null, 2)}\n`,
  );

  const secrets = join(settings.DATA_DIR, SECRETS_DIR);
  const hasSecrets = await stat(secrets).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (hasSecrets) {
    await cp(secrets, join(backupDir, SECRETS_DIR), { recursive: true });
    await chmod(join(backupDir, SECRETS_DIR), 0o700);
  }
  const bytes = objects.reduce((sum, object) => sum + object.size, 0);
  process.stderr.write(
    `[backup] storage (${settings.STORAGE_DRIVER}): ${objects.length} objects, ${bytes} bytes` +
      `${hasSecrets ? `; ${secrets} copied (keep this backup as secret as the keys)` : ''}\n`,
  );
}

async function readManifest(backupDir) {
  const manifest = JSON.parse(await readFile(join(backupDir, MANIFEST), 'utf8'));
  if (!Array.isArray(manifest.objects)) throw new Error(`${join(backupDir, MANIFEST)} lists no objects`);
  return manifest;
}

/** Every object of the manifest is in the backup with its size and hash, and nothing else is. */
async function verifyBackup(backupDir) {
  const manifest = await readManifest(backupDir);
  const root = join(backupDir, STORAGE_DIR);
  const files = new Set(await listFiles(root));
  const problems = [];
  for (const object of manifest.objects) {
    if (!files.delete(object.key)) {
      problems.push(`missing ${object.key}`);
      continue;
    }
    const measured = await hashFile(pathOf(root, object.key));
    if (measured.size !== object.size || measured.sha256 !== object.sha256) problems.push(`altered ${object.key}`);
  }
  for (const extra of files) problems.push(`not in the manifest: ${extra}`);
  if (problems.length > 0) throw new Error(`backup ${backupDir} is damaged:\n  ${problems.join('\n  ')}`);
  return manifest;
}

async function importStorage(backupDir) {
  const manifest = await verifyBackup(backupDir);
  const { config, storage, s3 } = loadWorkspace();
  const settings = storageSettings(config);
  const source = join(backupDir, STORAGE_DIR);
  if (settings.STORAGE_DRIVER === 's3') {
    const bucket = openS3(storage, settings);
    try {
      await bucket.ensureBucket();
      for (const object of manifest.objects) {
        await bucket.putFile(object.key, pathOf(source, object.key), object.contentType);
      }
      // Objects written after the backup belong to rows the database restore removed: the bucket ends up as backed up.
      const keep = new Set(manifest.objects.map((object) => object.key));
      const stale = [];
      for await (const key of s3Objects(bucket.client, s3, bucket.bucket)) if (!keep.has(key)) stale.push(key);
      for (let start = 0; start < stale.length; start += 1000) {
        const batch = stale.slice(start, start + 1000).map((key) => ({ Key: key }));
        await bucket.client.send(
          new s3.DeleteObjectsCommand({ Bucket: bucket.bucket, Delete: { Objects: batch, Quiet: true } }),
        );
      }
    } finally {
      await bucket.close();
    }
  } else {
    // Build the new tree beside the live one, then swap: a failed copy leaves the current storage untouched.
    const root = join(settings.DATA_DIR, 'storage');
    const staging = `${root}.restore-${process.pid}`;
    const previous = `${root}.previous-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const object of manifest.objects) {
      await copyHashed(createReadStream(pathOf(source, object.key)), pathOf(staging, object.key));
    }
    await rename(root, previous).catch((error) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(staging, root);
    await rm(previous, { recursive: true, force: true });
  }

  const secrets = join(backupDir, SECRETS_DIR);
  const hasSecrets = await stat(secrets).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (hasSecrets) {
    const target = join(settings.DATA_DIR, SECRETS_DIR);
    await mkdir(settings.DATA_DIR, { recursive: true });
    await rm(target, { recursive: true, force: true });
    await cp(secrets, target, { recursive: true });
    await chmod(target, 0o700);
  }
  process.stderr.write(
    `[restore] storage (${settings.STORAGE_DRIVER}): ${manifest.objects.length} objects` +
      `${hasSecrets ? `; ${join(settings.DATA_DIR, SECRETS_DIR)} restored` : ''}\n`,
  );
}

const [command, backupDir] = process.argv.slice(2);
const commands = { export: exportStorage, verify: verifyBackup, import: importStorage };
if (!commands[command] || !backupDir) {
  process.stderr.write('usage: node scripts/backup-storage.mjs export|verify|import <backup-dir>\n');
  process.exit(2);
}
commands[command](resolve(backupDir)).catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
