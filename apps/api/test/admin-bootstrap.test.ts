import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { EnvError, parseEnv } from '@voice/config';
import { users } from '@voice/db';
import { sql } from 'drizzle-orm';

import { createApiApp } from '../src';
import { TEST_DATABASES, type TestDatabase } from './helpers/postgres';
import {
  type AuthBody,
  newAccount,
  refreshCookieOf,
  registerUser,
  request,
  startTestApi,
  TEST_JWT_SECRET,
  type TestApi,
} from './helpers/test-api';

const dataKey = `k1:${randomBytes(32).toString('base64')}`;

/**
 * Everything written to stdout and stderr while `work` runs (the API's JSON log lines go to stdout). Log lines
 * are kept out of the test output; anything else passes through, as the test runner reports over stdout.
 */
async function captureOutput<T>(work: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, index) => {
    const original = originals[index] as typeof stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      chunks.push(text);
      if (!text.includes('[Nest]') && !text.startsWith('{"level"'))
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  try {
    const result = await work();
    return { result, output: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
}

for (const { label, open } of TEST_DATABASES) {
  const skip =
    label === 'pg' && !process.env['TEST_DATABASE_URL'] ? 'set TEST_DATABASE_URL (scripts/test.mjs does)' : false;

  describe(`bootstrap admin from ADMIN_EMAIL / ADMIN_PASSWORD [${label}]`, { skip }, () => {
    let testDb: TestDatabase;
    const started: TestApi[] = [];

    const start = async (env: Record<string, string>) => {
      const api = await startTestApi({ database: testDb.handle, env: { DATA_ENCRYPTION_KEY: dataKey, ...env } });
      started.push(api);
      return api;
    };
    const rowsFor = (email: string) =>
      testDb.handle.db
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = lower(${email})`);

    before(async () => {
      const opened = await open();
      assert.ok(opened, 'database available');
      testDb = opened;
    });
    after(async () => {
      for (const api of started) await api.close().catch(() => undefined);
      await testDb?.dispose();
    });

    it('two API instances starting at once leave exactly one admin row, with no credits', async () => {
      const email = `Root-${label}@Example.com`;
      const env = { ADMIN_EMAIL: email, ADMIN_PASSWORD: 'first admin passphrase' };
      const [a, b] = await Promise.all([start(env), start(env)]);
      const rows = await rowsFor(email);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.role, 'admin');
      assert.equal(rows[0]?.email, email.toLowerCase());
      assert.equal(rows[0]?.creditsBalance, 0);
      // The operator configured the address: no verification mail, no "verify your email" banner.
      assert.ok(rows[0]?.emailVerifiedAt instanceof Date, 'the bootstrap admin counts as verified');
      for (const api of [a, b]) {
        const login = await request<AuthBody>(api, 'POST', '/api/auth/login', {
          body: { email, password: 'first admin passphrase' },
        });
        assert.equal(login.status, 200);
        assert.equal(login.body.user.role, 'admin');
      }
    });

    it('a restart with the same password rewrites nothing; a new password replaces the hash and ends old sessions', async () => {
      const email = `rotate-${label}@example.com`;
      await start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'the old passphrase' });
      const [before] = await rowsFor(email);
      const again = await start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'the old passphrase' });
      const [unchanged] = await rowsFor(email);
      assert.equal(unchanged?.passwordHash, before?.passwordHash, 'same password: the row is left alone');
      assert.equal(unchanged?.updatedAt.getTime(), before?.updatedAt.getTime());
      const session = await request<AuthBody>(again, 'POST', '/api/auth/login', {
        body: { email, password: 'the old passphrase' },
      });
      assert.equal(session.status, 200);

      const changed = await start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'the new passphrase' });
      const rows = await rowsFor(email);
      assert.equal(rows.length, 1);
      assert.notEqual(rows[0]?.passwordHash, before?.passwordHash);
      const oldPassword = await request(changed, 'POST', '/api/auth/login', {
        body: { email, password: 'the old passphrase' },
      });
      assert.equal(oldPassword.status, 401);
      const newPassword = await request(changed, 'POST', '/api/auth/login', {
        body: { email, password: 'the new passphrase' },
      });
      assert.equal(newPassword.status, 200);
      const oldSession = await request(changed, 'POST', '/api/auth/refresh', { cookie: refreshCookieOf(session) });
      assert.equal(oldSession.status, 401, 'sessions of the old password are revoked');
    });

    it('logs "admin <email> ensured" and never the password, at every log level', async () => {
      const email = `logged-${label}@example.com`;
      const password = `secret-${randomBytes(8).toString('hex')} passphrase`;
      for (const level of ['debug', 'info']) {
        const { output } = await captureOutput(() =>
          start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: password, LOG_LEVEL: level }),
        );
        assert.match(output, new RegExp(`admin ${email.replace(/[.]/g, '\\.')} ensured`), 'the log was captured');
        assert.ok(!output.includes(password), 'the password is not in the log');
        assert.ok(!output.includes(password.split(' ')[0] ?? password), 'nor any part of it');
      }
    });

    it('promotes an existing user with that email, who then signs in with ADMIN_PASSWORD', async () => {
      const plain = await start({});
      const { account } = await registerUser(plain, newAccount({ email: `promoted-${label}@example.com` }));
      const api = await start({ ADMIN_EMAIL: account.email, ADMIN_PASSWORD: 'promoted admin passphrase' });
      const rows = await rowsFor(account.email);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.role, 'admin');
      assert.ok(rows[0]?.emailVerifiedAt instanceof Date, 'promotion marks the configured address verified');
      const login = await request<AuthBody>(api, 'POST', '/api/auth/login', {
        body: { email: account.email, password: 'promoted admin passphrase' },
      });
      assert.equal(login.body.user.role, 'admin');
    });

    it('a weak ADMIN_PASSWORD fails the start with an EnvError naming the rule, not the password, and creates nothing', async () => {
      const email = `weak-${label}@example.com`;
      const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-admin-weak-'));
      try {
        for (const weak of ['Password1', 'short']) {
          const env = parseEnv({
            NODE_ENV: 'test',
            LOG_LEVEL: 'error',
            DATA_DIR: dataDir,
            JWT_SECRET: TEST_JWT_SECRET,
            DATA_ENCRYPTION_KEY: dataKey,
            ADMIN_EMAIL: email,
            ADMIN_PASSWORD: weak,
          });
          await assert.rejects(
            createApiApp({ env, database: testDb.handle }),
            (error: unknown) =>
              error instanceof EnvError &&
              error.issues.every((issue) => issue.startsWith('ADMIN_PASSWORD: ') && !issue.includes(weak)),
          );
        }
        assert.equal((await rowsFor(email)).length, 0);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}

describe('admin and key configuration', () => {
  it('ADMIN_EMAIL without ADMIN_PASSWORD, or the reverse, is an EnvError', () => {
    for (const source of [{ ADMIN_EMAIL: 'a@example.com' }, { ADMIN_PASSWORD: 'some passphrase' }]) {
      assert.throws(
        () => parseEnv(source),
        (error: unknown) =>
          error instanceof EnvError && error.issues.some((issue) => /set both or neither/.test(issue)),
      );
    }
    assert.throws(() => parseEnv({ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'some passphrase' }), EnvError);
  });

  it('production without DATA_ENCRYPTION_KEY refuses to start the API', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-admin-prod-'));
    try {
      const production = { NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET };
      assert.throws(() => parseEnv(production), EnvError);
      // A caller that builds its env by hand still cannot start without the key: the API resolves it at boot.
      const env = { ...parseEnv({ ...production, DATA_ENCRYPTION_KEY: dataKey }), DATA_ENCRYPTION_KEY: undefined };
      const api = await startTestApi();
      try {
        await assert.rejects(
          createApiApp({ env, database: api.database }),
          (error: unknown) => error instanceof EnvError && /DATA_ENCRYPTION_KEY/.test(error.message),
        );
      } finally {
        await api.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
