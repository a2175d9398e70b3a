import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { startTestApi, type TestApi } from './helpers/test-api';

const INDEX_HTML =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app-1a2b3c.js"></script></body></html>';

describe('the web app at / (served by the API)', () => {
  let api: TestApi;
  let webDir: string;
  before(async () => {
    webDir = await mkdtemp(path.join(tmpdir(), 'voice-web-dist-'));
    await mkdir(path.join(webDir, 'assets'));
    await writeFile(path.join(webDir, 'index.html'), INDEX_HTML);
    await writeFile(path.join(webDir, 'assets', 'app-1a2b3c.js'), 'console.log("app")');
    await writeFile(path.join(webDir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
    api = await startTestApi({ env: { WEB_APP_DIR: webDir } });
  });
  after(async () => {
    await api.close();
    await rm(webDir, { recursive: true, force: true });
  });

  it('answers index.html for / and for deep links, revalidated every time, under the CSP', async () => {
    for (const route of ['/', '/jobs/0b6c6f0e-2a4f-4a51-9d43-1d2f7a1e3c55', '/history?status=failed']) {
      const response = await fetch(`${api.baseUrl}${route}`);
      assert.equal(response.status, 200, route);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/, route);
      assert.equal(response.headers.get('cache-control'), 'no-cache', route);
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/, route);
      assert.equal(await response.text(), INDEX_HTML, route);
    }
  });

  it('serves hashed assets as immutable and other files as revalidated', async () => {
    const asset = await fetch(`${api.baseUrl}/assets/app-1a2b3c.js`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await asset.text(), 'console.log("app")');
    const worker = await fetch(`${api.baseUrl}/sw.js`);
    assert.equal(worker.status, 200);
    assert.equal(worker.headers.get('cache-control'), 'no-cache');
  });

  it('never shadows /api, and a missing file is a 404, not the app', async () => {
    for (const route of ['/api', '/api/jobs/not-a-route/x', '/assets/app-old999.js', '/favicon.ico']) {
      const response = await fetch(`${api.baseUrl}${route}`);
      assert.equal(response.status, 404, route);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/, route);
    }
    const health = await fetch(`${api.baseUrl}/api/health`);
    assert.match(health.headers.get('content-type') ?? '', /application\/json/);
    const post = await fetch(`${api.baseUrl}/jobs/new`, { method: 'POST' });
    assert.equal(post.status, 404, 'only GET and HEAD fall back to the app');
  });
});

describe('the web app when it was never built', () => {
  it('answers / with 503 and the command that builds it; the API still works', async () => {
    const api = await startTestApi({ env: { WEB_APP_DIR: path.join(tmpdir(), 'voice-no-such-web-dist') } });
    try {
      const response = await fetch(`${api.baseUrl}/`);
      assert.equal(response.status, 503);
      assert.match(await response.text(), /npm run build/);
      assert.equal((await fetch(`${api.baseUrl}/api/health`)).headers.get('content-type')?.includes('json'), true);
    } finally {
      await api.close();
    }
  });
});

describe("the web app's generated API client", () => {
  it('matches the OpenAPI document the API serves (CI fails when it is stale: run `npm run gen:api`)', async () => {
    const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
    const script = path.join(repoRoot, 'scripts', 'gen-api-client.mjs');
    try {
      await promisify(execFile)(process.execPath, [script, '--check'], { cwd: repoRoot });
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      assert.fail(stderr ?? String(error));
    }
  });
});
