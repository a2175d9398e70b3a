import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  getCreditSummary,
  getJobById,
  markJobCompleted,
  markJobRunning,
  reserveCredits,
  settleCredits,
} from '@voice/db';
import { selectModel } from '@voice/models';
import { jobStorageKeys, type JobResult, type PipelineProgress } from '@voice/shared';
import { LocalStorage } from '@voice/storage';
import type { PipelineClient, PipelineStart } from '../src/common/pipeline-client';
import { toneWav } from './helpers/tone';
import { tempLocalStorage } from './helpers/local-storage';
import { registerUnverified, registerUser, startTestApi, type TestApi, verifyEmailFromMail } from './helpers/test-api';

/**
 * Submit, status and download through real HTTP, a real (in-memory PGlite) database and local storage, with a
 * fake in place of Temporal: it records what would have been started.
 */
class FakePipelineClient implements PipelineClient {
  started: PipelineStart[] = [];
  /** Every start, including failed ones. */
  attempted: PipelineStart[] = [];
  cancelled: string[] = [];
  failNextStart = false;
  live: PipelineProgress | undefined;

  async start(input: PipelineStart): Promise<void> {
    this.attempted.push(input);
    if (this.failNextStart) {
      this.failNextStart = false;
      throw new Error('temporal unreachable');
    }
    // As in Temporal, where the workflow id is the job's: starting a job twice runs it once.
    if (!this.started.some((start) => start.jobId === input.jobId)) this.started.push(input);
  }
  async cancel(jobId: string): Promise<void> {
    this.cancelled.push(jobId);
  }
  async progress(): Promise<PipelineProgress | undefined> {
    return this.live;
  }
}

describe('jobs API over a fake pipeline', () => {
  let api: TestApi;
  let storageDir: string;
  let storage: LocalStorage;
  const pipeline = new FakePipelineClient();
  let token: string;
  let userId: string;

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('jobs-test', 'a-signing-secret-for-tests'));
    api = await startTestApi({ deps: { storage, pipelineClient: pipeline } });
    const user = await registerUser(api);
    token = user.accessToken;
    userId = user.response.body.user.id;
  });

  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    pipeline.started = [];
    pipeline.cancelled = [];
    pipeline.live = undefined;
  });

  const upload = async (urlPath: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const form = new FormData();
    form.append('audio_file', new Blob([toneWav()], { type: 'audio/wav' }), 'tone.wav');
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const response = await fetch(`${api.baseUrl}${urlPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const json = async (method: string, urlPath: string, body?: unknown) => {
    const response = await fetch(`${api.baseUrl}${urlPath}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  test('a denoise upload stores the input, writes a pending row and starts one pipeline with the resolved model', async () => {
    const accepted = await upload('/api/audio/denoise', {});
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const jobId = accepted.body['jobId'] as string;
    assert.equal(pipeline.started.length, 1);
    const [started] = pipeline.started;
    assert.equal(started?.jobId, jobId);
    assert.equal(started?.jobType, 'denoise');
    // The default noise level and the best installed model are filled in once, at submit.
    const expectedModel = selectModel({ task: 'denoise' }, { modelsDir: api.env.MODELS_DIR }).id;
    assert.deepEqual(started?.steps, [{ op: 'denoise', noise_level: 'moderate', model: expectedModel }]);
    assert.equal(started?.source.kind, 'audio');
    const inputKey = started?.source.kind === 'audio' ? started.source.inputKey : '';
    assert.ok((await storage.getBuffer(inputKey)).length > 0);
    const row = await getJobById(api.database.db, jobId);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.inputDurationMs, 1000);
  });

  test('an unknown model is a 400 at submit: no row, no stored file, no pipeline', async () => {
    const accepted = await upload('/api/audio/denoise', { model: 'no-such-model' });
    assert.equal(accepted.status, 400);
    assert.equal((accepted.body['error'] as { code: string }).code, 'UNKNOWN_MODEL');
    assert.equal(pipeline.started.length, 0);
  });

  test('TTS and music bodies map to steps: parameters flatten into the step, `then` chains after it', async () => {
    const tts = await json('POST', '/api/audio/tts', {
      text: 'Hello there.',
      parameters: { speed: 1.5, pitch: 2 },
      then: [{ op: 'normalize', target_lufs: -14 }],
    });
    assert.equal(tts.status, 202, JSON.stringify(tts.body));
    assert.equal(pipeline.started[0]?.jobType, 'tts+normalize');
    assert.deepEqual(pipeline.started[0]?.steps, [
      { op: 'tts', speed: 1.5, pitch: 2 },
      { op: 'normalize', target_lufs: -14 },
    ]);
    assert.deepEqual(pipeline.started[0]?.source, { kind: 'text', text: 'Hello there.' });
    // 12 characters at 15 a second, 1.5× faster.
    assert.equal(pipeline.started[0]?.estimatedOutputMs, Math.ceil((12 / 15 / 1.5) * 1000));

    const music = await json('POST', '/api/audio/generate-music', {
      genre: 'LoFi',
      duration: 5,
      parameters: { tempo: 90, key: 'A minor' },
      seed: 7,
    });
    assert.equal(music.status, 202, JSON.stringify(music.body));
    assert.deepEqual(pipeline.started[1]?.steps, [
      { op: 'generate_music', genre: 'lofi', duration: 5, tempo: 90, key: 'A minor', seed: 7 },
    ]);
    assert.equal(pipeline.started[1]?.estimatedOutputMs, 5000);

    const badGenre = await json('POST', '/api/audio/generate-music', { genre: 'polka', duration: 5 });
    assert.equal(badGenre.status, 400);
    assert.match((badGenre.body['error'] as { message: string }).message, /Unknown genre "polka"/);
    assert.equal(pipeline.started.length, 2);
  });

  test('a cut past the end of the recording is refused at submit with CUT_OUTSIDE_AUDIO', async () => {
    const accepted = await upload('/api/jobs', {
      steps: JSON.stringify([{ op: 'edit', operations: [{ type: 'remove_blooper', start_time: 0.5, end_time: 3 }] }]),
    });
    assert.equal(accepted.status, 400);
    assert.equal((accepted.body['error'] as { code: string }).code, 'CUT_OUTSIDE_AUDIO');
    assert.equal(pipeline.started.length, 0);
  });

  test('a retried submit with the same Idempotency-Key returns the first job and starts nothing new', async () => {
    const first = await upload('/api/audio/stt', {}, { 'idempotency-key': 'retry-me' });
    const second = await upload('/api/audio/stt', {}, { 'idempotency-key': 'retry-me' });
    assert.equal(first.status, 202);
    assert.equal(second.body['jobId'], first.body['jobId']);
    assert.equal(pipeline.started.length, 1);
    assert.deepEqual(pipeline.started[0]?.steps, [{ op: 'stt', language: 'en' }]);
  });

  test('when the pipeline cannot start, the job is undone: no row, no hold, no stored input', async () => {
    const before = (await json('GET', '/api/jobs/history?limit=1')).body as { total: number };
    const credits = await getCreditSummary(api.database.db, userId);
    pipeline.failNextStart = true;
    const accepted = await upload('/api/audio/denoise', {});
    assert.equal(accepted.status, 500);
    const after = (await json('GET', '/api/jobs/history?limit=1')).body as { total: number };
    assert.equal(after.total, before.total);
    assert.deepEqual(await getCreditSummary(api.database.db, userId), credits);
    const [attempt] = pipeline.attempted.slice(-1);
    await assert.rejects(storage.getBuffer(jobStorageKeys(attempt?.jobId ?? '').input('wav')));
  });

  test('status merges live progress while running, and ?wait returns as soon as the status changes', async () => {
    const accepted = await upload('/api/audio/denoise', {});
    const jobId = accepted.body['jobId'] as string;
    await markJobRunning(api.database.db, jobId, new Date());
    pipeline.live = { status: 'running', progress: 42, steps: [] };
    const running = await json('GET', `/api/jobs/${jobId}/status`);
    assert.equal(running.body['status'], 'running');
    assert.equal(running.body['progress'], 42);

    // Completed by "the workflow" while the client is waiting: the held request answers with the new status.
    const waiting = json('GET', `/api/jobs/${jobId}/status?wait=30`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await completeWithTranscript(jobId);
    const done = await waiting;
    assert.equal(done.body['status'], 'completed');
    assert.equal(done.body['progress'], 100);

    // The public result says what was made, never where it is stored, and no text before it is paid for.
    const result = done.body['result'] as Record<string, unknown>;
    assert.deepEqual(result['transcript'], { modelId: 'fake-stt', language: 'en', wordCount: 2 });
    assert.doesNotMatch(JSON.stringify(result), /Key"|jobs\//);
  });

  test('the first download charges the output length once and hands out the transcript artifacts', async () => {
    // Read before the submit, which now takes the job's hold with its row.
    const balanceBefore = (await getCreditSummary(api.database.db, userId)).balance;
    const accepted = await upload('/api/audio/stt', {});
    const jobId = accepted.body['jobId'] as string;
    await markJobRunning(api.database.db, jobId, new Date());
    await reserveCredits(api.database.db, { userId, jobId, amount: 1, idempotencyKey: `job-${jobId}:reserve` });
    await settleCredits(api.database.db, { jobId, amount: 1, idempotencyKey: `job-${jobId}:settle` });
    await completeWithTranscript(jobId);

    const first = await json('POST', `/api/audio/download/${jobId}`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body['creditsCharged'], 1);
    assert.equal(first.body['alreadyCharged'], false);
    assert.ok((first.body['artifacts'] as { srt: string }).srt.includes('/api/files/'));
    const again = await json('POST', `/api/audio/download/${jobId}`);
    assert.equal(again.body['alreadyCharged'], true);
    assert.equal((await getCreditSummary(api.database.db, userId)).balance, balanceBefore - 1);
  });

  test('an unverified account cannot download (403 EMAIL_NOT_VERIFIED, nothing charged) until it opens its link', async () => {
    const unverified = await registerUnverified(api);
    const ownerId = unverified.response.body.user.id;
    const as = (method: string, urlPath: string, body?: FormData) =>
      fetch(`${api.baseUrl}${urlPath}`, {
        method,
        headers: { authorization: `Bearer ${unverified.accessToken}` },
        body,
      });
    const form = new FormData();
    form.append('audio_file', new Blob([toneWav()], { type: 'audio/wav' }), 'tone.wav');
    const accepted = await as('POST', '/api/audio/stt', form);
    assert.equal(accepted.status, 202, 'submitting is allowed before verifying');
    const jobId = ((await accepted.json()) as { jobId: string }).jobId;
    await markJobRunning(api.database.db, jobId, new Date());
    await reserveCredits(api.database.db, {
      userId: ownerId,
      jobId,
      amount: 1,
      idempotencyKey: `job-${jobId}:reserve`,
    });
    await settleCredits(api.database.db, { jobId, amount: 1, idempotencyKey: `job-${jobId}:settle` });
    await completeWithTranscript(jobId);
    const balance = (await getCreditSummary(api.database.db, ownerId)).balance;

    const refused = await as('POST', `/api/audio/download/${jobId}`);
    assert.equal(refused.status, 403);
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'EMAIL_NOT_VERIFIED');
    assert.match(error.message, /Verify your email address/);
    assert.equal((await getCreditSummary(api.database.db, ownerId)).balance, balance, 'nothing was charged');

    await verifyEmailFromMail(api, unverified.account.email);
    // The same access token: verification is read from the account, not from the token.
    const allowed = await as('POST', `/api/audio/download/${jobId}`);
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as { creditsCharged: number }).creditsCharged, 1);
  });

  test('cancel reaches the pipeline for a running job and is refused for a finished one', async () => {
    const accepted = await upload('/api/audio/denoise', {});
    const jobId = accepted.body['jobId'] as string;
    assert.equal((await json('POST', `/api/jobs/${jobId}/cancel`)).status, 202);
    assert.deepEqual(pipeline.cancelled, [jobId]);
    await completeWithTranscript(jobId);
    const late = await json('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(late.status, 409);
    assert.deepEqual(pipeline.cancelled, [jobId]);
  });

  async function completeWithTranscript(jobId: string): Promise<void> {
    const keys = {
      transcriptKey: `jobs/${jobId}/t.json`,
      srtKey: `jobs/${jobId}/t.srt`,
      vttKey: `jobs/${jobId}/t.vtt`,
    };
    for (const key of Object.values(keys)) await storage.putBuffer(key, Buffer.from('{}'), 'application/json');
    const result: JobResult = {
      models: [{ op: 'stt', model: 'fake-stt' }],
      input: { source: 'none' },
      output: { words: 2 },
      transcript: { ...keys, modelId: 'fake-stt', language: 'en', wordCount: 2, preview: 'hi there' },
      steps: [],
    };
    await markJobCompleted(api.database.db, jobId, {
      outputKey: keys.transcriptKey,
      outputDurationMs: 1000,
      result,
      at: new Date(),
    });
  }
});
