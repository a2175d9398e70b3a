import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { OpenAPIObject } from '@nestjs/swagger';

import type { ReadinessProbe } from '../src';
import { type ErrorResponse, registerUser, request, startTestApi, type TestApi } from './helpers/test-api';

describe('GET /api/user/credits', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ env: { FREE_CREDIT_SECONDS: '1800' } });
  });
  after(async () => {
    await api.close();
  });

  it('returns the free sign-up grant of a new user, in seconds and minutes', async () => {
    const { accessToken } = await registerUser(api);
    const response = await request(api, 'GET', '/api/user/credits', { token: accessToken });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      creditsRemaining: 1800,
      creditsHeld: 0,
      unit: 'second',
      creditsRemainingMinutes: 30,
      creditsHeldMinutes: 0,
    });
  });

  it('requires authentication', async () => {
    const response = await request(api, 'GET', '/api/user/credits');
    assert.equal(response.status, 401);
  });
});

describe('GET /api/health with only the database', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('answers 200 ok with the database check up, without authentication', async () => {
    const response = await request<{ status: string; checks: Record<string, { status: string }> }>(
      api,
      'GET',
      '/api/health',
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'ok');
    assert.equal(response.body.checks['database']?.status, 'up');
  });
});

describe('GET /api/health with an injected probe', () => {
  let api: TestApi;
  let workerUp = false;
  const workerProbe: ReadinessProbe = {
    name: 'worker',
    check: async () => {
      if (!workerUp) throw new Error('worker at 10.0.0.5:7233 not polling');
    },
  };
  before(async () => {
    api = await startTestApi({ deps: { readiness: [workerProbe] } });
  });
  after(async () => {
    await api.close();
  });

  type Health = { status: string; checks: Record<string, { status: string; reason?: string }> };

  it('answers 503 "starting" while a probe has never passed, without leaking the probe error', async () => {
    const response = await request<Health>(api, 'GET', '/api/health');
    assert.equal(response.status, 503);
    assert.equal(response.body.status, 'starting');
    assert.equal(response.body.checks['database']?.status, 'up');
    assert.deepEqual(
      { ...response.body.checks['worker'], latencyMs: 0 },
      { status: 'down', reason: 'failed', latencyMs: 0 },
    );
    assert.doesNotMatch(JSON.stringify(response.body), /10\.0\.0\.5/);
  });

  it('answers 200 once every probe passes, then 503 "degraded" when one fails again', async () => {
    workerUp = true;
    const ok = await request<Health>(api, 'GET', '/api/health');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, 'ok');

    workerUp = false;
    const degraded = await request<Health>(api, 'GET', '/api/health');
    assert.equal(degraded.status, 503);
    assert.equal(degraded.body.status, 'degraded');
  });
});

describe('error boundary: one JSON shape for every error', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('an unknown route answers 404 NOT_FOUND', async () => {
    const response = await request<ErrorResponse>(api, 'GET', '/api/does-not-exist');
    assert.equal(response.status, 404);
    assert.equal(response.body.statusCode, 404);
    assert.equal(response.body.error.code, 'NOT_FOUND');
  });

  it("a 404 names the path only, never the query (which can hold a signed link's sig)", async () => {
    const response = await request<ErrorResponse>(
      api,
      'GET',
      '/api/files/jobs/some-job/output.wav?expires=4102444800&sig=SECRET-SIGNATURE&filename=a.wav',
    );
    assert.equal(response.status, 404);
    assert.deepEqual(response.body, {
      statusCode: 404,
      error: { code: 'NOT_FOUND', message: 'Cannot GET /api/files/jobs/some-job/output.wav' },
    });
  });

  it('malformed JSON answers 400 BAD_REQUEST', async () => {
    const response = await fetch(`${api.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as ErrorResponse;
    assert.equal(body.error.code, 'BAD_REQUEST');
  });

  it('a request without a JSON body answers 400 VALIDATION_FAILED', async () => {
    const response = await request<ErrorResponse>(api, 'POST', '/api/auth/login');
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'VALIDATION_FAILED');
    assert.equal(response.body.error.message, 'Invalid request body: expected a JSON object');
  });

  it('a JSON body over the 1 MB limit answers 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: 'a@example.com', password: 'x'.repeat(1_100_000) },
    });
    assert.equal(response.status, 413);
    assert.equal(response.body.error.code, 'PAYLOAD_TOO_LARGE');
  });
});

describe('error boundary: unexpected failures', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('an unexpected error (a database failure) answers a bare 500 INTERNAL without leaking its message', async () => {
    const { accessToken } = await registerUser(api);
    // Break the credits query with a genuine driver error ("relation processing_jobs does not exist").
    await api.database.db.execute('alter table processing_jobs rename to processing_jobs_hidden');
    try {
      const response = await request<ErrorResponse>(api, 'GET', '/api/user/credits', { token: accessToken });
      assert.equal(response.status, 500);
      assert.deepEqual(response.body, {
        statusCode: 500,
        error: { code: 'INTERNAL', message: 'Internal server error' },
      });
    } finally {
      await api.database.db.execute('alter table processing_jobs_hidden rename to processing_jobs');
    }
  });
});

/**
 * Routes deliberately left out of the document (controllers marked @ApiExcludeController): the signed
 * local-storage file links, which clients only follow. Listed explicitly so hiding a route is a visible
 * decision in review.
 */
const HIDDEN_ROUTES: ReadonlySet<string> = new Set(['GET /api/files/{key}']);

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every (METHOD path) Nest registered on Express, with `:param` written the OpenAPI way (`{param}`). */
function registeredRoutes(api: TestApi): string[] {
  // Express 5 keeps its router at `app.router`; its typings do not expose the layers' `methods`.
  const stack = (api.app.getHttpAdapter().getInstance() as unknown as { router: { stack: ExpressLayer[] } }).router
    .stack;
  const routes = new Set<string>();
  for (const layer of stack) {
    if (!layer.route) continue;
    const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
    // Swagger UI's own routes are not API routes.
    if (path === '/api/docs' || path.startsWith('/api/docs/') || path.startsWith('/api/docs-')) continue;
    // Middleware mounted on every path (the request logger, as `/api{/*splat}`) is not a route of its own.
    if (path.includes('*')) continue;
    for (const [method, enabled] of Object.entries(layer.route.methods)) {
      if (enabled && method !== '_all') routes.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return [...routes].sort();
}

function documentedRoutes(document: OpenAPIObject): string[] {
  const routes: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      if (item[method]) routes.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return routes.sort();
}

describe('OpenAPI document', () => {
  let api: TestApi;
  let document: OpenAPIObject;
  before(async () => {
    api = await startTestApi();
    const response = await request<OpenAPIObject>(api, 'GET', '/api/docs-json');
    assert.equal(response.status, 200);
    document = response.body;
  });
  after(async () => {
    await api.close();
  });

  it('documents exactly the routes registered in Nest (add @ApiExcludeController only for non-API routes)', () => {
    const registered = registeredRoutes(api);
    assert.ok(registered.includes('POST /api/auth/login'), 'sanity: the router walk found routes');
    // The OpenAI-compatible routes live outside the /api prefix and are covered the same way.
    assert.ok(registered.includes('POST /v1/audio/speech'), 'the router walk found the /v1 routes');
    const documented = new Set(documentedRoutes(document));
    const missing = registered.filter((route) => !documented.has(route) && !HIDDEN_ROUTES.has(route));
    assert.deepEqual(missing, [], 'routes missing from the OpenAPI document');
    const stale = [...documented].filter((route) => !registered.includes(route));
    assert.deepEqual(stale, [], 'documented routes that do not exist');
  });

  it('declares bearer auth on protected routes and none on public ones', () => {
    assert.deepEqual(document.paths['/api/user/me']?.get?.security, [{ bearer: [] }]);
    // Routes open to API keys offer the key as an alternative, and name the scope it needs.
    const credits = document.paths['/api/user/credits']?.get;
    assert.deepEqual(credits?.security, [{ bearer: [] }, { 'api-key': [] }]);
    assert.equal(Reflect.get(credits ?? {}, 'x-api-key-scope'), 'credits:read');
    assert.match(credits?.description ?? '', /\*\*API keys:\*\* accepted with the `credits:read` scope/);
    assert.deepEqual(document.paths['/api/developer/api-keys']?.post?.security, [{ bearer: [] }]);
    assert.ok(document.components?.securitySchemes?.['api-key']);
    assert.deepEqual(document.paths['/api/auth/login']?.post?.security, []);
    assert.deepEqual(document.paths['/api/health']?.get?.security, []);
    assert.deepEqual(document.paths['/api/auth/refresh']?.post?.security, [{ 'refresh-cookie': [] }]);
    assert.ok(document.components?.securitySchemes?.['bearer']);
  });

  it('describes request bodies from the same zod schemas that validate them', () => {
    const body = document.paths['/api/auth/register']?.post?.requestBody;
    assert.ok(body && 'content' in body);
    const schema = body.content['application/json']?.schema;
    assert.ok(schema && 'properties' in schema);
    assert.deepEqual(schema.required, ['email', 'password', 'name']);
    assert.equal(
      schema.properties?.['password'] && 'minLength' in schema.properties['password']
        ? schema.properties['password'].minLength
        : undefined,
      8,
    );
  });

  it('serves the interactive Swagger UI at /api/docs', async () => {
    const response = await fetch(`${api.baseUrl}/api/docs`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /swagger-ui/i);
  });
});
