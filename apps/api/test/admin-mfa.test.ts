import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type { OpenAPIObject } from '@nestjs/swagger';
import { mfaRecoveryCodes, userMfa, users } from '@voice/db';
import { SecretBox } from '@voice/runtime';
import { eq, sql } from 'drizzle-orm';
import { Secret, TOTP, URI } from 'otpauth';

import { totpSecretContext } from '../src/auth/mfa/mfa.service';
import { TEST_DATABASES, type TestDatabase } from './helpers/postgres';
import {
  type AuthBody,
  type ErrorResponse,
  refreshCookieOf,
  registerUser,
  request,
  startTestApi,
  type TestApi,
} from './helpers/test-api';

const PERIOD_MS = 30_000;
const ADMIN_PASSWORD = 'an admin passphrase for tests';
const dataKey = (id: string): string => `${id}:${randomBytes(32).toString('base64')}`;

interface MfaChallengeBody {
  mfaRequired: true;
  mfaToken: string;
  expiresIn: number;
}
interface EnrolmentBody {
  otpauthUri: string;
  qrCodeSvg: string;
  secret: string;
}
interface ConfirmationBody extends AuthBody {
  recoveryCodes: string[];
}
interface AdminProfileBody {
  id: string;
  role: string;
  mfa: { enrolled: boolean; enrolledAt?: string; recoveryCodesRemaining: number };
}

/** The code of the step `offsetSteps` away from now, made by the library itself (SHA1, 6 digits, 30 s). */
function codeAt(secret: string, offsetSteps: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * PERIOD_MS });
}

/**
 * Waits for the next step when fewer than `minRemainingMs` of the current one are left, so a test's codes and
 * the server's clock agree on which step "now" is for the few requests that follow.
 */
async function inFreshStep(minRemainingMs = 8_000): Promise<void> {
  const remaining = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (remaining < minRemainingMs) await sleep(remaining + 100);
}

/** Rows of a raw `execute` result: both drivers (node-postgres, PGlite) answer `{ rows }`. */
function rowsOf(result: unknown): unknown[] {
  const rows = typeof result === 'object' && result !== null && 'rows' in result ? result.rows : undefined;
  assert.ok(Array.isArray(rows), 'execute() answered rows');
  return rows;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function login(api: TestApi, email: string, password = ADMIN_PASSWORD) {
  return request<AuthBody | MfaChallengeBody | ErrorResponse>(api, 'POST', '/api/auth/login', {
    body: { email, password },
  });
}

/** Password step, then the code: the whole admin sign-in. */
async function signInWithCode(api: TestApi, email: string, code: string) {
  const first = await login(api, email);
  assert.equal(first.status, 200);
  assert.ok('mfaToken' in first.body, 'an enrolled admin is asked for a code');
  return request<AuthBody & ErrorResponse>(api, 'POST', '/api/auth/mfa', {
    body: { mfaToken: first.body.mfaToken, code },
  });
}

for (const { label, open } of TEST_DATABASES) {
  const skip =
    label === 'pg' && !process.env['TEST_DATABASE_URL'] ? 'set TEST_DATABASE_URL (scripts/test.mjs does)' : false;

  describe(`admin roles and TOTP MFA [${label}]`, { skip }, () => {
    const adminEmail = `admin-${label}-${process.pid}@example.com`;
    const key1 = dataKey('k1');
    const key2 = dataKey('k2');
    /** The key ring after the rotation test: k2 current, k1 still opening. */
    let ring = key1;
    let testDb: TestDatabase;
    let api: TestApi;
    let adminId: string;
    let secret: string;
    let recoveryCodes: string[];
    let preEnrolment: { token: string; cookie: string };
    let mfaSession: { token: string; cookie: string };

    const adminEnv = (overrides: Record<string, string> = {}) => ({
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD,
      DATA_ENCRYPTION_KEY: key1,
      ...overrides,
    });
    /** As if the last code was used long ago, so a test may use any step near now. */
    const forgetUsedSteps = async () => {
      await testDb.handle.db.update(userMfa).set({ lastUsedStep: null }).where(eq(userMfa.userId, adminId));
    };

    before(async () => {
      const opened = await open();
      assert.ok(opened, 'database available');
      testDb = opened;
      api = await startTestApi({ database: testDb.handle, env: adminEnv() });
    });
    after(async () => {
      await api?.close();
      await testDb?.dispose();
    });

    it('a user gets 403 FORBIDDEN_ROLE on admin routes, the enrolment routes included; no token gets 401', async () => {
      const { accessToken } = await registerUser(api);
      for (const [method, path] of [
        ['GET', '/api/admin/me'],
        ['POST', '/api/admin/mfa/enrol'],
      ] as const) {
        const response = await request<ErrorResponse>(api, method, path, { token: accessToken });
        assert.equal(response.status, 403, path);
        assert.equal(response.body.error.code, 'FORBIDDEN_ROLE');
        assert.match(response.body.error.message, /"admin" role/);
      }
      assert.equal((await request(api, 'GET', '/api/admin/me')).status, 401);
    });

    it('the bootstrap admin signs in with a password-only session before enrolling', async () => {
      const response = await login(api, adminEmail);
      assert.equal(response.status, 200);
      assert.ok('accessToken' in response.body);
      assert.equal(response.body.user.role, 'admin');
      assert.deepEqual(claimsOf(response.body.accessToken)['amr'], ['pwd']);
      adminId = response.body.user.id;
      preEnrolment = { token: response.body.accessToken, cookie: refreshCookieOf(response) };
    });

    it('before enrolling, an admin reaches no admin route but enrolment (403 MFA_ENROLMENT_REQUIRED), user routes still', async () => {
      const me = await request<ErrorResponse>(api, 'GET', '/api/admin/me', { token: preEnrolment.token });
      assert.equal(me.status, 403);
      assert.equal(me.body.error.code, 'MFA_ENROLMENT_REQUIRED');
      assert.equal((await request(api, 'GET', '/api/user/me', { token: preEnrolment.token })).status, 200);
    });

    it('enrol answers an otpauth URI with issuer, secret, SHA1, 6 digits and period 30, and an SVG QR code', async () => {
      const first = await request<EnrolmentBody>(api, 'POST', '/api/admin/mfa/enrol', { token: preEnrolment.token });
      assert.equal(first.status, 200);
      // Enrolling again before confirming replaces the secret; the last one is the one to confirm.
      const response = await request<EnrolmentBody>(api, 'POST', '/api/admin/mfa/enrol', { token: preEnrolment.token });
      assert.equal(response.status, 200);
      assert.notEqual(response.body.secret, first.body.secret);

      const uri = new URL(response.body.otpauthUri);
      assert.equal(uri.protocol, 'otpauth:');
      assert.equal(uri.host, 'totp');
      assert.equal(decodeURIComponent(uri.pathname), `/Voice Platform:${adminEmail}`);
      assert.equal(uri.searchParams.get('issuer'), 'Voice Platform');
      assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
      assert.equal(uri.searchParams.get('digits'), '6');
      assert.equal(uri.searchParams.get('period'), '30');
      const uriSecret = uri.searchParams.get('secret') ?? '';
      assert.match(uriSecret, /^[A-Z2-7]{32}$/, '160-bit base32 secret');
      assert.equal(uriSecret, response.body.secret);
      const parsed = URI.parse(response.body.otpauthUri);
      assert.ok(parsed instanceof TOTP && parsed.period === 30 && parsed.digits === 6);

      assert.match(response.body.qrCodeSvg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(response.body.qrCodeSvg, /<path /);
      assert.match(response.body.qrCodeSvg, /<\/svg>\s*$/);
      secret = response.body.secret;
    });

    it('confirm refuses a wrong code (400 INVALID_MFA_CODE) or a malformed one, and the admin stays unenrolled', async () => {
      await inFreshStep();
      const wrong = await request<ErrorResponse>(api, 'POST', '/api/admin/mfa/confirm', {
        token: preEnrolment.token,
        body: { code: codeAt(secret, -3) },
      });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error.code, 'INVALID_MFA_CODE');
      const malformed = await request<ErrorResponse>(api, 'POST', '/api/admin/mfa/confirm', {
        token: preEnrolment.token,
        body: { code: '12ab56' },
      });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error.code, 'VALIDATION_FAILED');
      const me = await request<ErrorResponse>(api, 'GET', '/api/admin/me', { token: preEnrolment.token });
      assert.equal(me.body.error.code, 'MFA_ENROLMENT_REQUIRED');
    });

    it('confirm with the current code enrols and answers ten distinct recovery codes with a session that passed MFA', async () => {
      await inFreshStep();
      const response = await request<ConfirmationBody>(api, 'POST', '/api/admin/mfa/confirm', {
        token: preEnrolment.token,
        body: { code: codeAt(secret, 0) },
      });
      assert.equal(response.status, 200);
      recoveryCodes = response.body.recoveryCodes;
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);
      for (const code of recoveryCodes) assert.match(code, /^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
      assert.deepEqual(claimsOf(response.body.accessToken)['amr'], ['pwd', 'otp']);
      mfaSession = { token: response.body.accessToken, cookie: refreshCookieOf(response) };

      const me = await request<AdminProfileBody>(api, 'GET', '/api/admin/me', { token: mfaSession.token });
      assert.equal(me.status, 200);
      assert.equal(me.body.id, adminId);
      assert.equal(me.body.mfa.enrolled, true);
      assert.equal(me.body.mfa.recoveryCodesRemaining, 10);
    });

    it('tokens from before enrolment cannot reach admin routes (403 MFA_REQUIRED), and their refresh cookie was revoked', async () => {
      const me = await request<ErrorResponse>(api, 'GET', '/api/admin/me', { token: preEnrolment.token });
      assert.equal(me.status, 403);
      assert.equal(me.body.error.code, 'MFA_REQUIRED');
      const refreshed = await request(api, 'POST', '/api/auth/refresh', { cookie: preEnrolment.cookie });
      assert.equal(refreshed.status, 401);
    });

    it('an enrolled admin cannot enrol or confirm again (409 MFA_ALREADY_ENROLLED), not even with an MFA session', async () => {
      for (const token of [preEnrolment.token, mfaSession.token]) {
        const enrol = await request<ErrorResponse>(api, 'POST', '/api/admin/mfa/enrol', { token });
        assert.equal(enrol.status, 409);
        assert.equal(enrol.body.error.code, 'MFA_ALREADY_ENROLLED');
      }
      const confirm = await request<ErrorResponse>(api, 'POST', '/api/admin/mfa/confirm', {
        token: mfaSession.token,
        body: { code: codeAt(secret, 0) },
      });
      assert.equal(confirm.body.error.code, 'MFA_ALREADY_ENROLLED');
    });

    it('refreshing the MFA session keeps its second factor', async () => {
      const refreshed = await request<AuthBody>(api, 'POST', '/api/auth/refresh', { cookie: mfaSession.cookie });
      assert.equal(refreshed.status, 200);
      assert.deepEqual(claimsOf(refreshed.body.accessToken)['amr'], ['pwd', 'otp']);
      const me = await request(api, 'GET', '/api/admin/me', { token: refreshed.body.accessToken });
      assert.equal(me.status, 200);
    });

    it('login of an enrolled admin answers 200 {mfaRequired, mfaToken} without a refresh cookie; the mfaToken is no access token', async () => {
      const response = await login(api, adminEmail);
      assert.equal(response.status, 200);
      assert.ok('mfaToken' in response.body);
      assert.equal(response.body.mfaRequired, true);
      assert.equal(response.body.expiresIn, 300);
      assert.ok(!('accessToken' in response.body));
      assert.deepEqual(response.cookies, []);
      const asAccess = await request<ErrorResponse>(api, 'GET', '/api/user/me', { token: response.body.mfaToken });
      assert.equal(asAccess.status, 401);
      const bogus = await request<ErrorResponse>(api, 'POST', '/api/auth/mfa', {
        body: { mfaToken: preEnrolment.token, code: codeAt(secret, 0) },
      });
      assert.equal(bogus.status, 401, 'an access token is no mfaToken either');
      assert.equal(bogus.body.error.code, 'UNAUTHORIZED');
    });

    it('TOTP codes two steps before or after now are refused (401 INVALID_MFA_CODE)', async () => {
      await forgetUsedSteps();
      await inFreshStep();
      for (const offset of [-2, 2]) {
        const response = await signInWithCode(api, adminEmail, codeAt(secret, offset));
        assert.equal(response.status, 401, `step ${offset}`);
        assert.equal(response.body.error.code, 'INVALID_MFA_CODE');
        assert.deepEqual(response.cookies, []);
      }
    });

    it('a TOTP code from the previous step is accepted and opens an MFA session', async () => {
      await forgetUsedSteps();
      await inFreshStep();
      const response = await signInWithCode(api, adminEmail, codeAt(secret, -1));
      assert.equal(response.status, 200);
      assert.ok(refreshCookieOf(response));
      assert.equal((await request(api, 'GET', '/api/admin/me', { token: response.body.accessToken })).status, 200);
    });

    it('a TOTP code from the next step is accepted', async () => {
      await forgetUsedSteps();
      await inFreshStep();
      const response = await signInWithCode(api, adminEmail, codeAt(secret, 1));
      assert.equal(response.status, 200);
      assert.deepEqual(claimsOf(response.body.accessToken)['amr'], ['pwd', 'otp']);
    });

    it('a code already used is refused, and so is a code of an earlier step', async () => {
      await forgetUsedSteps();
      await inFreshStep();
      const code = codeAt(secret, 0);
      assert.equal((await signInWithCode(api, adminEmail, code)).status, 200);
      const reused = await signInWithCode(api, adminEmail, code);
      assert.equal(reused.status, 401);
      assert.equal(reused.body.error.code, 'INVALID_MFA_CODE');
      assert.match(reused.body.error.message, /already used/);
      const older = await signInWithCode(api, adminEmail, codeAt(secret, -1));
      assert.equal(older.status, 401);
    });

    it('a recovery code signs in once, however it is typed; the second time it is refused', async () => {
      const [code = ''] = recoveryCodes;
      const typed = code.toUpperCase().replace(/-/g, ' ');
      const first = await signInWithCode(api, adminEmail, typed);
      assert.equal(first.status, 200);
      const me = await request<AdminProfileBody>(api, 'GET', '/api/admin/me', { token: first.body.accessToken });
      assert.equal(me.body.mfa.recoveryCodesRemaining, 9);
      const second = await signInWithCode(api, adminEmail, code);
      assert.equal(second.status, 401);
      assert.equal(second.body.error.code, 'INVALID_MFA_CODE');
      const other = await signInWithCode(api, adminEmail, recoveryCodes[1] ?? '');
      assert.equal(other.status, 200, 'the other codes still work');
    });

    it('raw rows hold no plaintext secret or recovery code: a key id and a ciphertext that opens with the key', async () => {
      const { db } = testDb.handle;
      const rows = await db.select().from(userMfa);
      const row = rows.find((candidate) => candidate.userId === adminId);
      assert.ok(row);
      const secretBytes = Buffer.from(Secret.fromBase32(secret).buffer);
      // Read as the database returns it (every column as text), not through the schema's mapping.
      const raw = await db.execute(sql`select row_to_json(m)::text as json from ${userMfa} m`);
      const everyColumn = JSON.stringify(rowsOf(raw)).toLowerCase();
      for (const form of [secret, secretBytes.toString('hex'), secretBytes.toString('base64')]) {
        assert.ok(!everyColumn.includes(form.toLowerCase()), `user_mfa contains the secret as ${form.slice(0, 4)}…`);
      }
      assert.ok(everyColumn.includes(row.secretCiphertext.toLowerCase()), 'sanity: the raw read saw the row');
      assert.equal(row.secretKeyId, 'k1');
      const box = SecretBox.fromKeyRing(key1);
      const sealed = { keyId: row.secretKeyId, ciphertext: row.secretCiphertext };
      assert.equal(box.open(sealed, totpSecretContext(adminId)), secret);

      const codes = await db.select().from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, adminId));
      assert.equal(codes.length, 10);
      const codeColumns = JSON.stringify(codes);
      for (const code of recoveryCodes) {
        assert.ok(!codeColumns.includes(code) && !codeColumns.includes(code.replace(/-/g, '')));
      }
      assert.ok(codes.every((entry) => /^[0-9a-f]{64}$/.test(entry.codeHash)));
    });

    it('rotation: with a new current key prepended the admin still signs in, and the secret is resealed under it', async () => {
      ring = `${key2},${key1}`;
      const rotated = await startTestApi({ database: testDb.handle, env: adminEnv({ DATA_ENCRYPTION_KEY: ring }) });
      try {
        await forgetUsedSteps();
        await inFreshStep();
        const response = await signInWithCode(rotated, adminEmail, codeAt(secret, 0));
        assert.equal(response.status, 200);
      } finally {
        await rotated.close();
      }
      const [row] = await testDb.handle.db.select().from(userMfa).where(eq(userMfa.userId, adminId));
      assert.equal(row?.secretKeyId, 'k2');
      const sealed = { keyId: row?.secretKeyId ?? '', ciphertext: row?.secretCiphertext ?? '' };
      assert.equal(SecretBox.fromKeyRing(key2).open(sealed, totpSecretContext(adminId)), secret);
    });

    it('MFA attempts are limited per account: past AUTH_MFA_RATE_LIMIT even a right code answers 429 with Retry-After', async () => {
      const limited = await startTestApi({
        database: testDb.handle,
        env: adminEnv({ DATA_ENCRYPTION_KEY: ring, AUTH_MFA_RATE_LIMIT: '3', AUTH_RATE_WINDOW_SECONDS: '600' }),
      });
      try {
        for (let attempt = 1; attempt <= 3; attempt += 1) {
          const response = await signInWithCode(limited, adminEmail, 'zzzz-zzzz-zzzz-zzzz');
          assert.equal(response.status, 401, `attempt ${attempt}`);
        }
        const blocked = await signInWithCode(limited, adminEmail, recoveryCodes[2] ?? '');
        assert.equal(blocked.status, 429);
        assert.equal(blocked.body.error.code, 'RATE_LIMITED');
        const retryAfter = Number(blocked.headers.get('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 600, `Retry-After ${retryAfter}`);
        // A fresh login does not reset it: the quota is the account's, not the mfaToken's.
        await forgetUsedSteps();
        await inFreshStep();
        assert.equal((await signInWithCode(limited, adminEmail, codeAt(secret, 0))).status, 429);
      } finally {
        await limited.close();
      }
      // The refused attempts consumed nothing: the code still works where the quota is fresh (on the first
      // instance, whose ring lacks the newer k2: a recovery code needs no key, and nothing is resealed backwards).
      assert.equal((await signInWithCode(api, adminEmail, recoveryCodes[2] ?? '')).status, 200);
      const [row] = await testDb.handle.db.select().from(userMfa).where(eq(userMfa.userId, adminId));
      assert.equal(row?.secretKeyId, 'k2');
    });
  });
}

describe('OpenAPI document: roles of admin routes', () => {
  let api: TestApi;
  let document: OpenAPIObject;
  before(async () => {
    api = await startTestApi();
    document = (await request<OpenAPIObject>(api, 'GET', '/api/docs-json')).body;
  });
  after(async () => {
    await api.close();
  });

  it('every /api/admin operation shows x-roles [admin]; enrolment routes say x-mfa enrolment, the rest required', () => {
    const adminPaths = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/admin'));
    assert.ok(adminPaths.length >= 3);
    for (const [path, item] of adminPaths) {
      for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
        if (!operation) continue;
        const extensions = operation as unknown as Record<string, unknown>;
        assert.deepEqual(extensions['x-roles'], ['admin'], path);
        const expected = path.startsWith('/api/admin/mfa/') ? 'enrolment' : 'required';
        assert.equal(extensions['x-mfa'], expected, path);
        assert.match(operation.description ?? '', /\*\*Roles:\*\* `admin`/, path);
        assert.ok(operation.responses['403'], `${path} documents its 403`);
      }
    }
    const me = document.paths['/api/admin/me']?.get as unknown as Record<string, unknown> | undefined;
    assert.equal(me?.['x-mfa'], 'required');
    const userMe = document.paths['/api/user/me']?.get as unknown as Record<string, unknown> | undefined;
    assert.ok(userMe && !('x-roles' in userMe), 'user routes carry no roles');
  });

  it('documents the login answer as a session or an MFA challenge, and POST /api/auth/mfa as public', () => {
    const ok = document.paths['/api/auth/login']?.post?.responses['200'];
    assert.ok(ok && 'content' in ok);
    const schema = ok.content?.['application/json']?.schema;
    assert.deepEqual(schema, {
      oneOf: [{ $ref: '#/components/schemas/AuthResponseDto' }, { $ref: '#/components/schemas/MfaChallengeDto' }],
    });
    assert.deepEqual(document.paths['/api/auth/mfa']?.post?.security, []);
    assert.ok(document.components?.schemas?.['MfaChallengeDto']);
  });
});

describe('bootstrap admin row', () => {
  it('is not created without ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
    const api = await startTestApi();
    try {
      const admins = await api.database.db.select().from(users).where(eq(users.role, 'admin'));
      assert.equal(admins.length, 0);
    } finally {
      await api.close();
    }
  });
});
