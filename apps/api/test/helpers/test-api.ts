import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { after } from 'node:test';

import type { NestExpressApplication } from '@nestjs/platform-express';
import { type Env, parseEnv } from '@voice/config';
import { createDatabase, type DatabaseHandle, runMigrations } from '@voice/db';

import { linkIn, type Mailbox, MailpitMailbox, OutboxMailbox, waitForMail } from '@voice/testkit';

import { type ApiDependencies, createApiApp, DatabaseRateLimiter } from '../../src';
import { MailDispatcher } from '../../src/mail/mail-dispatcher';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface TestApi {
  app: NestExpressApplication;
  baseUrl: string;
  env: Env;
  database: DatabaseHandle;
  /** Where this API's mails land: Mailpit when SMTP_URL is the test SMTP server, else DATA_DIR/outbox. */
  mailbox: Mailbox;
  /** Resolves once every mail (and the work deciding it) started so far has been sent or has failed. */
  mailSettled(): Promise<void>;
  close(): Promise<void>;
}

function unreadableMailbox(reason: string): Mailbox {
  return { description: reason, list: () => Promise.reject(new Error(reason)) };
}

/** The test Mailpit (started by scripts/test.mjs), or undefined with the reason it is not there. */
export function testSmtp(): { smtpUrl: string; apiUrl: string } | { unavailable: string } {
  const smtpUrl = process.env['TEST_SMTP_URL'];
  const apiUrl = process.env['TEST_MAILPIT_API'];
  if (smtpUrl && apiUrl) return { smtpUrl, apiUrl };
  return {
    unavailable: process.env['TEST_SMTP_UNAVAILABLE'] ?? 'TEST_SMTP_URL is not set (run through scripts/test.mjs)',
  };
}

export interface StartOptions {
  /** Raw env overrides (strings, as in process.env). */
  env?: Record<string, string>;
  deps?: Partial<Omit<ApiDependencies, 'env' | 'database'>>;
  /** Another database than this file's shared in-memory PGlite (e.g. a fresh PostgreSQL one); the caller closes it. */
  database?: DatabaseHandle;
}

let shared: Promise<DatabaseHandle> | undefined;
// Registered when this module is first imported (top level of a test file), so it runs after all suites.
after(async () => {
  if (shared) await (await shared).close();
});

/**
 * One migrated in-memory PGlite per test file (process). Booting PGlite costs seconds, so suites share it
 * and stay independent through unique emails; each suite still gets a fresh app (and its own rate-limit keys).
 */
function sharedDatabase(): Promise<DatabaseHandle> {
  if (!shared) {
    shared = (async () => {
      const database = await createDatabase({});
      await runMigrations(database);
      return database;
    })();
  }
  return shared;
}

/** A fresh API on an ephemeral port over this file's migrated in-memory PGlite. */
export async function startTestApi(options: StartOptions = {}): Promise<TestApi> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-api-test-'));
  const env = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    // Most suites sign in and submit many times from 127.0.0.1; the rate-limit suites set their own limits.
    AUTH_RATE_LIMIT: '1000',
    AUTH_REFRESH_RATE_LIMIT: '1000',
    AUTH_LOGIN_IP_RATE_LIMIT: '1000',
    AUTH_EMAIL_SLOWDOWN_AFTER: '1000',
    AUTH_MFA_RATE_LIMIT: '1000',
    PASSWORD_RESET_RATE_LIMIT: '1000',
    JOB_SUBMIT_RATE_LIMIT: '1000',
    API_KEY_RATE_LIMIT: '1000',
    ...options.env,
  });
  const smtp = testSmtp();
  let mailbox: Mailbox = new OutboxMailbox(path.join(env.DATA_DIR, 'outbox'));
  if (env.SMTP_URL !== undefined) {
    mailbox =
      'smtpUrl' in smtp && env.SMTP_URL === smtp.smtpUrl
        ? new MailpitMailbox(smtp.apiUrl)
        : unreadableMailbox(`SMTP_URL=${env.SMTP_URL} is not the test Mailpit, so its mail cannot be read`);
  }
  const database = options.database ?? (await sharedDatabase());
  // The production limiter (counters in the database), with keys of this app's own: suites share one database,
  // and each starts with fresh quotas, as with a new process.
  const rateLimiter = new DatabaseRateLimiter(database.db, { namespace: `${randomUUID()}:` });
  const app = await createApiApp({ env, database, rateLimiter, ...options.deps });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    env,
    database,
    mailbox,
    mailSettled: () => app.get(MailDispatcher).drain(),
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  /** Set-Cookie headers, one per cookie. */
  cookies: string[];
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

export async function request<T = unknown>(
  api: TestApi,
  method: string,
  urlPath: string,
  options: RequestOptions = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers['cookie'] = options.cookie;
  const response = await fetch(`${api.baseUrl}${urlPath}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = (text === '' ? undefined : JSON.parse(text)) as T;
  return { status: response.status, headers: response.headers, body, cookies: response.headers.getSetCookie() };
}

/** The same request over node:http, bound to a chosen loopback source address (to act as another client IP). */
export function requestFrom<T = unknown>(
  api: TestApi,
  localAddress: string,
  method: string,
  urlPath: string,
  body: unknown,
  cookie?: string,
  extraHeaders: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extraHeaders };
    if (cookie !== undefined) headers['cookie'] = cookie;
    const req = http.request(`${api.baseUrl}${urlPath}`, { method, localAddress, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') headers.set(name, value);
        }
        resolve({
          status: res.statusCode ?? 0,
          headers,
          body: (text === '' ? undefined : JSON.parse(text)) as T,
          cookies: res.headers['set-cookie'] ?? [],
        });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export interface AuthBody {
  accessToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string; role: string; creditsRemaining: number; emailVerified: boolean };
}

export interface ErrorResponse {
  statusCode: number;
  error: { code: string; message: string; details?: unknown };
}

/** Parses one Set-Cookie header into its value and attributes (attribute names lowercased). */
export function parseSetCookie(header: string): { name: string; value: string; attributes: Map<string, string> } {
  const [pair = '', ...parts] = header.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq === -1) attributes.set(part.toLowerCase(), '');
    else attributes.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  return { name: pair.slice(0, separator), value: pair.slice(separator + 1), attributes };
}

/** The refresh token set by a response, as a `Cookie` header value for the next request. */
export function refreshCookieOf(response: JsonResponse): string {
  const header = response.cookies.find((cookie) => cookie.startsWith('refresh_token='));
  if (!header) throw new Error(`no refresh_token cookie in ${JSON.stringify(response.cookies)}`);
  return `refresh_token=${parseSetCookie(header).value}`;
}

let counter = 0;
/** A unique, valid registration body. */
export function newAccount(overrides: Partial<{ email: string; password: string; name: string }> = {}) {
  counter += 1;
  return {
    email: `user${counter}-${process.pid}@example.com`,
    password: 'correct horse battery',
    name: `User ${counter}`,
    ...overrides,
  };
}

/**
 * Signs up as a user does: register (202, no session), open the link from the verification mail, sign in. The token
 * comes from the mail itself (the database holds only its hash), through whichever mailbox the API sends to.
 */
export async function registerUser(api: TestApi, account = newAccount()) {
  return login(api, await createAccount(api, account));
}

/** Register and verify, without signing in (a suite counting login attempts must not have one made for it). */
export async function createAccount(api: TestApi, account = newAccount()) {
  await registerOnly(api, account);
  await verifyEmailFromMail(api, account.email);
  return account;
}

/** Register and sign in, leaving the email unverified. */
export async function registerUnverified(api: TestApi, account = newAccount()) {
  await registerOnly(api, account);
  return login(api, account);
}

async function registerOnly(api: TestApi, account: { email: string; password: string; name: string }) {
  const response = await request(api, 'POST', '/api/auth/register', { body: account });
  if (response.status !== 202) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
}

/** The path (with its token) of the newest verification link mailed to `email`. */
export async function verificationPathFromMail(api: TestApi, email: string, count = 1): Promise<string> {
  const mails = await waitForMail(api.mailbox, email, { subject: /^Confirm your email/, count });
  const newest = mails[mails.length - 1];
  if (!newest) throw new Error(`no verification mail to ${email}`);
  return new URL(linkIn(newest, linkBase(api))).pathname;
}

/** Opens the verification link from the mail, as JSON; throws unless it verified. */
export async function verifyEmailFromMail(api: TestApi, email: string): Promise<void> {
  const verified = await request(api, 'GET', await verificationPathFromMail(api, email), {
    headers: { accept: 'application/json' },
  });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${JSON.stringify(verified.body)}`);
}

/** The base mailed links start with: PUBLIC_BASE_URL, else the API's configured port. */
export function linkBase(api: TestApi): string {
  return (api.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${api.env.API_PORT}`).replace(/\/+$/, '');
}

async function login<Account extends { email: string; password: string }>(api: TestApi, account: Account) {
  const response = await request<AuthBody>(api, 'POST', '/api/auth/login', {
    body: { email: account.email, password: account.password },
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { account, response, cookie: refreshCookieOf(response), accessToken: response.body.accessToken };
}
