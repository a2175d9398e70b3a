import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEnv } from '@voice/config';
import { freePort, installWorkerRuntime } from '@voice/runtime';
import { findWorkerHostPid, startPlatform, type RunningPlatform } from '../src';

/** The shared Temporal dev server scripts/test.mjs starts for the run. */
function temporalAddress(): string {
  const address = process.env['TEMPORAL_TEST_ADDRESS'];
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through scripts/test.mjs');
  return address;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls `check` every 100 ms until it holds; the test's own timeout bounds the wait. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

function queues() {
  const suffix = randomUUID().slice(0, 8);
  return {
    TASK_QUEUE_CPU: `host-cpu-${suffix}`,
    TASK_QUEUE_GPU: `host-gpu-${suffix}`,
    TASK_QUEUE_MEDIA: `host-media-${suffix}`,
  };
}

async function registerAndGenerate(apiUrl: string): Promise<string> {
  const account = { email: `host-${Date.now()}@example.com`, password: 'correct horse battery' };
  const register = await fetch(`${apiUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...account, name: 'Host' }),
  });
  assert.equal(register.status, 202);
  // Register starts no session (it answers alike for taken emails); this job is never downloaded, so the email
  // need not be verified.
  const login = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  assert.equal(login.status, 200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  // A generated job needs no upload and uses both hosted queues: synthesis on GPU, loudness and quality on media.
  const accepted = await fetch(`${apiUrl}/api/audio/generate-sfx`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ description: 'rain', duration: 2, seed: 1 }),
  });
  assert.equal(accepted.status, 202, await accepted.clone().text());
  const { jobId } = (await accepted.json()) as { jobId: string };
  for (;;) {
    const status = await fetch(`${apiUrl}/api/jobs/${jobId}/status?wait=30`, { headers });
    const body = (await status.json()) as { status: string };
    if (['completed', 'failed', 'cancelled'].includes(body.status)) return body.status;
  }
}

describe('the worker host (media + GPU workers) under the platform', { timeout: 240_000 }, () => {
  let dataDir: string;
  let platform: RunningPlatform | undefined;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'voice-host-'));
    const env = parseEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      TEMPORAL_ADDRESS: temporalAddress(),
      TEMPORAL_NAMESPACE: process.env['TEMPORAL_TEST_NAMESPACE'] ?? 'default',
      ...queues(),
    });
    installWorkerRuntime(env);
    platform = await startPlatform(env);
  });
  after(async () => {
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('runs the hosted workers in a child process, not in the API process', async () => {
    assert.ok(platform?.workerHost);
    const pid = platform.workerHost.pid;
    assert.ok(pid !== undefined && pid !== process.pid && isAlive(pid));
    assert.equal(await registerAndGenerate(platform.apiUrl), 'completed');
  });

  test('a host killed with SIGKILL is restarted, and jobs run on the new one', async () => {
    assert.ok(platform?.workerHost);
    const host = platform.workerHost;
    const first = host.pid;
    assert.ok(first !== undefined);
    process.kill(first, 'SIGKILL');
    await eventually(() => host.pid !== first && host.pid !== undefined && isAlive(host.pid));
    assert.equal(host.restarts, 1);
    assert.equal(await registerAndGenerate(platform.apiUrl), 'completed');
  });

  test('stop() ends the host with the platform', async () => {
    assert.ok(platform?.workerHost);
    const pid = platform.workerHost.pid;
    assert.ok(pid !== undefined);
    await platform.stop();
    platform = undefined;
    assert.equal(isAlive(pid), false);
  });
});

describe('a platform process killed with SIGKILL', { timeout: 240_000 }, () => {
  test('takes its worker host down with it (the IPC channel closes)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-host-orphan-'));
    const port = await freePort();
    const child = spawn(process.execPath, [path.resolve(__dirname, '../src/main.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        API_HOST: '127.0.0.1',
        API_PORT: String(port),
        TEMPORAL_ADDRESS: temporalAddress(),
        TEMPORAL_NAMESPACE: process.env['TEMPORAL_TEST_NAMESPACE'] ?? 'default',
        ...queues(),
      },
      // Never inherit stdout: the test runner reads this process's stdout as its report stream.
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      await eventually(async () => {
        const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
        assert.equal(child.exitCode, null, 'the platform exited during start');
        return health?.status === 200;
      });
      const host = findWorkerHostPid(child.pid ?? 0);
      assert.ok(host !== undefined, 'the platform has a worker-host child');
      child.kill('SIGKILL');
      await eventually(() => !isAlive(host));
      assert.equal(isAlive(host), false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
