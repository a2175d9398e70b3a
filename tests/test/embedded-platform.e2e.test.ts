import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseEnv, type Env } from '@voice/config';
import { startPlatform, type RunningPlatform } from '@voice/platform';
import { freePort, installWorkerRuntime } from '@voice/runtime';
import { workflowIdForJob } from '@voice/shared';
import { OutboxMailbox } from '@voice/testkit';
import { ApiClient, makeNoisySpeech, testInfra, waitForInference, type NoisySpeech } from '../src';

/**
 * What `npm start` runs: the embedded Temporal dev server persisted under DATA_DIR, PGlite, local storage.
 * Restarting the platform mid-job must lose nothing.
 */
describe('embedded platform (npm start defaults) survives a restart mid-job', { timeout: 300_000 }, () => {
  let dataDir: string;
  let env: Env;
  let platform: RunningPlatform | undefined;
  let fixture: NoisySpeech;

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'voice-embedded-'));
    env = parseEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      API_HOST: '127.0.0.1',
      API_PORT: String(await freePort()),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      ...(testInfra().temporalCli ? { TEMPORAL_CLI_PATH: testInfra().temporalCli } : {}),
    });
    installWorkerRuntime(env);
    fixture = await makeNoisySpeech({ snrDb: 5, minSeconds: 120, seed: 3 });
  });
  after(async () => {
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('starts everything, serves the docs and the Temporal UI', async () => {
    platform = await startPlatform(env);
    assert.equal(platform.database.kind, 'pglite');
    assert.equal(platform.storage.driver, 'local');
    const docs = await fetch(platform.docsUrl);
    assert.equal(docs.status, 200);
    assert.ok(platform.temporalUiUrl);
    const ui = await fetch(platform.temporalUiUrl);
    assert.equal(ui.status, 200);
  });

  test('a job started before a restart completes after it, and the account persists', async () => {
    assert.ok(platform);
    // The embedded default has no SMTP server: the verification mail is an .eml file in DATA_DIR/outbox.
    const api = new ApiClient(platform.apiUrl, new OutboxMailbox(path.join(dataDir, 'outbox')));
    const email = `restart-${Date.now()}@example.com`;
    await api.register(email);
    const accepted = await api.upload('/api/audio/denoise', fixture.wav, 'restart.wav');
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    // Stop while the model is running: the restart must pick the job up where Temporal left it.
    await waitForInference(api, jobId);

    await platform.stop();
    platform = await startPlatform(env);
    const again = new ApiClient(platform.apiUrl);
    const login = await again.request('POST', '/api/auth/login', { email, password: 'correct horse battery' });
    assert.equal(login.status, 200, login.text);
    again.accessToken = login.json['accessToken'] as string;

    const final = await again.waitForJob(jobId, { timeoutMs: 180_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));
    // The row is marked completed by the workflow's last activity, a moment before the workflow returns.
    const handle = platform.client.workflow.getHandle(workflowIdForJob(jobId));
    await handle.result();
    assert.equal((await handle.describe()).status.name, 'COMPLETED');
    const download = await again.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    const file = await fetch(download.json['url'] as string);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'audio/wav');
    const body = Buffer.from(await file.arrayBuffer());
    assert.equal(body.subarray(0, 4).toString('latin1'), 'RIFF');
  });
});
