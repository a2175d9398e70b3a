import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { findUserById, users } from '@voice/db';
import { eq } from 'drizzle-orm';
import type { LocalStorage } from '@voice/storage';

import { isPremium } from '../src/user/premium';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import {
  type AuthBody,
  type ErrorResponse,
  refreshCookieOf,
  registerUser,
  request,
  requestFrom,
  startTestApi,
  type TestApi,
} from './helpers/test-api';
import { toneWav } from './helpers/tone';

/** `"name";r=3;t=42` → its parts, checking the draft-11 syntax on the way. */
function serviceLimit(header: string | null): { name: string; remaining: number; seconds: number } {
  const match = /^"([a-z-]+)";r=(\d+);t=(\d+)$/.exec(header ?? '');
  assert.ok(match, `RateLimit: ${header}`);
  return { name: match[1] ?? '', remaining: Number(match[2]), seconds: Number(match[3]) };
}

describe('job submissions: JOB_SUBMIT_RATE_LIMIT per user per window, whatever the route or credential', () => {
  let api: TestApi;
  let storage: LocalStorage;
  let storageDir: string;
  const pipeline = new FakePipelineClient();

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('rate-limits'));
    api = await startTestApi({
      env: { JOB_SUBMIT_RATE_LIMIT: '10', JOB_SUBMIT_RATE_WINDOW_SECONDS: '60' },
      deps: { storage, pipelineClient: pipeline },
    });
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const submit = async (headers: Record<string, string>, path = '/api/audio/denoise') => {
    const form = new FormData();
    form.append('audio_file', new Blob([toneWav()], { type: 'audio/wav' }), 'tone.wav');
    if (path === '/api/jobs') form.append('steps', '[{"op":"denoise"}]');
    const response = await fetch(`${api.baseUrl}${path}`, { method: 'POST', headers, body: form });
    return { status: response.status, headers: response.headers, body: (await response.json()) as ErrorResponse };
  };

  it('the 11th submission in a minute answers 429 with Retry-After and the RateLimit fields', async () => {
    const user = await registerUser(api);
    const key = await request<{ secret: string }>(api, 'POST', '/api/developer/api-keys', {
      token: user.accessToken,
      body: { name: 'submitter', scopes: ['jobs:write'] },
    });
    const started = pipeline.started.length;
    const remaining: number[] = [];
    for (let i = 1; i <= 10; i++) {
      // Sessions and keys, /api/jobs and /api/audio/*: one quota for the user.
      const headers: Record<string, string> =
        i % 2 === 0 ? { 'x-api-key': key.body.secret } : { authorization: `Bearer ${user.accessToken}` };
      const accepted = await submit(headers, i % 3 === 0 ? '/api/jobs' : '/api/audio/denoise');
      assert.equal(accepted.status, 202, `submission ${i}: ${JSON.stringify(accepted.body)}`);
      assert.ok(accepted.headers.get('ratelimit-policy')?.includes('"job-submit";q=10;w=60'));
      const limit = serviceLimit(
        (accepted.headers.get('ratelimit') ?? '').split(', ').find((item) => item.startsWith('"job-submit"')) ?? null,
      );
      remaining.push(limit.remaining);
      assert.ok(limit.seconds >= 1 && limit.seconds <= 60);
    }
    assert.deepEqual(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);

    const eleventh = await submit({ authorization: `Bearer ${user.accessToken}` });
    assert.equal(eleventh.status, 429);
    assert.equal(eleventh.body.error.code, 'RATE_LIMITED');
    assert.match(
      eleventh.body.error.message,
      /^Too many job submissions: at most 10 per 60 s; try again in \d+ seconds$/,
    );
    const retryAfter = Number(eleventh.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(eleventh.headers.get('ratelimit-policy'), '"job-submit";q=10;w=60');
    assert.deepEqual(serviceLimit(eleventh.headers.get('ratelimit')), {
      name: 'job-submit',
      remaining: 0,
      seconds: retryAfter,
    });
    assert.equal(pipeline.started.length - started, 10, 'the refused submission started nothing');

    // Another user has a quota of their own; reads are not submissions.
    const other = await registerUser(api);
    assert.equal((await submit({ authorization: `Bearer ${other.accessToken}` })).status, 202);
    assert.equal((await request(api, 'GET', '/api/jobs/history', { token: user.accessToken })).status, 200);
  });

  it('premium accounts skip it, as in the seed', async () => {
    const premium = await registerUser(api);
    await api.database.db
      .update(users)
      .set({ subscriptionTier: 'premium' })
      .where(eq(users.id, premium.response.body.user.id));
    const user = await findUserById(api.database.db, premium.response.body.user.id);
    assert.ok(user && isPremium(user.subscriptionTier));
    for (let i = 1; i <= 12; i++) {
      const accepted = await submit({ authorization: `Bearer ${premium.accessToken}` });
      assert.equal(accepted.status, 202, `submission ${i}: ${JSON.stringify(accepted.body)}`);
    }
  });
});

describe('API keys: API_KEY_RATE_LIMIT requests per key per window', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ env: { API_KEY_RATE_LIMIT: '3', API_KEY_RATE_WINDOW_SECONDS: '60' } });
  });
  after(async () => {
    await api?.close();
  });

  it('the 4th request with one key answers 429; another key and the session are unaffected', async () => {
    const user = await registerUser(api);
    const mint = async (name: string) =>
      (
        await request<{ secret: string }>(api, 'POST', '/api/developer/api-keys', {
          token: user.accessToken,
          body: { name, scopes: ['credits:read'] },
        })
      ).body.secret;
    const [first, second] = [await mint('first'), await mint('second')];
    for (let i = 1; i <= 3; i++) {
      const ok = await request(api, 'GET', '/api/user/credits', { headers: { 'x-api-key': first } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('ratelimit-policy'), '"api-key";q=3;w=60');
      assert.equal(serviceLimit(ok.headers.get('ratelimit')).remaining, 3 - i);
    }
    const fourth = await request<ErrorResponse>(api, 'GET', '/api/user/credits', { headers: { 'x-api-key': first } });
    assert.equal(fourth.status, 429);
    assert.match(fourth.body.error.message, /^Too many requests with this API key: at most 3 per 60 s/);
    assert.equal(fourth.headers.get('ratelimit-policy'), '"api-key";q=3;w=60');
    assert.equal(serviceLimit(fourth.headers.get('ratelimit')).seconds, Number(fourth.headers.get('retry-after')));
    // Refused requests count too (every key request does), so hammering does not help.
    assert.equal((await request(api, 'GET', '/api/jobs/history', { headers: { 'x-api-key': first } })).status, 429);

    assert.equal((await request(api, 'GET', '/api/user/credits', { headers: { 'x-api-key': second } })).status, 200);
    const session = await request(api, 'GET', '/api/user/credits', { token: user.accessToken });
    assert.equal(session.status, 200);
    assert.equal(session.headers.get('ratelimit'), null, 'sessions are not under the key quota');
  });
});

describe('auth limits: sign-in attempts stay strict, refresh has a limit of its own', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({
      env: { AUTH_RATE_LIMIT: '2', AUTH_REFRESH_RATE_LIMIT: '6', AUTH_RATE_WINDOW_SECONDS: '900' },
    });
  });
  after(async () => {
    await api?.close();
  });

  it('refresh is limited by AUTH_REFRESH_RATE_LIMIT, not AUTH_RATE_LIMIT: page loads do not sign the user out', async () => {
    const user = await registerUser(api);
    let cookie = user.cookie;
    for (let i = 1; i <= 6; i++) {
      const renewed = await requestFrom<AuthBody>(api, '127.0.5.1', 'POST', '/api/auth/refresh', undefined, cookie);
      assert.equal(renewed.status, 200, `refresh ${i} (AUTH_RATE_LIMIT is 2)`);
      assert.equal(renewed.headers.get('ratelimit-policy'), '"auth-refresh";q=6;w=900');
      assert.equal(serviceLimit(renewed.headers.get('ratelimit')).remaining, 6 - i);
      cookie = refreshCookieOf(renewed);
    }
    const seventh = await requestFrom<ErrorResponse>(api, '127.0.5.1', 'POST', '/api/auth/refresh', undefined, cookie);
    assert.equal(seventh.status, 429);
    assert.match(seventh.body.error.message, /^Too many refresh attempts/);
    assert.ok(Number(seventh.headers.get('retry-after')) > 890);
    assert.equal(seventh.headers.get('ratelimit-policy'), '"auth-refresh";q=6;w=900');
  });

  it('the third login for one email from one address is refused, with the pair policy in the headers', async () => {
    const { account } = await registerUser(api);
    for (let i = 1; i <= 2; i++) {
      const wrong = await requestFrom(api, '127.0.5.2', 'POST', '/api/auth/login', {
        email: account.email,
        password: 'wrong password',
      });
      assert.equal(wrong.status, 401);
    }
    const third = await requestFrom<ErrorResponse>(api, '127.0.5.2', 'POST', '/api/auth/login', {
      email: account.email,
      password: account.password,
    });
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('ratelimit-policy'), '"auth-login";q=2;w=900');
    assert.deepEqual(serviceLimit(third.headers.get('ratelimit')), {
      name: 'auth-login',
      remaining: 0,
      seconds: Number(third.headers.get('retry-after')),
    });
  });
});

describe('behind a gateway: TRUST_PROXY decides whose address the per-address limits count', () => {
  const started: TestApi[] = [];
  after(async () => {
    for (const api of started) await api.close();
  });
  // Both "clients" come from one proxy address (a loopback of its own, so no other test's count is shared).
  const login = (api: TestApi, email: string, forwardedFor: string) =>
    requestFrom(api, '127.0.6.1', 'POST', '/api/auth/login', { email, password: 'wrong password' }, undefined, {
      'x-forwarded-for': forwardedFor,
    });

  for (const [trustProxy, separate] of [
    ['1', true],
    [undefined, false],
  ] as const) {
    it(`TRUST_PROXY=${trustProxy ?? '(unset)'}: clients behind one proxy are ${separate ? 'counted apart' : 'one address'}`, async () => {
      const api = await startTestApi({
        env: {
          AUTH_RATE_LIMIT: '2',
          AUTH_RATE_WINDOW_SECONDS: '900',
          ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}),
        },
      });
      started.push(api);
      const { account } = await registerUser(api);
      for (let i = 0; i < 2; i++) assert.equal((await login(api, account.email, '203.0.113.7')).status, 401);
      assert.equal((await login(api, account.email, '203.0.113.7')).status, 429, 'the first client is limited');
      // Another client behind the same proxy: with the proxy trusted it has its own count.
      assert.equal((await login(api, account.email, '198.51.100.9')).status, separate ? 401 : 429);
    });
  }
});
