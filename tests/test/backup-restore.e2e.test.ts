import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Client as PgClient } from 'pg';
import { createStorage } from '@voice/storage';
import { ApiClient, startTestPlatform, type TestPlatform } from '../src';

// resolution-mode: a CommonJS file may only type-import an ES module when it says it will load it with import().
type PostgresModule = typeof import('../../scripts/infra/postgres.mjs', { with: { 'resolution-mode': 'import' } });

function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'scripts', 'backup.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`scripts/backup.sh not found above ${__dirname}`);
  }
}
const repoRoot = findRepoRoot();

function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(repoRoot, 'scripts', script),
      args,
      { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} ${args.join(' ')} failed (${String(error.code)}):\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file under `root` (POSIX relative path → sha256); in-flight `.partial` writes are not stored objects. */
async function treeHashes(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.endsWith('.partial')) continue;
    const file = path.join(entry.parentPath, entry.name);
    hashes[path.relative(root, file).split(path.sep).join('/')] = sha256(await readFile(file));
  }
  return hashes;
}

interface LedgerRow {
  id: string;
  user_id: string;
  job_id: string | null;
  kind: string;
  amount: string;
  balance_after: string;
  idempotency_key: string;
  sequence: string;
}

/** What must survive: the ledger and jobs row by row, plus a fingerprint of every table and sequence. */
async function snapshot(databaseUrl: string) {
  const client = new PgClient({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ledger = (
      await client.query<LedgerRow>(
        'SELECT id, user_id, job_id, kind, amount, balance_after, idempotency_key, sequence FROM credit_ledger ORDER BY sequence',
      )
    ).rows;
    const ledgerSum = (
      await client.query<{ sum: string }>('SELECT COALESCE(SUM(amount), 0)::text AS sum FROM credit_ledger')
    ).rows[0]?.sum;
    const jobs = (
      await client.query(
        `SELECT id, user_id, job_type, status, workflow_id, output_key, output_duration_ms, credits_held, credits_charged,
                charged_at::text, completed_at::text, result::text FROM processing_jobs ORDER BY id`,
      )
    ).rows;
    const tables = (
      await client.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_schema IN ('public', 'drizzle') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      )
    ).rows;
    const fingerprints: Record<string, string> = {};
    for (const { schema, name } of tables) {
      const result = await client.query<{ rows: string; digest: string }>(
        `SELECT count(*)::text AS rows, md5(COALESCE(string_agg(to_jsonb(t)::text, E'\\n' ORDER BY to_jsonb(t)::text), ''))
           AS digest FROM "${schema}"."${name}" t`,
      );
      fingerprints[`${schema}.${name}`] = `${result.rows[0]?.rows} rows, ${result.rows[0]?.digest}`;
    }
    const sequences = (
      await client.query<{ name: string; last: string | null }>(
        `SELECT schemaname || '.' || sequencename AS name, last_value::text AS last FROM pg_sequences ORDER BY 1`,
      )
    ).rows;
    return { ledger, ledgerSum, jobs, fingerprints, sequences };
  } finally {
    await client.end();
  }
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('scripts/backup.sh and scripts/restore.sh on the real PostgreSQL', { timeout: 900_000 }, () => {
  // The suite's PostgreSQL (scripts/test.mjs); this file makes and drops its own database on it.
  const adminUrl = process.env['TEST_DATABASE_URL'];
  const email = `backup-${Date.now()}@example.com`;
  const password = 'correct horse battery';
  const databaseName = `backup_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let databaseUrl = '';
  let dataDir = '';
  let backupRoot = '';
  let scriptEnv: Record<string, string> = {};
  let platform: TestPlatform | undefined;
  // Filled by the first test, read by the later ones.
  let backupDir = '';
  let atBackup: Awaited<ReturnType<typeof snapshot>>;
  let jobId = '';
  let outputKey = '';
  let outputBytes: Buffer = Buffer.alloc(0);
  let creditsAtBackup: { creditsRemaining: number; creditsHeld: number };

  before(async () => {
    if (!adminUrl) return;
    const postgres = (await import(
      pathToFileURL(path.join(repoRoot, 'scripts', 'infra', 'postgres.mjs')).href
    )) as PostgresModule;
    // The client tools of the very installation that runs the suite's server: pg_dump refuses newer servers.
    const { binDir } = await postgres.ensurePostgres();
    await adminQuery(adminUrl, `CREATE DATABASE ${databaseName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    dataDir = await mkdtemp(path.join(tmpdir(), 'voice-backup-data-'));
    backupRoot = await mkdtemp(path.join(tmpdir(), 'voice-backups-'));
    scriptEnv = { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, STORAGE_DRIVER: 'local', PG_BIN_DIR: binDir };
  });
  after(async () => {
    await platform?.close();
    if (adminUrl) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => {});
    for (const dir of [dataDir, backupRoot]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  const requirePostgres = (t: { skip(message: string): void }) => {
    if (adminUrl) return true;
    assert.ok(!process.env['CI'], 'CI must provide TEST_DATABASE_URL');
    t.skip('TEST_DATABASE_URL is not set (run through npm test)');
    return false;
  };

  test('a backup taken while the platform runs, restored after the database and files are wiped, gives back every ledger row, job and output byte', async (t) => {
    if (!requirePostgres(t)) return;
    platform = await startTestPlatform({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
    const api = platform.api();
    await api.register(email, password);
    const accepted = await api.request('POST', '/api/audio/tts', { text: 'Backups are only real once restored.' });
    assert.equal(accepted.status, 202, accepted.text);
    jobId = accepted.json['jobId'] as string;
    const final = await api.waitForJob(jobId, { timeoutMs: 240_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    // The first download charges the job: the ledger then has the grant, the hold, its release and the charge.
    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    outputBytes = Buffer.from(await (await fetch(download.json['url'] as string)).arrayBuffer());
    assert.ok(outputBytes.length > 1000, 'the job produced audio');
    creditsAtBackup = await api.credits();

    const { stdout } = await runScript('backup.sh', [backupRoot], scriptEnv);
    backupDir = stdout.trim().split('\n').at(-1) ?? '';
    assert.ok(backupDir.startsWith(backupRoot) && existsSync(path.join(backupDir, 'database.dump')), stdout);
    atBackup = await snapshot(databaseUrl);
    const storageBefore = await treeHashes(path.join(dataDir, 'storage'));
    const secretsBefore = await treeHashes(path.join(dataDir, 'secrets'));
    await platform.close();
    platform = undefined;

    const job = atBackup.jobs.find((row) => row['id'] === jobId) as Record<string, unknown> | undefined;
    assert.equal(job?.['status'], 'completed');
    outputKey = String(job?.['output_key']);
    assert.equal(storageBefore[outputKey], sha256(outputBytes), 'the downloaded bytes are the stored output');
    const kinds = atBackup.ledger.map((row) => row.kind);
    for (const kind of ['grant', 'hold', 'charge']) assert.ok(kinds.includes(kind), `ledger has a ${kind}: ${kinds}`);
    assert.ok(Object.keys(secretsBefore).length > 0, 'the test platform generated its keys under DATA_DIR/secrets');

    // Total loss: the database dropped and recreated empty, the stored files and keys deleted.
    await adminQuery(adminUrl ?? '', `DROP DATABASE ${databaseName} WITH (FORCE)`);
    await adminQuery(adminUrl ?? '', `CREATE DATABASE ${databaseName}`);
    await rm(path.join(dataDir, 'storage'), { recursive: true, force: true });
    await rm(path.join(dataDir, 'secrets'), { recursive: true, force: true });
    const wiped = await snapshot(databaseUrl).catch((error: unknown) => error);
    assert.ok(wiped instanceof Error && /credit_ledger/.test(wiped.message), 'the ledger is gone before the restore');
    assert.deepEqual(await treeHashes(path.join(dataDir, 'storage')), {});

    await assert.rejects(runScript('restore.sh', [backupDir], scriptEnv), /--yes/, 'restore asks for --yes');
    await runScript('restore.sh', ['--yes', backupDir], scriptEnv);

    const after_ = await snapshot(databaseUrl);
    assert.deepEqual(
      after_.ledger.map((row) => row.id),
      atBackup.ledger.map((row) => row.id),
      'the same ledger entries, in the same order',
    );
    assert.deepEqual(after_.ledger, atBackup.ledger);
    assert.equal(after_.ledgerSum, atBackup.ledgerSum);
    assert.deepEqual(after_.jobs, atBackup.jobs);
    assert.deepEqual(after_.fingerprints, atBackup.fingerprints, 'every table, row for row');
    assert.deepEqual(after_.sequences, atBackup.sequences, 'sequences continue where they were');
    assert.deepEqual(await treeHashes(path.join(dataDir, 'storage')), storageBefore);
    assert.deepEqual(await readFile(path.join(dataDir, 'storage', ...outputKey.split('/'))), outputBytes);
    assert.deepEqual(await treeHashes(path.join(dataDir, 'secrets')), secretsBefore);
  });

  test('the restored platform serves the job: same status, same audio, same balance, and the download is not charged again', async (t) => {
    if (!requirePostgres(t)) return;
    assert.ok(backupDir && jobId, 'the backup test ran first');
    platform = await startTestPlatform({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir });
    const api = new ApiClient(platform.apiUrl);
    const login = await api.request('POST', '/api/auth/login', { email, password });
    assert.equal(login.status, 200, login.text);
    api.accessToken = login.json['accessToken'] as string;
    assert.equal((await api.status(jobId)).json['status'], 'completed');
    assert.deepEqual(await api.credits(), creditsAtBackup);
    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    assert.deepEqual(Buffer.from(await (await fetch(download.json['url'] as string)).arrayBuffer()), outputBytes);
    assert.deepEqual(await api.credits(), creditsAtBackup, 'charged once, before the backup');
    await platform.close();
    platform = undefined;
  });

  test('the same backup restores into an S3 bucket (over a live database), stray objects go, and a backup from S3 matches it', async (t) => {
    if (!requirePostgres(t)) return;
    const endpoint = process.env['TEST_S3_ENDPOINT'];
    if (!endpoint) {
      assert.ok(!process.env['CI'], 'CI must provide TEST_S3_ENDPOINT');
      t.skip('TEST_S3_ENDPOINT is not set (run through npm test)');
      return;
    }
    assert.ok(backupDir && outputKey, 'the backup test ran first');
    const s3Env = {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: process.env['TEST_S3_REGION'] ?? 'us-east-1',
      S3_ACCESS_KEY_ID: process.env['TEST_S3_ACCESS_KEY'] ?? '',
      S3_SECRET_ACCESS_KEY: process.env['TEST_S3_SECRET_KEY'] ?? '',
      S3_BUCKET: `${process.env['TEST_S3_BUCKET_PREFIX'] ?? 'voice-test-'}backup-${randomUUID().slice(0, 8)}`,
      S3_FORCE_PATH_STYLE: 'true',
    };
    const bucket = createStorage({
      driver: 's3',
      endpoint,
      region: s3Env.S3_REGION,
      bucket: s3Env.S3_BUCKET,
      accessKeyId: s3Env.S3_ACCESS_KEY_ID,
      secretAccessKey: s3Env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
      defaultTtlSeconds: 900,
    });
    try {
      await bucket.ensureBucket();
      // Written "after the backup": the restore must leave the bucket as it was backed up.
      await bucket.putBuffer('jobs/stray/output.wav', Buffer.from('not in the backup'));
      await runScript('restore.sh', ['--yes', backupDir], { ...scriptEnv, ...s3Env });
      assert.equal(await bucket.exists('jobs/stray/output.wav'), false, 'the stray object is gone');
      assert.deepEqual(await bucket.getBuffer(outputKey), outputBytes);
      assert.deepEqual(
        (await snapshot(databaseUrl)).fingerprints,
        atBackup.fingerprints,
        'restoring over itself changes nothing',
      );

      const { stdout } = await runScript('backup.sh', [backupRoot], { ...scriptEnv, ...s3Env });
      const fromS3 = stdout.trim().split('\n').at(-1) ?? '';
      assert.notEqual(fromS3, backupDir);
      type Manifest = { driver: string; objects: Array<{ key: string; size: number; sha256: string }> };
      const manifest = async (dir: string) =>
        JSON.parse(await readFile(path.join(dir, 'storage-manifest.json'), 'utf8')) as Manifest;
      const [local, s3] = [await manifest(backupDir), await manifest(fromS3)];
      assert.equal(local.driver, 'local');
      assert.equal(s3.driver, 's3');
      const strip = (objects: Manifest['objects']) =>
        objects.map(({ key, size, sha256: hash }) => ({ key, size, hash }));
      assert.ok(local.objects.some((object) => object.key === outputKey));
      assert.deepEqual(strip(s3.objects), strip(local.objects), 'S3 holds exactly the backed-up objects');

      // And the platform runs on it: the job's audio now downloads from the bucket.
      platform = await startTestPlatform({ DATABASE_URL: databaseUrl, DATA_DIR: dataDir, ...s3Env });
      const api = new ApiClient(platform.apiUrl);
      const login = await api.request('POST', '/api/auth/login', { email, password });
      api.accessToken = login.json['accessToken'] as string;
      const download = await api.request('POST', `/api/audio/download/${jobId}`);
      assert.equal(download.status, 200, download.text);
      const url = new URL(download.json['url'] as string);
      assert.equal(url.origin, new URL(endpoint).origin, 'a presigned link into the bucket');
      assert.deepEqual(Buffer.from(await (await fetch(url)).arrayBuffer()), outputBytes);
      await platform.close();
      platform = undefined;
    } finally {
      await bucket.close();
    }
  });

  test('restore refuses a damaged backup before touching the database', async (t) => {
    if (!requirePostgres(t)) return;
    assert.ok(backupDir, 'the backup test ran first');
    const file = path.join(backupDir, 'storage', ...outputKey.split('/'));
    const original = await readFile(file);
    await writeFile(file, Buffer.concat([original, Buffer.from('tampered')]));
    const client = new PgClient({ connectionString: databaseUrl });
    await client.connect();
    try {
      // A marker row a restore would remove: it must still be there after the refused restore.
      await client.query(`INSERT INTO rate_limit_counters (key, count, resets_at) VALUES ('backup-test', 1, now())`);
      await assert.rejects(runScript('restore.sh', ['--yes', backupDir], scriptEnv), /damaged[\s\S]*altered/);
      const marker = await client.query(`SELECT 1 FROM rate_limit_counters WHERE key = 'backup-test'`);
      assert.equal(marker.rowCount, 1, 'the database was left alone');
    } finally {
      await client.end();
      await writeFile(file, original);
    }
  });
});
