import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { getCreditSummary, getJobForUser, listLedger } from '@voice/db';
import { jobStorageKeys, type PipelineProgress } from '@voice/shared';
import { LocalStorage } from '@voice/storage';
import type { PipelineClient, PipelineStart } from '../src/common/pipeline-client';
import { jobIdForIdempotencyKey } from '../src/jobs/idempotency-key.decorator';
import { tempLocalStorage } from './helpers/local-storage';
import { toneWav } from './helpers/tone';
import { registerUser, startTestApi, type TestApi } from './helpers/test-api';

/**
 * A pipeline whose next start never returns: the instance handling that request dies before it answers. Like
 * Temporal (the workflow id is the job's), a second start of one job is a no-op, so `started` lists workflows.
 */
class PipelineDyingOnce implements PipelineClient {
  started: PipelineStart[] = [];
  dieOnNextStart = false;

  async start(input: PipelineStart): Promise<void> {
    if (this.dieOnNextStart) {
      this.dieOnNextStart = false;
      return new Promise<void>(() => {});
    }
    if (!this.started.some((start) => start.jobId === input.jobId)) this.started.push(input);
  }
  async cancel(): Promise<void> {}
  async progress(): Promise<PipelineProgress | undefined> {
    return undefined;
  }
}

/** Local storage whose next putFile never returns: the instance dies while it stores the upload. */
class StorageDyingOnce extends LocalStorage {
  dieOnNextPut = false;

  override putFile(...args: Parameters<LocalStorage['putFile']>): Promise<void> {
    if (this.dieOnNextPut) {
      this.dieOnNextPut = false;
      return new Promise<void>(() => {});
    }
    return super.putFile(...args);
  }
}

/**
 * An instance can die (SIGKILL, OOM, a lost node) after it admitted a submit, with the job row and its hold written,
 * but before the job's workflow started. The client sees a dropped connection or a 502 and retries with the same
 * Idempotency-Key, as it should, on another instance: that retry must finish the submit, not just replay the row,
 * or the job stays pending for ever with its credits held. (Found by tests/test/scale-out.e2e.test.ts.)
 */
describe('a submit retried after the instance that admitted it died', () => {
  let api: TestApi;
  let storageDir: string;
  const pipeline = new PipelineDyingOnce();
  let storage: StorageDyingOnce;
  let token: string;
  let userId: string;

  before(async () => {
    const made = await tempLocalStorage('submit-retry');
    storageDir = made.dir;
    storage = new StorageDyingOnce({
      root: storageDir,
      publicBaseUrl: 'http://127.0.0.1',
      signingSecret: 'a-signing-secret-for-tests',
      defaultTtlSeconds: 60,
    });
    api = await startTestApi({ deps: { storage, pipelineClient: pipeline } });
    const user = await registerUser(api);
    token = user.accessToken;
    userId = user.response.body.user.id;
  });
  after(async () => {
    // The "dead" requests never answer: drop their sockets, or closing waits for them to time out.
    (api?.app.getHttpServer() as Server | undefined)?.closeAllConnections();
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  /** Sends a request that the server never answers, waits until the job row exists, then drops the connection. */
  const submitAndDie = async (key: string, send: (signal: AbortSignal) => Promise<Response>) => {
    const jobId = jobIdForIdempotencyKey(userId, key);
    const abort = new AbortController();
    const first = send(abort.signal).catch((error: unknown) => error);
    for (let tries = 0; !(await getJobForUser(api.database.db, jobId, userId)); tries++) {
      assert.ok(tries < 400, 'the first attempt never admitted its job');
      await sleep(25);
    }
    abort.abort();
    assert.ok((await first) instanceof Error, 'the first attempt got no answer');
    return jobId;
  };

  const upload = (key: string, signal?: AbortSignal) => {
    const form = new FormData();
    form.append('audio_file', new Blob([toneWav(2)], { type: 'audio/wav' }), 'tone.wav');
    return fetch(`${api.baseUrl}/api/audio/denoise`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: form,
      ...(signal ? { signal } : {}),
    });
  };

  const tts = (key: string, signal?: AbortSignal) =>
    fetch(`${api.baseUrl}/api/audio/tts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello there.' }),
      ...(signal ? { signal } : {}),
    });

  test('an upload whose input was never stored: the retry stores it and starts the job, once', async () => {
    storage.dieOnNextPut = true;
    const jobId = await submitAndDie('died-storing', (signal) => upload('died-storing', signal));
    const inputKey = jobStorageKeys(jobId).input('wav');
    assert.equal(await storage.exists(inputKey), false, 'the dead attempt stored nothing');

    const retry = await upload('died-storing');
    assert.equal(retry.status, 202, await retry.clone().text());
    assert.equal(((await retry.json()) as { jobId: string }).jobId, jobId);
    assert.deepEqual(
      pipeline.started.filter((start) => start.jobId === jobId).map((start) => start.source),
      [{ kind: 'audio', inputKey }],
      'the retry started the job on its stored input',
    );
    assert.equal(await storage.exists(inputKey), true);

    // Another retry changes nothing: still one job, one start, one hold.
    assert.equal((await upload('died-storing')).status, 202);
    assert.equal(pipeline.started.filter((start) => start.jobId === jobId).length, 1);
    const holds = (await listLedger(api.database.db, userId, 100)).filter(
      (entry) => entry.jobId === jobId && entry.kind === 'hold',
    );
    assert.equal(holds.length, 1);
  });

  test('a text job whose workflow never started: the retry starts it, once', async () => {
    pipeline.dieOnNextStart = true;
    const before = await getCreditSummary(api.database.db, userId);
    const jobId = await submitAndDie('died-starting', (signal) => tts('died-starting', signal));
    const retry = await tts('died-starting');
    assert.equal(retry.status, 202, await retry.clone().text());
    assert.equal(((await retry.json()) as { jobId: string }).jobId, jobId);
    assert.equal(pipeline.started.filter((start) => start.jobId === jobId).length, 1, 'the retry started the job');
    const after = await getCreditSummary(api.database.db, userId);
    assert.ok(after.held > before.held, 'the one hold stays on the running job');
  });
});
