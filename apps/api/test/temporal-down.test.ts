import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { encodeWav } from '@voice/audio';
import { getCreditSummary, getJobById, listJobsForUser } from '@voice/db';
import { tempLocalStorage } from './helpers/local-storage';
import { registerUser, startTestApi, type TestApi } from './helpers/test-api';

/**
 * The API with a real Temporal dev server that dies under it (issue 8, item 3): reads fall back to the job row
 * within a second, a submit fails fast with 503 and leaves nothing behind, and a cancel answers 503.
 */
const cli = process.env['TEST_TEMPORAL_CLI'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const timed = async <T>(work: () => Promise<T>) => {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
};

describe(
  'the API while Temporal is down',
  { skip: cli ? false : 'TEST_TEMPORAL_CLI is not set (run through npm test)' },
  () => {
    let server: ChildProcess;
    let api: TestApi;
    let storageDir: string;
    let token: string;
    let userId: string;
    let runningJobId: string;

    const authed = (method: string, urlPath: string, body?: FormData) =>
      fetch(`${api.baseUrl}${urlPath}`, { method, headers: { authorization: `Bearer ${token}` }, body });
    const wavForm = () => {
      const rate = 16_000;
      const samples = new Float32Array(rate).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate));
      const form = new FormData();
      form.append('audio_file', new Blob([encodeWav(samples, rate, { format: 'pcm16' })]), 'tone.wav');
      return form;
    };

    before(async () => {
      const port = await freePort();
      const searchAttributes = ['JobId', 'UserId', 'JobType', 'JobStatus'].flatMap((name) => [
        '--search-attribute',
        `${name}=Keyword`,
      ]);
      const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)];
      server = spawn(cli ?? '', [...args, ...searchAttributes], { stdio: 'ignore' });
      await waitForPort(port, 60_000);
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      // Wait until the frontend answers (the port opens before the namespace is ready).
      const client = new Client({ connection });
      for (let attempt = 0; ; attempt++) {
        try {
          await client.workflowService.describeNamespace({ namespace: 'default' });
          break;
        } catch (error) {
          if (attempt > 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      const created = await tempLocalStorage('temporal-down', 'a-signing-secret-for-temporal-down-tests');
      storageDir = created.dir;
      const storage = created.storage;
      api = await startTestApi({ deps: { storage, temporalClient: client } });
      const user = await registerUser(api);
      token = user.accessToken;
      userId = user.response.body.user.id;
      // A job started while Temporal is up (no worker polls its queue, so it stays pending). The frontend takes a
      // few seconds to accept the new search attributes on starts; a refused submit leaves nothing, so retry.
      for (let attempt = 0; ; attempt++) {
        const accepted = await authed('POST', '/api/audio/denoise', wavForm());
        if (accepted.status === 202) {
          runningJobId = ((await accepted.json()) as { jobId: string }).jobId;
          break;
        }
        if (attempt > 60) assert.fail(`the first submit kept failing: ${await accepted.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }

      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
    });

    after(async () => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      await api?.close();
      // The connection stays open on purpose: with its server gone, closing the channel throws asynchronously
      // from inside grpc-js. The test process ends either way.
      if (storageDir) await rm(storageDir, { recursive: true, force: true });
    });

    test('status and progress answer from the job row within a second', async () => {
      for (const route of ['status', 'progress']) {
        const { value: response, ms } = await timed(() => authed('GET', `/api/jobs/${runningJobId}/${route}`));
        assert.equal(response.status, 200, route);
        const body = (await response.json()) as { status: string; live?: boolean };
        assert.equal(body.status, 'pending');
        if (route === 'progress') assert.equal(body.live, false);
        assert.ok(ms < 1_500, `${route} took ${ms.toFixed(0)} ms`);
      }
    });

    test('a submit fails fast with 503 and leaves no row, no hold and no file', async () => {
      const before = await getCreditSummary(api.database.db, userId);
      const filesBefore = await readdir(storageDir, { recursive: true });
      const { value: response, ms } = await timed(() => authed('POST', '/api/audio/denoise', wavForm()));
      assert.equal(response.status, 503, await response.clone().text());
      assert.ok(ms < 5_000, `submit took ${ms.toFixed(0)} ms`);
      assert.deepEqual(await getCreditSummary(api.database.db, userId), before);
      assert.equal((await listJobsForUser(api.database.db, userId, { limit: 10, offset: 0 })).total, 1);
      assert.deepEqual((await readdir(storageDir, { recursive: true })).sort(), filesBefore.sort());
    });

    test('a cancel answers 503 and leaves the job as it was', async () => {
      const { value: response, ms } = await timed(() => authed('POST', `/api/jobs/${runningJobId}/cancel`));
      assert.equal(response.status, 503, await response.clone().text());
      const body = (await response.json()) as { error: { message: string } };
      assert.match(body.error.message, /unavailable/);
      assert.ok(ms < 5_000, `cancel took ${ms.toFixed(0)} ms`);
      assert.equal((await getJobById(api.database.db, runningJobId))?.status, 'pending');
    });
  },
);
