import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalStorage } from '@voice/storage';

import { registerUser, startTestApi, type TestApi } from './helpers/test-api';
import { voicedWav } from './helpers/voice-fixture';

interface Answer {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string; details?: Record<string, unknown> }; id?: string };
}

/**
 * POST /api/voices/upload through real HTTP, a real (in-memory PGlite) database and local storage: the length
 * cap, the per-user rate limit and the analysis pool's back-pressure, each leaving nothing behind when it refuses.
 */
describe('voice upload limits', () => {
  const apis: TestApi[] = [];
  let storageRoot: string;

  before(async () => {
    storageRoot = await mkdtemp(path.join(tmpdir(), 'voice-uploads-test-'));
  });
  after(async () => {
    for (const api of apis) await api.close();
    await rm(storageRoot, { recursive: true, force: true });
  });

  /** A fresh API with its own storage folder, so "nothing stored" can be checked by listing it. */
  async function start(env: Record<string, string> = {}) {
    const root = await mkdtemp(path.join(storageRoot, 'store-'));
    const storage = new LocalStorage({
      root,
      publicBaseUrl: 'http://127.0.0.1',
      signingSecret: 'a-signing-secret-for-tests',
      defaultTtlSeconds: 60,
    });
    const api = await startTestApi({ env, deps: { storage } });
    apis.push(api);
    const storedSamples = async () =>
      (await readdir(root, { recursive: true })).filter((entry) => entry.endsWith('.wav')).length;
    const leftUploads = async () => (await readdir(path.join(api.env.DATA_DIR, 'uploads'))).length;
    return { api, storedSamples, leftUploads };
  }

  async function upload(api: TestApi, token: string, wav: Buffer, name = 'sample'): Promise<Answer> {
    const form = new FormData();
    form.append('audio_file', new Blob([wav], { type: 'audio/wav' }), `${name}.wav`);
    form.append('name', name);
    const response = await fetch(`${api.baseUrl}/api/voices/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  }

  async function libraryCount(api: TestApi, token: string): Promise<number> {
    const response = await fetch(`${api.baseUrl}/api/voices/library`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { items: unknown[] }).items.length;
  }

  test('a sample over the 300 s default cap answers 422 naming the limit, and stores nothing', async () => {
    const { api, storedSamples, leftUploads } = await start();
    assert.equal(api.env.VOICE_SAMPLE_MAX_SECONDS, 300, 'the documented default');
    const { accessToken } = await registerUser(api);

    const tooLong = await upload(api, accessToken, voicedWav(301), 'too-long');
    assert.equal(tooLong.status, 422, JSON.stringify(tooLong.body));
    assert.equal(tooLong.body.error?.code, 'INVALID_VOICE_SAMPLE');
    assert.match(tooLong.body.error?.message ?? '', /between 1 s and 5 minutes \(300 s\)/);
    assert.match(tooLong.body.error?.message ?? '', /5 min 1 s long/, 'says how long this one is');
    assert.deepEqual(tooLong.body.error?.details, { reason: 'too_long', maxSeconds: 300 });

    const tooShort = await upload(api, accessToken, voicedWav(0.5), 'too-short');
    assert.equal(tooShort.status, 422);
    assert.match(tooShort.body.error?.message ?? '', /between 1 s and 5 minutes \(300 s\); this one lasts 0\.5 s/);

    assert.equal(await libraryCount(api, accessToken), 0, 'no voice row');
    assert.equal(await storedSamples(), 0, 'no stored sample');
    assert.equal(await leftUploads(), 0, 'the temp uploads were removed');
  });

  test('beyond VOICE_UPLOAD_RATE_LIMIT per window a user gets 429 with Retry-After; other users are not affected', async () => {
    const { api, storedSamples, leftUploads } = await start({
      VOICE_UPLOAD_RATE_LIMIT: '2',
      VOICE_UPLOAD_RATE_WINDOW_SECONDS: '60',
    });
    const first = await registerUser(api);
    const second = await registerUser(api);
    const wav = voicedWav(2);

    for (const attempt of [1, 2]) {
      const accepted = await upload(api, first.accessToken, wav, `ok-${attempt}`);
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    }
    const limited = await upload(api, first.accessToken, wav, 'one-too-many');
    assert.equal(limited.status, 429, JSON.stringify(limited.body));
    assert.equal(limited.body.error?.code, 'RATE_LIMITED');
    assert.match(limited.body.error?.message ?? '', /at most 2 per 60 s/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers.get('retry-after')}`);

    const other = await upload(api, second.accessToken, wav, 'someone-else');
    assert.equal(other.status, 201, 'the quota is per user');
    assert.equal(await libraryCount(api, first.accessToken), 2);
    assert.equal(await storedSamples(), 3, 'the refused sample was not stored');
    assert.equal(await leftUploads(), 0);
  });

  test('when the analysis thread is busy and the queue is full, the excess gets 503 with Retry-After and leaves nothing', async () => {
    const { api, storedSamples, leftUploads } = await start({ VOICE_ANALYSIS_THREADS: '1', VOICE_ANALYSIS_QUEUE: '0' });
    const { accessToken } = await registerUser(api);
    // Long enough that the first analysis is still running when the others arrive (they are sent together).
    const wav = voicedWav(240);
    const answers = await Promise.all([1, 2, 3].map((n) => upload(api, accessToken, wav, `concurrent-${n}`)));

    const accepted = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status === 503);
    assert.equal(accepted.length + refused.length, 3, JSON.stringify(answers.map((answer) => answer.body)));
    assert.ok(accepted.length >= 1 && refused.length >= 1, `${accepted.length} accepted, ${refused.length} refused`);
    for (const answer of refused) {
      assert.equal(answer.body.error?.code, 'VOICE_ANALYSIS_BUSY');
      const retryAfter = Number(answer.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${answer.headers.get('retry-after')}`);
    }
    assert.equal(await libraryCount(api, accessToken), accepted.length);
    assert.equal(await storedSamples(), accepted.length, 'only accepted samples are stored');
    assert.equal(await leftUploads(), 0);
  });
});
