import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  type AuthBody,
  createAccount,
  type ErrorResponse,
  newAccount,
  parseSetCookie,
  refreshCookieOf,
  registerUser,
  request,
  requestFrom,
  startTestApi,
  TEST_JWT_SECRET,
  type TestApi,
} from './helpers/test-api';

describe('auth: register, login, refresh, logout', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ env: { FREE_CREDIT_SECONDS: '1800' } });
  });
  after(async () => {
    await api.close();
  });

  it('register answers 202 with a message and no session; login then gives the access token, the unverified user and the free grant, and sets a strict httpOnly refresh cookie', async () => {
    const account = newAccount({ email: 'Ada.Lovelace@Example.com' });
    const registered = await request<{ message: string }>(api, 'POST', '/api/auth/register', { body: account });
    assert.equal(registered.status, 202);
    assert.deepEqual(Object.keys(registered.body), ['message']);
    assert.deepEqual(registered.cookies, [], 'no session from register: it answers the same for a taken email');

    const response = await request<AuthBody>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: account.password },
    });
    assert.equal(response.status, 200);
    assert.match(response.body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(response.body.expiresIn, 900);
    assert.deepEqual(
      { ...response.body.user, id: typeof response.body.user.id },
      {
        id: 'string',
        email: 'ada.lovelace@example.com',
        name: account.name,
        role: 'user',
        creditsRemaining: 1800,
        emailVerified: false,
      },
    );
    assert.equal(response.cookies.length, 1);
    const cookie = parseSetCookie(response.cookies[0] ?? '');
    assert.equal(cookie.name, 'refresh_token');
    assert.match(cookie.value, /^[\w-]{43}$/, '32 random bytes, base64url');
    assert.ok(cookie.attributes.has('httponly'));
    assert.equal(cookie.attributes.get('samesite'), 'Strict');
    assert.equal(cookie.attributes.get('path'), '/api/auth');
    assert.ok(!cookie.attributes.has('secure'), 'COOKIE_SECURE defaults to false');
    assert.ok(cookie.attributes.has('expires'));
  });

  it('the access token from signing in after sign-up authorizes protected routes', async () => {
    const { accessToken, account } = await registerUser(api);
    const me = await request<{ email: string }>(api, 'GET', '/api/user/me', { token: accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, account.email);
  });

  it('register with an email that exists (any case) answers exactly like a new one and changes nothing', async () => {
    const { account } = await registerUser(api);
    const fresh = await request(api, 'POST', '/api/auth/register', { body: newAccount() });
    const again = await request(api, 'POST', '/api/auth/register', {
      body: { ...account, email: account.email.toUpperCase(), password: 'another long password', name: 'Mallory' },
    });
    assert.equal(again.status, fresh.status);
    assert.deepEqual(again.body, fresh.body);
    assert.deepEqual(again.cookies, fresh.cookies);
    const original = await request<AuthBody>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: account.password },
    });
    assert.equal(original.status, 200, 'the owner still signs in with their own password');
    assert.equal(original.body.user.name, account.name);
    const intruder = await request(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: 'another long password' },
    });
    assert.equal(intruder.status, 401);
  });

  it('register with a short password answers 400 naming the field', async () => {
    const response = await request<ErrorResponse>(api, 'POST', '/api/auth/register', {
      body: newAccount({ password: 'short' }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    assert.equal(response.body.error.message, 'Invalid request body: password: must be at least 8 characters');
    assert.deepEqual(response.body.error.details, [{ field: 'password', message: 'must be at least 8 characters' }]);
  });

  it('register with a password of only whitespace answers 400, however long it is', async () => {
    for (const password of [' '.repeat(8), '\t \n '.repeat(10)]) {
      const response = await request<ErrorResponse>(api, 'POST', '/api/auth/register', {
        body: newAccount({ password }),
      });
      assert.equal(response.status, 400, JSON.stringify(password));
      assert.deepEqual(response.body.error.details, [{ field: 'password', message: 'must not be only whitespace' }]);
    }
  });

  it('register with a common password answers 400, compared case-insensitively', async () => {
    for (const password of ['password123', 'PassWord123', 'QWERTYUIOP', 'iloveyou1 ']) {
      const response = await request<ErrorResponse>(api, 'POST', '/api/auth/register', {
        body: newAccount({ password }),
      });
      assert.equal(response.status, 400, password);
      assert.equal(
        response.body.error.message,
        'Invalid request body: password: is one of the most commonly used passwords; choose another ' +
          '(a few unrelated words make a strong one)',
      );
    }
    // A long passphrase of common words is fine: NIST asks for a blocklist, not composition rules.
    const passphrase = await request(api, 'POST', '/api/auth/register', {
      body: newAccount({ password: 'password password password' }),
    });
    assert.equal(passphrase.status, 202);
  });

  it('register with a bad email and no name answers 400 listing both fields', async () => {
    const response = await request<ErrorResponse>(api, 'POST', '/api/auth/register', {
      body: { email: 'not-an-email', password: 'long enough password' },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.error.details, [
      { field: 'email', message: 'must be a valid email address' },
      { field: 'name', message: 'is required' },
    ]);
  });

  it('login answers 200 with a new session for the right password, whatever the email case', async () => {
    const { account } = await registerUser(api);
    const response = await request<AuthBody>(api, 'POST', '/api/auth/login', {
      body: { email: ` ${account.email.toUpperCase()} `, password: account.password },
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.user.email, account.email);
    assert.equal(response.body.user.creditsRemaining, 1800);
    const cookie = parseSetCookie(response.cookies[0] ?? '');
    assert.equal(cookie.attributes.get('samesite'), 'Strict');
    assert.ok(cookie.attributes.has('httponly'));
  });

  it('login with a wrong password or an unknown email answers the same generic 401', async () => {
    const { account } = await registerUser(api);
    const wrongPassword = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: 'not the password' },
    });
    const unknownEmail = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: 'nobody@example.com', password: 'not the password' },
    });
    assert.equal(wrongPassword.status, 401);
    assert.deepEqual(wrongPassword.body, unknownEmail.body);
    assert.deepEqual(wrongPassword.body.error, { code: 'UNAUTHORIZED', message: 'Invalid email or password' });
    assert.deepEqual(wrongPassword.cookies, []);
  });

  it('refresh rotates: a new refresh token in the cookie and a working access token', async () => {
    const { cookie, response: registered } = await registerUser(api);
    const refreshed = await request<AuthBody>(api, 'POST', '/api/auth/refresh', { cookie });
    assert.equal(refreshed.status, 200);
    const rotated = refreshCookieOf(refreshed);
    assert.notEqual(rotated, cookie);
    assert.equal(refreshed.body.user.id, registered.body.user.id);
    const me = await request(api, 'GET', '/api/user/me', { token: refreshed.body.accessToken });
    assert.equal(me.status, 200);
    // The rotated token works in turn.
    const again = await request(api, 'POST', '/api/auth/refresh', { cookie: rotated });
    assert.equal(again.status, 200);
  });

  it('reusing a rotated refresh token answers 401 and revokes the newest token of that family too', async () => {
    const { cookie: first } = await registerUser(api);
    const second = refreshCookieOf(await request(api, 'POST', '/api/auth/refresh', { cookie: first }));

    const replay = await request<ErrorResponse>(api, 'POST', '/api/auth/refresh', { cookie: first });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'UNAUTHORIZED');
    assert.match(replay.body.error.message, /already used/);

    const legit = await request<ErrorResponse>(api, 'POST', '/api/auth/refresh', { cookie: second });
    assert.equal(legit.status, 401, 'the whole family is revoked after reuse');
  });

  it('reuse revokes only that sign-in: another session of the same user keeps working', async () => {
    const { account, cookie: first } = await registerUser(api);
    const otherLogin = await request(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: account.password },
    });
    await request(api, 'POST', '/api/auth/refresh', { cookie: first });
    await request(api, 'POST', '/api/auth/refresh', { cookie: first });

    const other = await request(api, 'POST', '/api/auth/refresh', { cookie: refreshCookieOf(otherLogin) });
    assert.equal(other.status, 200);
  });

  it('refresh without a cookie or with an unknown token answers 401 and clears the cookie', async () => {
    const missing = await request<ErrorResponse>(api, 'POST', '/api/auth/refresh');
    assert.equal(missing.status, 401);
    const unknown = await request<ErrorResponse>(api, 'POST', '/api/auth/refresh', {
      cookie: 'refresh_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error.message, 'Invalid or expired refresh token');
    const cleared = parseSetCookie(unknown.cookies[0] ?? '');
    assert.equal(cleared.value, '');
    assert.equal(cleared.attributes.get('path'), '/api/auth');
  });

  it('logout answers 204, clears the cookie and revokes the refresh token', async () => {
    const { cookie } = await registerUser(api);
    const logout = await request(api, 'POST', '/api/auth/logout', { cookie });
    assert.equal(logout.status, 204);
    const cleared = parseSetCookie(logout.cookies[0] ?? '');
    assert.equal(cleared.name, 'refresh_token');
    assert.equal(cleared.value, '');
    assert.equal(cleared.attributes.get('path'), '/api/auth');
    assert.match(cleared.attributes.get('expires') ?? '', /1970/);

    const refresh = await request(api, 'POST', '/api/auth/refresh', { cookie });
    assert.equal(refresh.status, 401);
  });

  it('a validly signed token whose user was deleted answers 401 USER_NOT_FOUND, not 500 or 404', async () => {
    const { accessToken, response } = await registerUser(api);
    await api.database.db.execute(`delete from users where id = '${response.body.user.id}'`);
    for (const route of ['/api/user/credits', '/api/user/me']) {
      const gone = await request<ErrorResponse>(api, 'GET', route, { token: accessToken });
      assert.equal(gone.status, 401, route);
      assert.deepEqual(gone.body, {
        statusCode: 401,
        error: { code: 'USER_NOT_FOUND', message: 'The account of this access token no longer exists' },
      });
    }
  });

  it('logout without a session still answers 204', async () => {
    const logout = await request(api, 'POST', '/api/auth/logout');
    assert.equal(logout.status, 204);
  });
});

describe('auth: cookie flags follow the environment', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ env: { COOKIE_SECURE: 'true' } });
  });
  after(async () => {
    await api.close();
  });

  it('COOKIE_SECURE=true marks the refresh cookie Secure', async () => {
    const { response } = await registerUser(api);
    assert.ok(parseSetCookie(response.cookies[0] ?? '').attributes.has('secure'));
  });
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Builds an HS256 JWT by hand so tests control every header and claim. */
function signHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret = TEST_JWT_SECRET,
): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function decodePayload(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('access tokens: only valid, unexpired HS256 tokens from this server are accepted', () => {
  let api: TestApi;
  let validToken: string;
  let claims: Record<string, unknown>;

  before(async () => {
    api = await startTestApi();
    validToken = (await registerUser(api)).accessToken;
    claims = decodePayload(validToken);
  });
  after(async () => {
    await api.close();
  });

  async function expect401(token: string, message?: string): Promise<void> {
    const response = await request<ErrorResponse>(api, 'GET', '/api/user/credits', { token });
    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'UNAUTHORIZED');
    if (message) assert.equal(response.body.error.message, message);
  }

  it('a valid token carries sub, role, iat, exp and iss and is accepted', async () => {
    assert.equal(typeof claims['sub'], 'string');
    assert.equal(claims['role'], 'user');
    assert.equal(claims['iss'], 'voice-platform');
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 900);
    const response = await request(api, 'GET', '/api/user/credits', { token: validToken });
    assert.equal(response.status, 200);
  });

  it('no Authorization header answers 401', async () => {
    const response = await request<ErrorResponse>(api, 'GET', '/api/user/credits');
    assert.equal(response.status, 401);
    assert.deepEqual(response.body, {
      statusCode: 401,
      error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
    });
  });

  it('an expired token signed with the right secret answers 401 "Access token expired"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signHs256({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 3600, exp: now - 60 });
    await expect401(expired, 'Access token expired');
  });

  it('a token with a flipped signature character answers 401', async () => {
    const last = validToken.at(-2) === 'A' ? 'B' : 'A';
    await expect401(`${validToken.slice(0, -2)}${last}${validToken.slice(-1)}`, 'Invalid access token');
  });

  it('a token whose payload was changed (role escalated) answers 401', async () => {
    const [header = '', , signature = ''] = validToken.split('.');
    await expect401(`${header}.${base64url({ ...claims, role: 'admin' })}.${signature}`, 'Invalid access token');
  });

  it('an unsigned alg=none token answers 401', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    await expect401(unsigned, 'Invalid access token');
  });

  it('a token signed with another secret answers 401', async () => {
    await expect401(signHs256({ alg: 'HS256' }, claims, 'another-secret-another-secret-another-secret'));
  });

  it('a correctly signed token from another issuer answers 401', async () => {
    await expect401(signHs256({ alg: 'HS256' }, { ...claims, iss: 'someone-else' }));
  });

  it('a malformed Authorization header answers 401', async () => {
    const response = await request<ErrorResponse>(api, 'GET', '/api/user/credits', {
      headers: { authorization: 'Bearer' },
    });
    assert.equal(response.status, 401);
  });
});

describe('auth rate limiting over HTTP (5 per pair, 8 per address, slowdown after 6 per email, per 900 s)', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({
      env: {
        AUTH_RATE_LIMIT: '5',
        AUTH_LOGIN_IP_RATE_LIMIT: '8',
        AUTH_EMAIL_SLOWDOWN_AFTER: '6',
        AUTH_RATE_WINDOW_SECONDS: '900',
      },
    });
  });
  after(async () => {
    await api.close();
  });

  /** One login from `address`, with its status and how long it took to answer. */
  async function timedLogin(address: string, email: string, password: string) {
    const started = performance.now();
    const response = await requestFrom<ErrorResponse>(api, address, 'POST', '/api/auth/login', { email, password });
    return { status: response.status, elapsedMs: performance.now() - started };
  }

  it('the 6th login attempt for one email from one address within the window answers 429 with Retry-After', async () => {
    const account = await createAccount(api);
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await request(api, 'POST', '/api/auth/login', {
        body: { email: account.email, password: 'wrong password' },
      });
      assert.equal(response.status, 401, `attempt ${attempt}`);
    }
    // Even the right password is refused now from this address: the limiter runs before credentials are checked.
    const sixth = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: account.email.toUpperCase(), password: account.password },
    });
    assert.equal(sixth.status, 429);
    assert.equal(sixth.body.error.code, 'RATE_LIMITED');
    assert.match(sixth.body.error.message, /^Too many login attempts; try again in \d+ seconds$/);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    assert.ok(retryAfter > 890 && retryAfter <= 900, `Retry-After ${retryAfter}`);
  });

  it('wrong passwords for an email from other addresses never lock its owner out', async () => {
    const account = await createAccount(api);
    // 127.0.1.1–.6 are distinct client addresses on the loopback network: more failures than AUTH_RATE_LIMIT.
    for (let i = 1; i <= 6; i++) {
      const response = await requestFrom(api, `127.0.1.${i}`, 'POST', '/api/auth/login', {
        email: account.email,
        password: 'guess',
      });
      assert.equal(response.status, 401, `guess from 127.0.1.${i}`);
    }
    const owner = await requestFrom<AuthBody>(api, '127.0.1.100', 'POST', '/api/auth/login', {
      email: account.email.toUpperCase(),
      password: account.password,
    });
    assert.equal(owner.status, 200);
    assert.equal(owner.body.user.email, account.email);
  });

  it('one address trying many emails is refused past AUTH_LOGIN_IP_RATE_LIMIT', async () => {
    for (let i = 1; i <= 8; i++) {
      const response = await requestFrom(api, '127.0.2.1', 'POST', '/api/auth/login', {
        email: `spray-${i}@example.com`,
        password: 'guess',
      });
      assert.equal(response.status, 401, `email ${i}`);
    }
    const ninth = await requestFrom<ErrorResponse>(api, '127.0.2.1', 'POST', '/api/auth/login', {
      email: 'spray-9@example.com',
      password: 'guess',
    });
    assert.equal(ninth.status, 429);
    const other = await requestFrom(api, '127.0.2.2', 'POST', '/api/auth/login', {
      email: 'spray-9@example.com',
      password: 'guess',
    });
    assert.equal(other.status, 401, 'another address keeps its own quota');
  });

  it('past AUTH_EMAIL_SLOWDOWN_AFTER attempts on one email, further ones are delayed (longer each time), never refused', async () => {
    const account = await createAccount(api);
    const unknown = 'nobody-slowed@example.com';
    for (const email of [account.email, unknown]) {
      for (let i = 1; i <= 6; i++) assert.equal((await timedLogin(`127.0.3.${i}`, email, 'guess')).status, 401);
    }
    // Lower bounds only: a loaded machine makes requests slower, never faster than the server's timer.
    const seventh = await timedLogin('127.0.3.7', account.email, 'guess');
    assert.equal(seventh.status, 401);
    assert.ok(seventh.elapsedMs >= 240, `7th attempt answered after ${seventh.elapsedMs.toFixed(0)} ms`);
    const eighth = await timedLogin('127.0.3.8', account.email, account.password);
    assert.equal(eighth.status, 200, 'the owner still gets in, only later');
    assert.ok(eighth.elapsedMs >= 490, `8th attempt answered after ${eighth.elapsedMs.toFixed(0)} ms`);
    // An email without an account is slowed alike, so the delay does not tell which emails are registered.
    const unknownSeventh = await timedLogin('127.0.3.7', unknown, 'guess');
    assert.equal(unknownSeventh.status, 401);
    assert.ok(unknownSeventh.elapsedMs >= 240, `unknown email: ${unknownSeventh.elapsedMs.toFixed(0)} ms`);
  });

  it('register has its own per-IP quota', async () => {
    for (let i = 1; i <= 5; i++) {
      const response = await requestFrom(api, '127.0.0.20', 'POST', '/api/auth/register', newAccount());
      assert.equal(response.status, 202);
    }
    const sixth = await requestFrom<ErrorResponse>(api, '127.0.0.20', 'POST', '/api/auth/register', newAccount());
    assert.equal(sixth.status, 429);
    assert.match(sixth.body.error.message, /^Too many register attempts/);
  });
});
