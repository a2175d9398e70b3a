import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { after } from 'node:test';

import type { NestExpressApplication } from '@nestjs/platform-express';
import { type Env, parseEnv } from '@voice/config';
import { createDatabase, type DatabaseHandle, runMigrations } from '@voice/db';

import { type ApiDependencies, createApiApp, DatabaseRateLimiter } from '../../src';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface TestApi {
  app: NestExpressApplication;
  baseUrl: string;
  env: Env;
  database: DatabaseHandle;
  close(): Promise<void>;
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
    JOB_SUBMIT_RATE_LIMIT: '1000',
    API_KEY_RATE_LIMIT: '1000',
    ...options.env,
  });
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
): Promise<JsonResponse<T>> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
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
  user: { id: string; email: string; name: string; role: string; creditsRemaining: number };
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

export async function registerUser(api: TestApi, account = newAccount()) {
  const response = await request<AuthBody>(api, 'POST', '/api/auth/register', { body: account });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { account, response, cookie: refreshCookieOf(response), accessToken: response.body.accessToken };
}
