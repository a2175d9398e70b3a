import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  chargeJobDownload,
  getCreditSummary,
  getJobById,
  grantCredits,
  listJobsForUser,
  markJobCompleted,
  markJobRunning,
  settleCredits,
} from '@voice/db';
import type { JobResult } from '@voice/shared';
import { LocalStorage } from '@voice/storage';
import { serviceUnavailable } from '../src/common/domain-error';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { toneWav } from './helpers/tone';
import { tempLocalStorage } from './helpers/local-storage';
import { registerUser, startTestApi, type TestApi } from './helpers/test-api';

/**
 * Admission at submit (issue 8, items 3, 6, 7 and 8): the job row and its credit hold are one transaction, a
 * failed start leaves nothing behind, a reused Idempotency-Key must be the same request, and the status shows no
 * paid content before it is charged. Real HTTP, in-memory PGlite, local storage; the pipeline is a fake.
 */
describe('job admission', () => {
  let api: TestApi;
  let storageDir: string;
  let storage: LocalStorage;
  const pipeline = new FakePipelineClient();

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('admission-test', 'a-signing-secret-for-admission-tests'));
    api = await startTestApi({ deps: { storage, pipelineClient: pipeline } });
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    pipeline.started = [];
    pipeline.failNextStart = undefined;
  });

  /** A new user whose balance is set to exactly `credits` credit-seconds. */
  const userWith = async (credits: number) => {
    const user = await registerUser(api);
    const userId = user.response.body.user.id;
    const { balance } = await getCreditSummary(api.database.db, userId);
    await grantCredits(api.database.db, {
      userId,
      kind: 'adjustment',
      amount: credits - balance,
      idempotencyKey: `test-set-balance-${userId}`,
    });
    return { userId, token: user.accessToken };
  };

  const upload = async (
    token: string,
    wav: Buffer,
    fields: Record<string, string> = {},
    headers: Record<string, string> = {},
    urlPath = '/api/audio/denoise',
  ) => {
    const form = new FormData();
    form.append('audio_file', new Blob([wav], { type: 'audio/wav' }), 'tone.wav');
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${api.baseUrl}${urlPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const storedFiles = async () => {
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files.push(full);
      }
    };
    await walk(storageDir);
    return files;
  };

  test('8 concurrent submits with credit for 3: exactly 3 get 202, the rest 402, and the holds add up', async () => {
    const { userId, token } = await userWith(3);
    const responses = await Promise.all(Array.from({ length: 8 }, () => upload(token, toneWav(1))));
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [202, 202, 202, 402, 402, 402, 402, 402], JSON.stringify(responses.map((r) => r.body)));
    for (const refused of responses.filter((response) => response.status === 402)) {
      assert.equal((refused.body['error'] as { code: string }).code, 'INSUFFICIENT_CREDITS');
    }
    const summary = await getCreditSummary(api.database.db, userId);
    assert.equal(summary.balance, 0);
    assert.equal(summary.held, 3);
    const jobs = await listJobsForUser(api.database.db, userId, { limit: 20, offset: 0 });
    assert.equal(jobs.total, 3);
    assert.ok(jobs.items.every((job) => job.creditsHeld === 1));
    assert.equal(pipeline.started.length, 3);
  });

  test('when the pipeline cannot start: 503, and no row, no hold and no stored file remain', async () => {
    const { userId, token } = await userWith(100);
    const filesBefore = await storedFiles();
    pipeline.failNextStart = serviceUnavailable('The job service is unavailable; retry shortly');
    const refused = await upload(token, toneWav(2));
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    const summary = await getCreditSummary(api.database.db, userId);
    assert.equal(summary.balance, 100);
    assert.equal(summary.held, 0);
    assert.equal((await listJobsForUser(api.database.db, userId, { limit: 5, offset: 0 })).total, 0);
    assert.deepEqual(await storedFiles(), filesBefore);
    // The ledger keeps the undone hold as a hold and its release: nothing vanishes from the books.
    const retried = await upload(token, toneWav(2));
    assert.equal(retried.status, 202);
  });

  test('an Idempotency-Key replays only the same request; another request with it is a 422', async () => {
    const { userId, token } = await userWith(100);
    const key = { 'idempotency-key': `key-${userId}` };
    const first = await upload(token, toneWav(1), { noise_level: 'moderate' }, key);
    assert.equal(first.status, 202);
    const replay = await upload(token, toneWav(1), { noise_level: 'moderate' }, key);
    assert.equal(replay.status, 202);
    assert.equal(replay.body['jobId'], first.body['jobId']);

    const mismatches = [
      upload(token, toneWav(1), { noise_level: 'aggressive' }, key), // another body
      upload(token, toneWav(1, 880), { noise_level: 'moderate' }, key), // another file
      upload(token, toneWav(1), {}, key, '/api/audio/stt'), // another endpoint
    ];
    for (const mismatch of await Promise.all(mismatches)) {
      assert.equal(mismatch.status, 422, JSON.stringify(mismatch.body));
      assert.equal((mismatch.body['error'] as { code: string }).code, 'IDEMPOTENCY_KEY_REUSED');
    }
    assert.equal(pipeline.started.length, 1);
    assert.equal((await getCreditSummary(api.database.db, userId)).held, 1);
  });

  test('a completed transcript shows its word count, not its text, until the download is charged', async () => {
    const { userId, token } = await userWith(100);
    const accepted = await upload(token, toneWav(1), {}, {}, '/api/audio/stt');
    const jobId = accepted.body['jobId'] as string;
    await markJobRunning(api.database.db, jobId, new Date());
    await settleCredits(api.database.db, { jobId, amount: 1, idempotencyKey: `job-${jobId}:settle` });
    const transcriptKey = `jobs/${jobId}/t.json`;
    await storage.putBuffer(transcriptKey, Buffer.from('{}'), 'application/json');
    const result: JobResult = {
      models: [{ op: 'stt', model: 'fake-stt' }],
      input: { source: 'none' },
      output: { words: 3 },
      transcript: {
        transcriptKey,
        srtKey: transcriptKey,
        vttKey: transcriptKey,
        modelId: 'fake-stt',
        language: 'en',
        wordCount: 3,
        preview: 'the secret words',
      },
      steps: [],
    };
    await markJobCompleted(api.database.db, jobId, {
      outputKey: transcriptKey,
      outputDurationMs: 1000,
      result,
      at: new Date(),
    });

    const status = async () =>
      (await (
        await fetch(`${api.baseUrl}/api/jobs/${jobId}/status`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Record<string, unknown>;
    const unpaid = await status();
    assert.equal(unpaid['status'], 'completed');
    assert.doesNotMatch(JSON.stringify(unpaid), /secret/);
    assert.deepEqual((unpaid['result'] as { transcript: unknown }).transcript, {
      modelId: 'fake-stt',
      language: 'en',
      wordCount: 3,
    });
    const history = await fetch(`${api.baseUrl}/api/jobs/history`, { headers: { authorization: `Bearer ${token}` } });
    assert.doesNotMatch(await history.text(), /secret/);

    await chargeJobDownload(api.database.db, { jobId, userId, idempotencyKey: `download-${jobId}` });
    assert.notEqual((await getJobById(api.database.db, jobId))?.chargedAt, null);
    const paid = await status();
    assert.equal((paid['result'] as { transcript: { preview: string } }).transcript.preview, 'the secret words');
  });
});
