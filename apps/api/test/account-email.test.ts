import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { linkIn, waitForMail } from '@voice/testkit';

import {
  type AuthBody,
  createAccount,
  type ErrorResponse,
  newAccount,
  refreshCookieOf,
  registerUnverified,
  registerUser,
  request,
  requestFrom,
  startTestApi,
  testSmtp,
  type TestApi,
  verificationPathFromMail,
} from './helpers/test-api';

const BASE = 'https://voice.example.test';
const smtp = testSmtp();
const noSmtp = 'unavailable' in smtp ? `no test SMTP server: ${smtp.unavailable}` : false;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Rows of account_tokens for a user, newest last. */
async function tokenRows(api: TestApi, userId: string, purpose: 'verify_email' | 'reset_password') {
  const result = await api.database.db.execute(
    `select token_hash, expires_at, created_at, used_at from account_tokens
      where user_id = '${userId}' and purpose = '${purpose}' order by created_at`,
  );
  // Both drivers (pg, PGlite) answer raw SQL with { rows }; drizzle types it as unknown.
  return (result as { rows: Array<{ token_hash: string; expires_at: string; created_at: string; used_at: unknown }> })
    .rows;
}

async function expireTokens(api: TestApi, userId: string, purpose: 'verify_email' | 'reset_password') {
  await api.database.db.execute(
    `update account_tokens set expires_at = now() - interval '1 second'
      where user_id = '${userId}' and purpose = '${purpose}' and used_at is null`,
  );
}

const lifetimeMs = (row: { expires_at: string; created_at: string }) =>
  new Date(row.expires_at).getTime() - new Date(row.created_at).getTime();

/** GET a mailed link's path as a browser would (no redirect following): the status and Location. */
async function openInBrowser(api: TestApi, linkPath: string) {
  const response = await fetch(`${api.baseUrl}${linkPath}`, {
    redirect: 'manual',
    headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
  });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location') };
}

const openAsJson = (api: TestApi, linkPath: string) =>
  request<ErrorResponse & { emailVerified?: boolean }>(api, 'GET', linkPath, {
    headers: { accept: 'application/json' },
  });

/** The reset token from the newest reset mail to `email`. */
async function resetTokenFromMail(api: TestApi, email: string, count = 1): Promise<string> {
  const mails = await waitForMail(api.mailbox, email, { subject: /^Reset your/, count });
  const link = linkIn(mails[mails.length - 1] ?? assert.fail('no reset mail'), `${BASE}/reset-password#token=`);
  return new URL(link).hash.slice('#token='.length);
}

const login = (api: TestApi, email: string, password: string) =>
  request<AuthBody>(api, 'POST', '/api/auth/login', { body: { email, password } });

describe('account email over a real SMTP server (Mailpit)', { skip: noSmtp }, () => {
  let api: TestApi;
  before(async () => {
    assert.ok('smtpUrl' in smtp);
    api = await startTestApi({
      env: {
        SMTP_URL: smtp.smtpUrl,
        // A trailing slash, as operators write it: links must not get a double one.
        PUBLIC_BASE_URL: `${BASE}/`,
        MAIL_FROM: 'Voice Studio <mail@voice.example.test>',
      },
    });
  });
  after(async () => {
    await api?.close();
  });

  it('sign-up mails a single-use verification link under PUBLIC_BASE_URL, in a plain-text part, stored only hashed', async () => {
    const { account, response } = await registerUnverified(api);
    const [mail, ...more] = await waitForMail(api.mailbox, account.email);
    assert.ok(mail);
    assert.equal(more.length, 0);
    assert.equal(mail.from, 'mail@voice.example.test');
    assert.deepEqual(mail.to, [account.email]);
    assert.equal(mail.smtpUser, 'test', 'sent with the credentials of SMTP_URL');
    assert.match(mail.subject, /^Confirm your email address/);
    const link = linkIn(mail, `${BASE}/api/auth/verify-email/`);
    const token = link.slice(`${BASE}/api/auth/verify-email/`.length);
    assert.match(token, /^[\w-]{43}$/, '32 random bytes, base64url');
    assert.ok(mail.html.includes(link), 'the HTML alternative carries the same link');
    assert.ok(!mail.text.includes(account.name), 'nothing the registrant typed is quoted to the mailbox owner');

    const [row, ...others] = await tokenRows(api, response.body.user.id, 'verify_email');
    assert.ok(row);
    assert.equal(others.length, 0);
    assert.equal(row.token_hash, sha256(token), 'the sha256 of the token, never the token');
    assert.ok(Math.abs(lifetimeMs(row) - 48 * 3_600_000) < 60_000, 'EMAIL_VERIFICATION_TTL_HOURS defaults to 48');
  });

  it('the link verifies once: a browser lands on /?verified=1, then on /?verified=used; JSON is 200, then 400', async () => {
    const { account } = await registerUnverified(api);
    const linkPath = await verificationPathFromMail(api, account.email);

    assert.deepEqual(await openInBrowser(api, linkPath), { status: 303, location: '/?verified=1' });
    assert.equal((await login(api, account.email, account.password)).body.user.emailVerified, true);

    assert.deepEqual(await openInBrowser(api, linkPath), { status: 303, location: '/?verified=used' });
    const reused = await openAsJson(api, linkPath);
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error.code, 'TOKEN_USED');

    const forged = await openAsJson(api, '/api/auth/verify-email/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(forged.status, 400);
    assert.equal(forged.body.error.code, 'TOKEN_INVALID');
    const junk = await openInBrowser(api, `/api/auth/verify-email/${'x'.repeat(500)}`);
    assert.deepEqual(junk, { status: 303, location: '/?verified=invalid' });
  });

  it('an expired link verifies nothing; a resent one works, replaces older links, and a verified account gets 409', async () => {
    const { account, response, accessToken } = await registerUnverified(api);
    const userId = response.body.user.id;
    const expiredPath = await verificationPathFromMail(api, account.email);
    await expireTokens(api, userId, 'verify_email');

    const expired = await openAsJson(api, expiredPath);
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error.code, 'TOKEN_EXPIRED');
    assert.deepEqual(await openInBrowser(api, expiredPath), { status: 303, location: '/?verified=expired' });
    assert.equal((await login(api, account.email, account.password)).body.user.emailVerified, false);

    for (const count of [2, 3]) {
      const resent = await request(api, 'POST', '/api/auth/resend-verification', { token: accessToken });
      assert.equal(resent.status, 202);
      await waitForMail(api.mailbox, account.email, { subject: /^Confirm/, count });
    }
    const mails = await waitForMail(api.mailbox, account.email, { subject: /^Confirm/, count: 3 });
    const [, replacedPath, newestPath] = mails.map((mail) => new URL(linkIn(mail, `${BASE}/api/`)).pathname);
    assert.ok(replacedPath && newestPath);
    assert.equal((await openAsJson(api, replacedPath)).body.error.code, 'TOKEN_USED', 'a newer link replaced it');
    const verified = await openAsJson(api, newestPath);
    assert.equal(verified.status, 200);
    assert.deepEqual(verified.body, { emailVerified: true });

    const again = await request<ErrorResponse>(api, 'POST', '/api/auth/resend-verification', { token: accessToken });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'EMAIL_ALREADY_VERIFIED');
    const anonymous = await request(api, 'POST', '/api/auth/resend-verification');
    assert.equal(anonymous.status, 401);
  });

  it('registering an existing email answers exactly like a new sign-up and mails the owner "someone tried to sign up"', async () => {
    const owner = await createAccount(api);
    const fresh = await request(api, 'POST', '/api/auth/register', { body: newAccount() });
    const attempt = await request(api, 'POST', '/api/auth/register', {
      body: { email: owner.email.toUpperCase(), password: 'a different long password', name: 'Mallory Smith' },
    });
    assert.equal(attempt.status, fresh.status);
    assert.equal(attempt.status, 202);
    assert.deepEqual(attempt.body, fresh.body);
    assert.deepEqual(attempt.cookies, fresh.cookies);
    assert.equal(attempt.headers.get('content-type'), fresh.headers.get('content-type'));

    const [notice] = await waitForMail(api.mailbox, owner.email, { subject: /^Someone tried to sign up/ });
    assert.ok(notice);
    assert.ok(linkIn(notice, `${BASE}/sign-in`));
    assert.ok(!notice.text.includes('Mallory'), "the attempt's name is not quoted");
    await api.mailSettled();
    const confirmations = (await api.mailbox.list(owner.email)).filter((mail) => /^Confirm/.test(mail.subject));
    assert.equal(confirmations.length, 1, 'only the sign-up that created the account sent a verification link');
    assert.equal((await login(api, owner.email, owner.password)).status, 200, 'the password is unchanged');
    assert.equal((await login(api, owner.email, 'a different long password')).status, 401);
  });

  it('forgot-password answers 202 alike for unknown and known emails; only the known one gets a 30-minute reset link', async () => {
    const { account, response } = await registerUser(api);
    const unknownEmail = `nobody-${Date.now()}@example.com`;
    const unknown = await request(api, 'POST', '/api/auth/forgot-password', { body: { email: unknownEmail } });
    const known = await request(api, 'POST', '/api/auth/forgot-password', {
      body: { email: ` ${account.email.toUpperCase()} ` },
    });
    assert.equal(unknown.status, 202);
    assert.equal(known.status, 202);
    assert.deepEqual(known.body, unknown.body);

    const token = await resetTokenFromMail(api, account.email);
    assert.match(token, /^[\w-]{43}$/);
    await api.mailSettled();
    assert.deepEqual(await api.mailbox.list(unknownEmail), [], 'an unknown email is mailed nothing');
    const [row] = await tokenRows(api, response.body.user.id, 'reset_password');
    assert.ok(row);
    assert.equal(row.token_hash, sha256(token));
    assert.ok(Math.abs(lifetimeMs(row) - 30 * 60_000) < 5_000, 'reset links live 30 minutes');
  });

  it('reset-password sets the new password once, revokes every refresh token of the user, and mails a notice', async () => {
    const { account, cookie: firstDevice } = await registerUser(api);
    const secondDevice = refreshCookieOf(await login(api, account.email, account.password));
    const other = await registerUser(api);
    await request(api, 'POST', '/api/auth/forgot-password', { body: { email: account.email } });
    const token = await resetTokenFromMail(api, account.email);
    const newPassword = 'a brand new passphrase';

    const reset = await request(api, 'POST', '/api/auth/reset-password', { body: { token, password: newPassword } });
    assert.equal(reset.status, 204);
    for (const cookie of [firstDevice, secondDevice]) {
      const refresh = await request(api, 'POST', '/api/auth/refresh', { cookie });
      assert.equal(refresh.status, 401, 'every sign-in of the user is over');
    }
    assert.equal((await request(api, 'POST', '/api/auth/refresh', { cookie: other.cookie })).status, 200);
    assert.equal((await login(api, account.email, account.password)).status, 401, 'the old password fails');
    assert.equal((await login(api, account.email, newPassword)).status, 200, 'the new one works');

    const reused = await request<ErrorResponse>(api, 'POST', '/api/auth/reset-password', {
      body: { token, password: 'yet another passphrase' },
    });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error.code, 'TOKEN_USED');
    assert.equal((await login(api, account.email, newPassword)).status, 200, 'a reused token changed nothing');
    const [notice] = await waitForMail(api.mailbox, account.email, { subject: /password was changed/ });
    assert.ok(notice);
  });

  it('an expired reset link, a verification token, or a weak password change nothing', async () => {
    const { account, cookie, response } = await registerUser(api);
    await request(api, 'POST', '/api/auth/forgot-password', { body: { email: account.email } });
    const token = await resetTokenFromMail(api, account.email);

    const weak = await request<ErrorResponse>(api, 'POST', '/api/auth/reset-password', {
      body: { token, password: 'password123' },
    });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'VALIDATION_FAILED', 'the sign-up password rules apply');

    // A verification token is single-use proof of the mailbox too, but not for this purpose.
    const other = await registerUnverified(api);
    const verifyToken = (await verificationPathFromMail(api, other.account.email)).split('/').pop();
    const wrongPurpose = await request<ErrorResponse>(api, 'POST', '/api/auth/reset-password', {
      body: { token: verifyToken, password: 'a brand new passphrase' },
    });
    assert.equal(wrongPurpose.body.error.code, 'TOKEN_INVALID');

    await expireTokens(api, response.body.user.id, 'reset_password');
    const expired = await request<ErrorResponse>(api, 'POST', '/api/auth/reset-password', {
      body: { token, password: 'a brand new passphrase' },
    });
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error.code, 'TOKEN_EXPIRED');
    assert.equal((await login(api, account.email, account.password)).status, 200, 'the password is unchanged');
    assert.equal((await request(api, 'POST', '/api/auth/refresh', { cookie })).status, 200, 'sessions survive');
  });
});

/** A port nothing listens on (asked of the kernel, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Records what the process writes to stdout and stderr (its JSON log lines go to stdout) while `work` runs. */
async function captureLogs(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, index) => {
    const original = originals[index] as (...args: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return original(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    await work();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = originals[index] as typeof stream.write;
    });
  }
  return chunks.join('');
}

describe('mail trouble never fails or holds up a request', () => {
  it('with the SMTP server down, sign-up answers 202 and the failure is logged without any token', async () => {
    const api = await startTestApi({ env: { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`, LOG_LEVEL: 'warn' } });
    try {
      const account = newAccount();
      let status = 0;
      const log = await captureLogs(async () => {
        status = (await request(api, 'POST', '/api/auth/register', { body: account })).status;
        await api.mailSettled();
      });
      assert.equal(status, 202);
      assert.match(log, /Could not send the verification mail: .*ECONNREFUSED/);
      assert.doesNotMatch(log, /[\w-]{43}/, 'no token (43 base64url characters) in the log');
      const signedIn = await login(api, account.email, account.password);
      assert.equal(signedIn.status, 200, 'the account exists and can sign in');
      assert.equal(signedIn.body.user.emailVerified, false);
      assert.equal((await tokenRows(api, signedIn.body.user.id, 'verify_email')).length, 1, 'a resend can follow');
    } finally {
      await api.close();
    }
  });

  it('an SMTP server that accepts and never greets holds up neither register nor forgot-password', async () => {
    const sockets: Socket[] = [];
    const waiting: Array<{ count: number; resolve: () => void }> = [];
    const blackhole: Server = createServer((socket) => {
      sockets.push(socket);
      for (const waiter of waiting.filter((entry) => sockets.length >= entry.count)) waiter.resolve();
    });
    const connections = (count: number) =>
      sockets.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve }));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const address = blackhole.address();
    assert.ok(address !== null && typeof address === 'object');
    const api = await startTestApi({ env: { SMTP_URL: `smtp://127.0.0.1:${address.port}` } });
    try {
      const account = newAccount();
      const registered = await request(api, 'POST', '/api/auth/register', { body: account });
      assert.equal(registered.status, 202);
      const forgot = await request(api, 'POST', '/api/auth/forgot-password', { body: { email: account.email } });
      assert.equal(forgot.status, 202);
      // Both answers came first; each mail then reaches the server (a pooled connection of its own) and waits
      // there for a greeting that never comes.
      await connections(2);
      assert.ok(
        sockets.every((socket) => !socket.closed && socket.bytesRead === 0),
        'the mails are still unsent',
      );
    } finally {
      // Refusing new connections and hanging up fails the pending sends at once, so the API's shutdown does not
      // wait out the SMTP timeouts.
      const closed = new Promise((resolve) => blackhole.close(resolve));
      for (const socket of sockets) socket.destroy();
      await api.close();
      await closed;
    }
  });
});

describe('password reset rate limits (PASSWORD_RESET_RATE_LIMIT=2 per 900 s)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ env: { PASSWORD_RESET_RATE_LIMIT: '2', AUTH_RATE_WINDOW_SECONDS: '900' } });
  });
  after(async () => {
    await api.close();
  });

  it('forgot-password beyond the limit from one address answers 429 with Retry-After', async () => {
    for (let i = 0; i < 2; i++) {
      const email = `someone-${i}@example.com`;
      assert.equal((await requestFrom(api, '127.0.0.30', 'POST', '/api/auth/forgot-password', { email })).status, 202);
    }
    const third = await requestFrom<ErrorResponse>(api, '127.0.0.30', 'POST', '/api/auth/forgot-password', {
      email: 'someone-2@example.com',
    });
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(third.headers.get('retry-after')) > 0);
  });

  it('reset-password has its own per-address quota: the third try answers 429 with Retry-After', async () => {
    const attempt = (from: string) =>
      requestFrom<ErrorResponse>(api, from, 'POST', '/api/auth/reset-password', {
        token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        password: 'a brand new passphrase',
      });
    assert.equal((await attempt('127.0.0.31')).status, 400);
    assert.equal((await attempt('127.0.0.31')).status, 400);
    const third = await attempt('127.0.0.31');
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) > 0);
    assert.equal((await attempt('127.0.0.32')).status, 400, 'other addresses keep their own quota');
  });

  it('reset mails to one email stop at the limit, silently: further requests from anywhere still answer 202', async () => {
    const account = await createAccount(api);
    for (const from of ['127.0.0.33', '127.0.0.34', '127.0.0.35']) {
      const response = await requestFrom(api, from, 'POST', '/api/auth/forgot-password', { email: account.email });
      assert.equal(response.status, 202);
    }
    await api.mailSettled();
    const resets = (await api.mailbox.list(account.email)).filter((mail) => /^Reset/.test(mail.subject));
    assert.equal(resets.length, 2, 'no inbox can be flooded through many addresses');
  });
});
