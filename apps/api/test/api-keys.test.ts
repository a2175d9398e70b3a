import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { apiKeys, creditLedger, getJobById, markJobCompleted, revokeApiKeysOfUser, usageTracking } from '@voice/db';
import type { JobResult } from '@voice/shared';
import type { LocalStorage } from '@voice/storage';
import { and, eq, sql } from 'drizzle-orm';

import { LAST_USED_RESOLUTION_MS } from '../src/auth/api-keys/api-key.strategy';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import { type ErrorResponse, newAccount, registerUser, request, startTestApi, type TestApi } from './helpers/test-api';
import { toneWav } from './helpers/tone';

interface ApiKeyBody {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}
interface CreatedKeyBody {
  key: ApiKeyBody;
  secret: string;
}
interface UsageFigures {
  minutes: number;
  credits: number;
  charges: number;
}
interface UsageBody {
  from: string;
  to: string;
  keyId: string | null;
  rows: (UsageFigures & { day: string; feature: string; keyId: string | null })[];
  daily: (UsageFigures & { day: string; feature: string })[];
  byKey: (UsageFigures & { keyId: string | null; name: string | null; prefix: string | null })[];
  total: UsageFigures;
}

const ADMIN_PASSWORD = 'an admin passphrase for api keys';

describe('developer API keys', () => {
  let api: TestApi;
  let storage: LocalStorage;
  let storageDir: string;
  const pipeline = new FakePipelineClient();
  let token: string;
  let userId: string;
  const adminEmail = `keys-admin-${process.pid}@example.com`;

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('api-keys'));
    api = await startTestApi({
      env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD },
      deps: { storage, pipelineClient: pipeline },
    });
    const user = await registerUser(api);
    token = user.accessToken;
    userId = user.response.body.user.id;
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const createKey = async (body: Record<string, unknown>, as = token) =>
    request<CreatedKeyBody>(api, 'POST', '/api/developer/api-keys', { token: as, body });
  const newKey = async (scopes: string[], name = `key ${scopes.join(' ')}`, as = token) => {
    const created = await createKey({ name, scopes }, as);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  };
  const withKey = (secret: string, method: string, path: string, body?: unknown) =>
    request<ErrorResponse & Record<string, unknown>>(api, method, path, { headers: { 'x-api-key': secret }, body });
  const uploadWith = async (headers: Record<string, string>, path = '/api/audio/denoise') => {
    const form = new FormData();
    form.append('audio_file', new Blob([toneWav()], { type: 'audio/wav' }), 'tone.wav');
    const response = await fetch(`${api.baseUrl}${path}`, { method: 'POST', headers, body: form });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** Completes a submitted job as the workflow would, with `outputMs` of output. */
  const complete = async (jobId: string, outputMs: number) => {
    const outputKey = `jobs/${jobId}/output.wav`;
    await storage.putBuffer(outputKey, toneWav(), 'audio/wav');
    const result: JobResult = { models: [], input: { source: 'none' }, output: { words: 0 }, steps: [] };
    assert.ok(
      await markJobCompleted(api.database.db, jobId, { outputKey, outputDurationMs: outputMs, result, at: new Date() }),
    );
  };

  it('shows the key once, stores only its sha256 and a 12-character prefix', async () => {
    const created = await createKey({ name: 'CI pipeline', scopes: ['jobs:write', 'jobs:read', 'jobs:read'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const { key, secret } = created.body;
    assert.match(secret, /^vp_live_[0-9A-Za-z]{43}$/);
    assert.equal(key.prefix, secret.slice(0, 12));
    assert.deepEqual(key.scopes, ['jobs:write', 'jobs:read'], 'duplicates dropped');
    assert.equal(key.status, 'active');
    assert.equal(key.lastUsedAt, null);
    assert.equal(key.expiresAt, null);

    const [row] = await api.database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    assert.ok(row);
    assert.equal(row.keyHash, createHash('sha256').update(secret).digest('hex'));
    assert.equal(row.prefix, secret.slice(0, 12));
    assert.doesNotMatch(JSON.stringify(row), new RegExp(secret.slice(12)), 'no column holds the secret');

    const listed = await request<{ items: ApiKeyBody[] }>(api, 'GET', '/api/developer/api-keys', { token });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.items[0]?.id, key.id, 'newest first');
    const text = JSON.stringify(listed.body);
    assert.doesNotMatch(text, new RegExp(secret.slice(12)), 'the list never shows the secret');
    assert.doesNotMatch(text, /keyHash|key_hash/);
  });

  it('refuses bad input: no scope, an unknown scope, an expiry in the past', async () => {
    const none = await request<ErrorResponse>(api, 'POST', '/api/developer/api-keys', {
      token,
      body: { name: 'x', scopes: [] },
    });
    assert.equal(none.status, 400);
    const unknown = await createKey({ name: 'x', scopes: ['admin'] });
    assert.equal(unknown.status, 400);
    const past = await createKey({ name: 'x', scopes: ['voices'], expiresAt: '2020-01-01T00:00:00Z' });
    assert.equal(past.status, 400);
    assert.match((past.body as unknown as ErrorResponse).error.message, /expiresAt: must be in the future/);
  });

  it('authenticates with Authorization: Bearer and with X-API-Key, within its scopes', async () => {
    const { secret } = await newKey(['credits:read']);
    const bearer = await request<{ creditsRemaining: number }>(api, 'GET', '/api/user/credits', { token: secret });
    assert.equal(bearer.status, 200, JSON.stringify(bearer.body));
    assert.equal(typeof bearer.body.creditsRemaining, 'number');
    const header = await withKey(secret, 'GET', '/api/user/credits');
    assert.equal(header.status, 200);
    assert.equal(header.body['creditsRemaining'], bearer.body.creditsRemaining);

    const history = await withKey(secret, 'GET', '/api/jobs/history');
    assert.equal(history.status, 403);
    assert.equal(history.body.error.code, 'INSUFFICIENT_SCOPE');
    assert.match(history.body.error.message, /"jobs:read" scope/);
    assert.deepEqual(history.body.error.details, { requiredScope: 'jobs:read' });
    const voices = await withKey(secret, 'GET', '/api/voices/library');
    assert.equal(voices.body.error.code, 'INSUFFICIENT_SCOPE');
  });

  it('answers 401 for a malformed or unknown key, never falling back to other credentials', async () => {
    const malformed = await withKey('vp_live_short', 'GET', '/api/user/credits');
    assert.equal(malformed.status, 401);
    assert.equal(malformed.body.error.code, 'INVALID_API_KEY');
    const unknown = await withKey(`vp_live_${'A'.repeat(43)}`, 'GET', '/api/user/credits');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.code, 'INVALID_API_KEY');
    const bearerUnknown = await request<ErrorResponse>(api, 'GET', '/api/user/credits', {
      token: `vp_live_${'B'.repeat(43)}`,
    });
    assert.equal(bearerUnknown.body.error.code, 'INVALID_API_KEY');
  });

  it('a revoked key is refused on its very next request', async () => {
    const { key, secret } = await newKey(['credits:read']);
    assert.equal((await withKey(secret, 'GET', '/api/user/credits')).status, 200);
    const revoked = await request<ApiKeyBody>(api, 'DELETE', `/api/developer/api-keys/${key.id}`, { token });
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body.status, 'revoked');
    const next = await withKey(secret, 'GET', '/api/user/credits');
    assert.equal(next.status, 401);
    assert.equal(next.body.error.code, 'API_KEY_REVOKED');
    const again = await request<ApiKeyBody>(api, 'DELETE', `/api/developer/api-keys/${key.id}`, { token });
    assert.equal(again.body.revokedAt, revoked.body.revokedAt, 'revoking twice keeps the first time');
  });

  it('an expired key is refused', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await createKey({ name: 'short-lived', scopes: ['credits:read'], expiresAt });
    assert.equal(created.status, 201);
    assert.equal(created.body.key.expiresAt, expiresAt);
    const { key, secret } = created.body;
    assert.equal((await withKey(secret, 'GET', '/api/user/credits')).status, 200);
    // An hour is long to wait: move its expiry into the past instead.
    await api.database.db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(apiKeys.id, key.id));
    const expired = await withKey(secret, 'GET', '/api/user/credits');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'API_KEY_EXPIRED');
    const listed = await request<{ items: ApiKeyBody[] }>(api, 'GET', '/api/developer/api-keys', { token });
    assert.equal(listed.body.items.find((item) => item.id === key.id)?.status, 'expired');
  });

  it('a key can neither manage keys, read usage, see the profile nor reach admin routes, even an admin’s', async () => {
    const { secret } = await newKey(['jobs:write', 'jobs:read', 'voices', 'credits:read']);
    for (const [method, path, body] of [
      ['GET', '/api/developer/api-keys'],
      ['POST', '/api/developer/api-keys', { name: 'minted', scopes: ['voices'] }],
      ['GET', '/api/developer/usage'],
      ['GET', '/api/user/me'],
    ] as const) {
      const response = await withKey(secret, method, path, body);
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(response.body.error.code, 'API_KEY_NOT_ALLOWED');
    }

    const admin = await request<{ accessToken: string }>(api, 'POST', '/api/auth/login', {
      body: { email: adminEmail, password: ADMIN_PASSWORD },
    });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    const adminKey = await newKey(['jobs:read'], 'admin key', admin.body.accessToken);
    for (const path of ['/api/admin/me', '/api/admin/mfa/enrol']) {
      const method = path.endsWith('enrol') ? 'POST' : 'GET';
      const response = await withKey(adminKey.secret, method, path);
      assert.equal(response.status, 403, path);
      assert.equal(response.body.error.code, 'API_KEY_NOT_ALLOWED');
    }
  });

  it('records the last use, writing at most once a minute per key', async () => {
    const { key, secret } = await newKey(['credits:read']);
    const lastUsed = async () =>
      (await api.database.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)))[0]?.lastUsedAt ?? null;
    assert.equal(await lastUsed(), null);
    const before = Date.now();
    await withKey(secret, 'GET', '/api/user/credits');
    const first = await lastUsed();
    assert.ok(first && first.getTime() >= before - 1_000, `last used ${first?.toISOString()}`);
    await withKey(secret, 'GET', '/api/user/credits');
    assert.equal((await lastUsed())?.getTime(), first.getTime(), 'a second use within the minute writes nothing');
    const earlier = new Date(Date.now() - LAST_USED_RESOLUTION_MS - 5_000);
    await api.database.db.update(apiKeys).set({ lastUsedAt: earlier }).where(eq(apiKeys.id, key.id));
    await withKey(secret, 'GET', '/api/user/credits');
    assert.ok(((await lastUsed())?.getTime() ?? 0) > earlier.getTime(), 'a use a minute later is recorded');
  });

  it('jobs record the submitting key; usage per day, feature and key adds up to what was charged', async () => {
    const writer = await newKey(['jobs:write', 'jobs:read'], 'writer');
    const reader = await newKey(['jobs:read'], 'reader');

    // One job by the writer key, one through the web app (JWT); a read-only key may not submit.
    const byKey = await uploadWith({ authorization: `Bearer ${writer.secret}` });
    assert.equal(byKey.status, 202, JSON.stringify(byKey.body));
    const keyJobId = byKey.body['jobId'] as string;
    const webJob = await uploadWith({ authorization: `Bearer ${token}` });
    assert.equal(webJob.status, 202);
    const webJobId = webJob.body['jobId'] as string;
    const refused = await uploadWith({ 'x-api-key': reader.secret });
    assert.equal(refused.status, 403);
    assert.equal((refused.body['error'] as { code: string }).code, 'INSUFFICIENT_SCOPE');

    assert.equal((await getJobById(api.database.db, keyJobId))?.apiKeyId, writer.key.id);
    assert.equal((await getJobById(api.database.db, webJobId))?.apiKeyId, null);

    // The status is readable with the read key; the download (a read, though it charges) too.
    const status = await withKey(reader.secret, 'GET', `/api/jobs/${keyJobId}/status`);
    assert.equal(status.status, 200);
    await complete(keyJobId, 90_500);
    await complete(webJobId, 30_000);
    const paid = await withKey(reader.secret, 'POST', `/api/audio/download/${keyJobId}`);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body['creditsCharged'], 91, '90.5 s of output costs 91 credit-seconds');
    const webPaid = await request(api, 'POST', `/api/audio/download/${webJobId}`, { token });
    assert.equal(webPaid.status, 200);

    const [usageRow] = await api.database.db.select().from(usageTracking).where(eq(usageTracking.jobId, keyJobId));
    assert.equal(usageRow?.apiKeyId, writer.key.id, 'the charge is the submitting key’s, whoever downloaded');

    const usage = await request<UsageBody>(api, 'GET', '/api/developer/usage', { token });
    assert.equal(usage.status, 200, JSON.stringify(usage.body));
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(usage.body.to, today);
    assert.equal(usage.body.from, new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10));
    assert.deepEqual(usage.body.rows, [
      { day: today, feature: 'denoise', keyId: writer.key.id, minutes: 1.508, credits: 91, charges: 1 },
      { day: today, feature: 'denoise', keyId: null, minutes: 0.5, credits: 30, charges: 1 },
    ]);
    assert.deepEqual(usage.body.daily, [{ day: today, feature: 'denoise', minutes: 2.008, credits: 121, charges: 2 }]);
    assert.deepEqual(
      usage.body.byKey.find((entry) => entry.keyId === writer.key.id),
      { keyId: writer.key.id, name: 'writer', prefix: writer.key.prefix, minutes: 1.508, credits: 91, charges: 1 },
    );
    // The totals are what the ledger charged this user.
    const [ledger] = await api.database.db
      .select({ charged: sql<number>`-sum(${creditLedger.amount})`.mapWith(Number) })
      .from(creditLedger)
      .where(and(eq(creditLedger.userId, userId), eq(creditLedger.kind, 'charge')));
    assert.equal(usage.body.total.credits, ledger?.charged);
    assert.deepEqual(usage.body.total, { minutes: 2.008, credits: 121, charges: 2 });

    const onlyWriter = await request<UsageBody>(api, 'GET', `/api/developer/usage?key=${writer.key.id}`, { token });
    assert.equal(onlyWriter.body.keyId, writer.key.id);
    assert.deepEqual(onlyWriter.body.total, { minutes: 1.508, credits: 91, charges: 1 });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const before = await request<UsageBody>(api, 'GET', `/api/developer/usage?from=${yesterday}&to=${yesterday}`, {
      token,
    });
    assert.deepEqual(before.body.rows, [], 'today’s charges are outside a range that ends yesterday');

    const backwards = await request<ErrorResponse>(api, 'GET', `/api/developer/usage?from=${today}&to=${yesterday}`, {
      token,
    });
    assert.equal(backwards.status, 400);
    const other = await registerUser(api, newAccount());
    const foreign = await request<ErrorResponse>(api, 'GET', `/api/developer/usage?key=${writer.key.id}`, {
      token: other.accessToken,
    });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'API_KEY_NOT_FOUND');
    const foreignRevoke = await request<ErrorResponse>(api, 'DELETE', `/api/developer/api-keys/${writer.key.id}`, {
      token: other.accessToken,
    });
    assert.equal(foreignRevoke.status, 404, 'another user’s key cannot be revoked');
  });

  it('revokeApiKeysOfUser (account suspension) refuses every key of the user at once', async () => {
    const account = await registerUser(api, newAccount());
    const first = await newKey(['credits:read'], 'one', account.accessToken);
    const second = await newKey(['voices'], 'two', account.accessToken);
    assert.equal((await withKey(first.secret, 'GET', '/api/user/credits')).status, 200);
    assert.equal(await revokeApiKeysOfUser(api.database.db, account.response.body.user.id), 2);
    for (const secret of [first.secret, second.secret]) {
      const response = await withKey(secret, 'GET', '/api/user/credits');
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 'API_KEY_REVOKED');
    }
    const rows = await api.database.db
      .select({ revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.userId, account.response.body.user.id));
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.revokedAt !== null));
  });
});
