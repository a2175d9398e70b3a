import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import {
  apiKeys,
  creditLedger,
  markJobCompleted,
  markJobRunning,
  processingJobs,
  rateLimitCounters,
  refreshTokens,
  usageTracking,
  users,
  voiceLibrary,
} from '@voice/db';
import type { JobResult } from '@voice/shared';
import type { LocalStorage } from '@voice/storage';
import { eq, sql } from 'drizzle-orm';

import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import { type ErrorResponse, newAccount, registerUser, request, startTestApi, type TestApi } from './helpers/test-api';
import { toneWav } from './helpers/tone';
import { voicedWav } from './helpers/voice-fixture';

interface Link {
  url: string;
  expiresAt: string;
}
interface ExportBody {
  profile: { id: string; email: string; name: string };
  credits: { balance: number; ledger: { id: string; amount: number; kind: string }[] };
  jobs: { jobId: string; inputFilename: string | null; input?: Link; output?: Link; result?: unknown }[];
  voices: { id: string; name: string; sample: Link }[];
  apiKeys: Record<string, unknown>[];
  usage: { jobId: string | null; creditsUsed: number }[];
}

const SIGNING_SECRET = 'a-signing-secret-for-privacy-tests';

describe('privacy: export and erasure of one’s own account', () => {
  let api: TestApi;
  let storage: LocalStorage;
  let storageDir: string;
  const pipeline = new FakePipelineClient();

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('privacy', SIGNING_SECRET));
    api = await startTestApi({ deps: { storage, pipelineClient: pipeline, signingSecret: SIGNING_SECRET } });
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const db = () => api.database.db;
  /** Signed links name the storage's public base; fetch them from this test API instead. */
  const fetchLink = (link: Link) => {
    const url = new URL(link.url);
    return fetch(`${api.baseUrl}${url.pathname}${url.search}`);
  };
  const submit = async (token: string, filename: string): Promise<string> => {
    const form = new FormData();
    form.append('audio_file', new Blob([toneWav()], { type: 'audio/wav' }), filename);
    const response = await fetch(`${api.baseUrl}/api/audio/denoise`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const body = (await response.json()) as { jobId: string };
    assert.equal(response.status, 202, JSON.stringify(body));
    return body.jobId;
  };
  const complete = async (jobId: string, outputMs: number) => {
    const outputKey = `jobs/${jobId}/output.wav`;
    await storage.putBuffer(outputKey, toneWav(), 'audio/wav');
    const result: JobResult = { models: [], input: { source: 'none' }, output: { words: 0 }, steps: [] };
    assert.ok(await markJobRunning(db(), jobId, new Date()));
    assert.ok(await markJobCompleted(db(), jobId, { outputKey, outputDurationMs: outputMs, result, at: new Date() }));
  };
  const uploadVoice = async (token: string, name: string) => {
    const form = new FormData();
    form.append('audio_file', new Blob([voicedWav(2)], { type: 'audio/wav' }), `${name}.wav`);
    form.append('name', name);
    const response = await fetch(`${api.baseUrl}/api/voices/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const text = await response.text();
    assert.equal(response.status, 201, text);
    return JSON.parse(text) as { id: string };
  };
  const createKey = async (token: string) => {
    const created = await request<{ key: { id: string }; secret: string }>(api, 'POST', '/api/developer/api-keys', {
      token,
      body: { name: 'my laptop', scopes: ['credits:read', 'jobs:read'] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  };

  /** A user with a charged job, an uncharged one, a voice and a key. */
  const populatedUser = async () => {
    const account = newAccount();
    const session = await registerUser(api, account);
    const token = session.accessToken;
    const userId = session.response.body.user.id;
    const paidJob = await submit(token, 'paid-interview.wav');
    await complete(paidJob, 3_000);
    const download = await request(api, 'POST', `/api/audio/download/${paidJob}`, { token });
    assert.equal(download.status, 200, JSON.stringify(download.body));
    const unpaidJob = await submit(token, 'unpaid.wav');
    await complete(unpaidJob, 2_000);
    const voice = await uploadVoice(token, 'my voice');
    const key = await createKey(token);
    return { account, token, userId, paidJob, unpaidJob, voice, key };
  };

  it('exports the user’s own jobs, voices, ledger and keys with working links, nothing of others, no hashes', async () => {
    const me = await populatedUser();
    const other = await populatedUser();
    const response = await fetch(`${api.baseUrl}/api/user/export`, {
      headers: { authorization: `Bearer ${me.token}` },
    });
    assert.equal(response.status, 200);
    assert.match(
      response.headers.get('content-disposition') ?? '',
      /^attachment; filename="voice-platform-export-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const text = await response.text();
    const body = JSON.parse(text) as ExportBody;
    assert.equal(body.profile.id, me.userId);
    assert.equal(body.profile.email, me.account.email);
    assert.deepEqual(body.jobs.map((job) => job.jobId).sort(), [me.paidJob, me.unpaidJob].sort());
    assert.deepEqual(
      body.voices.map((voice) => voice.id),
      [me.voice.id],
    );
    assert.deepEqual(
      body.apiKeys.map((key) => key['id']),
      [me.key.key.id],
    );
    const ledger = await db().select().from(creditLedger).where(eq(creditLedger.userId, me.userId));
    assert.deepEqual(body.credits.ledger.map((entry) => entry.id).sort(), ledger.map((entry) => entry.id).sort());
    assert.equal(
      body.credits.balance,
      ledger.reduce((sum, entry) => sum + entry.amount, 0),
    );
    assert.equal(body.usage.length, 1, 'one charge');
    assert.equal(body.usage[0]?.jobId, me.paidJob);

    for (const foreign of [other.userId, other.account.email, other.paidJob, other.voice.id, other.key.key.id]) {
      assert.ok(!text.includes(foreign), `nothing of the other user: ${foreign}`);
    }
    const [keyRow] = await db().select().from(apiKeys).where(eq(apiKeys.id, me.key.key.id));
    assert.ok(keyRow);
    assert.ok(!text.includes(keyRow.keyHash), 'no API key hash');
    assert.ok(!text.includes(me.key.secret.slice(12)), 'no API key secret');
    const [userRow] = await db().select().from(users).where(eq(users.id, me.userId));
    assert.ok(userRow && !text.includes(userRow.passwordHash), 'no password hash');
    assert.doesNotMatch(text, /keyHash|passwordHash|tokenHash|sampleKey|outputKey|inputKey/);

    const paid = body.jobs.find((job) => job.jobId === me.paidJob);
    const unpaid = body.jobs.find((job) => job.jobId === me.unpaidJob);
    assert.equal(paid?.inputFilename, 'paid-interview.wav');
    assert.ok(paid?.output && paid.input, 'a charged job links its input and output');
    assert.ok(unpaid?.input, 'an uncharged job links the user’s own input');
    assert.equal(unpaid?.output, undefined, 'but never its output, which was not paid for');
    for (const link of [paid.output, paid.input, unpaid.input, body.voices[0]?.sample]) {
      assert.ok(link);
      const file = await fetchLink(link);
      assert.equal(file.status, 200, link.url);
      assert.ok((await file.arrayBuffer()).byteLength > 44, 'the link serves the audio');
    }
  });

  it('an API key cannot export or delete the account: session only', async () => {
    const me = await populatedUser();
    for (const [method, path] of [
      ['GET', '/api/user/export'],
      ['DELETE', '/api/user'],
    ] as const) {
      const answer = await request<ErrorResponse>(api, method, path, {
        headers: { 'x-api-key': me.key.secret },
        body: method === 'DELETE' ? { password: me.account.password } : undefined,
      });
      assert.equal(answer.status, 403, path);
      assert.equal(answer.body.error.code, 'API_KEY_NOT_ALLOWED');
    }
    const [row] = await db().select().from(users).where(eq(users.id, me.userId));
    assert.equal(row?.deletedAt, null);
  });

  it('a wrong password answers 401 and changes nothing', async () => {
    const me = await populatedUser();
    const before = await db().select().from(users).where(eq(users.id, me.userId));
    const answer = await request<ErrorResponse>(api, 'DELETE', '/api/user', {
      token: me.token,
      body: { password: 'not my password at all' },
    });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, 'INVALID_PASSWORD');
    assert.deepEqual(await db().select().from(users).where(eq(users.id, me.userId)), before);
    assert.equal((await db().select().from(voiceLibrary).where(eq(voiceLibrary.userId, me.userId))).length, 1);
    assert.ok(await storage.exists(`jobs/${me.paidJob}/output.wav`));
    assert.equal((await request(api, 'GET', '/api/user/me', { token: me.token })).status, 200);
  });

  it('refuses with 409 while a job is pending or running, and changes nothing', async () => {
    const session = await registerUser(api);
    const running = await submit(session.accessToken, 'long.wav');
    assert.ok(await markJobRunning(db(), running, new Date()));
    const answer = await request<ErrorResponse>(api, 'DELETE', '/api/user', {
      token: session.accessToken,
      body: { password: newAccountPassword },
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.code, 'JOBS_ACTIVE');
    const [row] = await db().select().from(users).where(eq(users.id, session.response.body.user.id));
    assert.equal(row?.deletedAt, null);
    assert.equal((await request(api, 'GET', '/api/user/me', { token: session.accessToken })).status, 200);
  });

  it('erases the account: sign-in, old token and keys refused, files gone, ledger kept and anonymised', async () => {
    const me = await populatedUser();
    const [voiceRow] = await db().select().from(voiceLibrary).where(eq(voiceLibrary.id, me.voice.id));
    assert.ok(voiceRow);
    const files = [
      `jobs/${me.paidJob}/output.wav`,
      `jobs/${me.unpaidJob}/output.wav`,
      voiceRow.sampleKey,
      ...(await db().select().from(processingJobs).where(eq(processingJobs.userId, me.userId))).map((job) => {
        assert.ok(job.inputKey);
        return job.inputKey;
      }),
    ];
    // A step's work file, named as the runners name them (not in any listing the job row keeps).
    const workFile = `jobs/${me.paidJob}/01-denoise.wav`;
    await storage.putBuffer(workFile, toneWav(), 'audio/wav');
    files.push(workFile);
    for (const key of files) assert.ok(await storage.exists(key), `before: ${key}`);
    const ledgerBefore = await db().select().from(creditLedger).where(eq(creditLedger.userId, me.userId));
    assert.ok(ledgerBefore.length >= 3, 'grant, holds and a charge');
    // A failed login leaves a counter keyed by the email.
    await request(api, 'POST', '/api/auth/login', { body: { email: me.account.email, password: 'wrong password!' } });

    const erased = await request(api, 'DELETE', '/api/user', {
      token: me.token,
      body: { password: me.account.password },
    });
    assert.equal(erased.status, 204, JSON.stringify(erased.body));
    const counters = await db()
      .select()
      .from(rateLimitCounters)
      .where(sql`${rateLimitCounters.key} like ${`%${me.account.email}%`}`);
    assert.deepEqual(counters, [], 'no rate-limit counter keyed by the email');

    const login = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: me.account.email, password: me.account.password },
    });
    assert.equal(login.status, 401, 'signs in like an unknown email');
    assert.equal(login.body.error.code, 'UNAUTHORIZED');
    const old = await request<ErrorResponse>(api, 'GET', '/api/user/me', { token: me.token });
    assert.equal(old.status, 401, 'the old access token stops at once');
    const key = await request<ErrorResponse>(api, 'GET', '/api/user/credits', {
      headers: { 'x-api-key': me.key.secret },
    });
    assert.equal(key.status, 401, 'the API key is revoked');

    for (const key of files) assert.equal(await storage.exists(key), false, `deleted from storage: ${key}`);
    assert.equal((await db().select().from(voiceLibrary).where(eq(voiceLibrary.userId, me.userId))).length, 0);
    assert.equal((await db().select().from(refreshTokens).where(eq(refreshTokens.userId, me.userId))).length, 0);

    const ledgerAfter = await db().select().from(creditLedger).where(eq(creditLedger.userId, me.userId));
    assert.deepEqual(ledgerAfter, ledgerBefore, 'ledger rows untouched');
    const sum = (rows: typeof ledgerAfter) => rows.reduce((total, row) => total + row.amount, 0);
    const [tombstone] = await db().select().from(users).where(eq(users.id, me.userId));
    assert.ok(tombstone?.deletedAt);
    assert.equal(tombstone.creditsBalance, sum(ledgerAfter), 'balance still equals the ledger sum');
    assert.equal(tombstone.email, `deleted-${me.userId}@invalid`);
    assert.equal(tombstone.name, '');
    assert.equal((await db().select().from(usageTracking).where(eq(usageTracking.userId, me.userId))).length, 1);

    // No email or name left anywhere for that user: every row that names them, as text.
    const rows = [
      await db().select().from(users).where(eq(users.id, me.userId)),
      await db().select().from(processingJobs).where(eq(processingJobs.userId, me.userId)),
      await db().select().from(apiKeys).where(eq(apiKeys.userId, me.userId)),
      ledgerAfter,
      await db().select().from(usageTracking).where(eq(usageTracking.userId, me.userId)),
    ];
    const text = JSON.stringify(rows).toLowerCase();
    for (const personal of [me.account.email, me.account.name, 'paid-interview.wav', 'my laptop']) {
      assert.ok(!text.includes(personal.toLowerCase()), `no trace of ${personal}`);
    }

    const again = await request(api, 'DELETE', '/api/user', { token: me.token, body: { password: 'x' } });
    assert.equal(again.status, 401);
  });
});

const newAccountPassword = newAccount().password;
