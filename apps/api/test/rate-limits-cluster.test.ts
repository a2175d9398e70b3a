import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { freshPostgres, type TestDatabase } from './helpers/postgres';
import { TEST_JWT_SECRET } from './helpers/test-api';

interface Instance {
  child: ChildProcess;
  baseUrl: string;
}

/** Starts api-instance-process.js with `env` and waits for the port it prints. */
async function startInstance(env: Record<string, string>): Promise<Instance> {
  const script = path.join(__dirname, 'helpers', 'api-instance-process.js');
  const child = spawn(process.execPath, [script], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as { port?: number };
      if (typeof parsed.port === 'number') resolve(parsed.port);
    });
    child.once('exit', (code) => reject(new Error(`API process exited (${code}): ${stderr}`)));
  });
  return { child, baseUrl: `http://127.0.0.1:${port}` };
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once('exit', resolve));
  instance.child.kill('SIGTERM');
  await exited;
}

async function call(
  instance: Instance,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const response = await fetch(`${instance.baseUrl}${urlPath}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

/**
 * Two API processes on one PostgreSQL database, each with the limiter it built itself: a quota holds over both. An
 * in-process limiter would let each process grant the whole quota, so alternating requests would get twice as far.
 */
/** Register answers 202 and starts no session (it answers alike for taken emails): sign in after it. */
async function signUp(target: Instance, email: string, name: string): Promise<string> {
  const account = { email, password: 'correct horse battery' };
  const registered = await call(target, 'POST', '/api/auth/register', {}, { ...account, name });
  assert.equal(registered.status, 202, JSON.stringify(registered.body));
  const login = await call(target, 'POST', '/api/auth/login', {}, account);
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return login.body['accessToken'] as string;
}

describe('rate limits shared by two API processes on one PostgreSQL database', () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  const instances: Instance[] = [];

  before(async () => {
    database = await freshPostgres();
    if (!database?.url) return;
    dataDir = await mkdtemp(path.join(tmpdir(), 'voice-cluster-'));
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      JWT_SECRET: TEST_JWT_SECRET,
      API_KEY_RATE_LIMIT: '6',
      JOB_SUBMIT_RATE_LIMIT: '4',
    };
    instances.push(...(await Promise.all([startInstance(env), startInstance(env)])));
  });
  after(async () => {
    await Promise.all(instances.map(stopInstance));
    await database?.dispose();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const [a, b] = [0, 1];
  const instance = (index: number): Instance => {
    const found = instances[index];
    assert.ok(found, 'instance started');
    return found;
  };

  it('an API key quota of 6 per minute: requests alternating between the processes stop after the 6th', async (t) => {
    if (!database?.url) return t.skip('no PostgreSQL on this runner (TEST_DATABASE_URL)');
    const accessToken = await signUp(instance(a), `cluster-${process.pid}@example.com`, 'Cluster');
    const minted = await call(
      instance(b),
      'POST',
      '/api/developer/api-keys',
      { authorization: `Bearer ${accessToken}` },
      {
        name: 'cluster key',
        scopes: ['credits:read', 'jobs:write'],
      },
    );
    assert.equal(minted.status, 201, 'a session signed by one process is accepted by the other');
    const secret = minted.body['secret'] as string;

    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await call(instance(i % 2 === 0 ? a : b), 'GET', '/api/user/credits', { 'x-api-key': secret });
      statuses.push(response.status);
      if (response.status === 429) assert.equal(response.headers.get('ratelimit-policy'), '"api-key";q=6;w=60');
    }
    // Each process saw 5 requests, fewer than the quota: only a shared count refuses the 7th to 10th.
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
  });

  it('job submissions: 4 per user per minute over both processes', async (t) => {
    if (!database?.url) return t.skip('no PostgreSQL on this runner (TEST_DATABASE_URL)');
    const authorization = `Bearer ${await signUp(instance(b), `cluster-jobs-${process.pid}@example.com`, 'Cluster jobs')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      // No file: the limiter counts the attempt before the request is validated (400), as it does for every submit.
      const response = await call(instance(i % 2 === 0 ? a : b), 'POST', '/api/audio/denoise', { authorization });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 429, 429]);
  });
});
