import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ModelPullError,
  loadOperatorModels,
  modelStatus,
  pullFromUrl,
  pullModel,
  verifyModel,
  type ModelManifest,
  type PullProgress,
} from '../src';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

interface Route {
  readonly body: Buffer;
  /** Bytes to send on the first request before destroying the socket (simulates a dropped connection). */
  readonly cutFirstAt?: number;
  /** Serve 200 with the whole body even when asked for a range (servers without Range support). */
  readonly ignoreRange?: boolean;
}

/** A loopback file server that honours `Range: bytes=N-` and records every request it sees. */
class FileServer {
  readonly routes = new Map<string, Route>();
  readonly requests: Array<{ path: string; range: string | undefined }> = [];
  private server: Server | undefined;
  private baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  url(route: string): string {
    return `${this.baseUrl}${route}`;
  }

  requestsFor(route: string): Array<string | undefined> {
    return this.requests.filter((r) => r.path === route).map((r) => r.range);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const range = req.headers.range;
    this.requests.push({ path: url, range });
    const route = this.routes.get(url);
    if (route === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const first = this.requests.filter((r) => r.path === url).length === 1;
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    const start = match && !route.ignoreRange ? Number(match[1]) : 0;
    if (start >= route.body.length && start > 0) {
      res.writeHead(416, { 'Content-Range': `bytes */${route.body.length}` }).end();
      return;
    }
    const slice = route.body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'Content-Length': String(slice.length),
      'Accept-Ranges': 'bytes',
      ...(start > 0
        ? {
            'Content-Range': `bytes ${start}-${route.body.length - 1}/${route.body.length}`,
          }
        : {}),
    });
    if (first && route.cutFirstAt !== undefined) {
      // Flush a prefix, then drop the connection mid-body as a flaky network would.
      res.write(slice.subarray(0, route.cutFirstAt), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(slice);
  }
}

function urlModel(
  id: string,
  files: Array<{ path: string; body: Buffer; url: string; sha256?: string }>,
): ModelManifest {
  return {
    id,
    task: 'tts',
    displayName: id,
    runtime: 'onnxruntime-node',
    kind: 'neural',
    languages: ['en'],
    sampleRate: 22050,
    qualityTier: 5,
    licence: 'MIT',
    source: { kind: 'url', homepage: 'http://127.0.0.1/' },
    files: files.map((f) => ({
      path: f.path,
      url: f.url,
      bytes: f.body.length,
      sha256: f.sha256 ?? sha256(f.body),
    })),
  };
}

/** Entries in modelsDir other than the dot-dirs used for staging, parts and old copies. */
function leftovers(modelsDir: string): { models: string[]; staging: string[] } {
  const entries = existsSync(modelsDir) ? readdirSync(modelsDir) : [];
  return {
    models: entries.filter((e) => !e.startsWith('.')),
    staging: entries.filter((e) => e.startsWith('.tmp-') || e.startsWith('.old-')),
  };
}

describe('models pull', () => {
  const server = new FileServer();
  const dirs: string[] = [];
  const modelsDir = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'models-pull-'));
    dirs.push(dir);
    return dir;
  };
  const weights = randomBytes(1 << 20);
  const config = Buffer.from(JSON.stringify({ sampleRate: 22050, made: 'by the test' }));

  before(async () => {
    await server.start();
    server.routes.set('/voice.onnx', { body: weights });
    server.routes.set('/voice.onnx.json', { body: config });
    server.routes.set('/flaky.onnx', { body: weights, cutFirstAt: 300_000 });
    server.routes.set('/flaky-once.onnx', {
      body: weights,
      cutFirstAt: 500_000,
    });
    server.routes.set('/no-range.onnx', {
      body: weights,
      cutFirstAt: 200_000,
      ignoreRange: true,
    });
    // Same length as the real weights, different content: only the hash can tell.
    server.routes.set('/tampered.onnx', { body: randomBytes(weights.length) });
  });
  after(async () => {
    await server.stop();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  it('installs a good download and the installed files verify', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-good', [
      { path: 'voice.onnx', body: weights, url: server.url('/voice.onnx') },
      {
        path: 'config/voice.onnx.json',
        body: config,
        url: server.url('/voice.onnx.json'),
      },
    ]);
    const events: PullProgress[] = [];
    const result = await pullModel(model, {
      modelsDir: dir,
      onProgress: (e) => events.push(e),
    });

    assert.equal(result.outcome, 'installed');
    assert.equal(result.dir, path.join(dir, 'voice-good'));
    assert.deepEqual(readFileSync(path.join(dir, 'voice-good', 'voice.onnx')), weights);
    assert.deepEqual(readFileSync(path.join(dir, 'voice-good', 'config', 'voice.onnx.json')), config);
    assert.equal((await verifyModel(model, { modelsDir: dir })).ok, true);
    assert.equal(await modelStatus(model, { modelsDir: dir }), 'installed');
    assert.deepEqual(leftovers(dir), { models: ['voice-good'], staging: [] });
    assert.ok(!existsSync(path.join(dir, '.partial')), 'part files are cleaned up');
    const last = events.filter((e) => e.file === 'voice.onnx' && e.phase === 'download').at(-1);
    assert.equal(last?.receivedBytes, weights.length, 'progress reaches the full size');

    const before = server.requests.length;
    assert.equal((await pullModel(model, { modelsDir: dir })).outcome, 'already-installed');
    assert.equal(server.requests.length, before, 'an installed model is not downloaded again');
  });

  it('rejects a corrupt download naming both hashes, and installs nothing', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-corrupt', [
      {
        path: 'config.json',
        body: config,
        url: server.url('/voice.onnx.json'),
      },
      { path: 'voice.onnx', body: weights, url: server.url('/tampered.onnx') },
    ]);
    const actual = sha256(server.routes.get('/tampered.onnx')?.body ?? Buffer.alloc(0));
    await assert.rejects(pullModel(model, { modelsDir: dir, retryDelayMs: 1 }), (error: unknown) => {
      assert.ok(error instanceof ModelPullError);
      assert.match(error.message, /voice\.onnx: sha256 mismatch/);
      assert.ok(error.message.includes(`expected ${sha256(weights)}`), error.message);
      assert.ok(error.message.includes(`got ${actual}`), error.message);
      return true;
    });
    // The good first file was downloaded, but the model directory never appears without every file verified.
    assert.deepEqual(leftovers(dir), { models: [], staging: [] });
    assert.equal(await modelStatus(model, { modelsDir: dir }), 'missing');
    assert.ok(!existsSync(path.join(dir, '.partial', 'voice-corrupt', 'voice.onnx.part')), 'the bad part is deleted');
  });

  it('resumes an interrupted download with a Range request and completes', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-flaky', [{ path: 'voice.onnx', body: weights, url: server.url('/flaky.onnx') }]);
    const phases: string[] = [];
    await pullModel(model, {
      modelsDir: dir,
      retryDelayMs: 1,
      onProgress: (e) => phases.push(e.phase),
    });

    const ranges = server.requestsFor('/flaky.onnx');
    assert.equal(ranges.length, 2, `one cut request and one resumed request, saw ${JSON.stringify(ranges)}`);
    assert.equal(ranges[0], undefined, 'the first request asks for the whole file');
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    assert.ok(resumedAt > 0 && resumedAt <= 300_000, `resumed at byte ${resumedAt}, after what had arrived`);
    assert.ok(phases.includes('resume'));
    assert.deepEqual(readFileSync(path.join(dir, 'voice-flaky', 'voice.onnx')), weights);
  });

  it('keeps the partial file across runs, so a second pull resumes where the first gave up', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-rerun', [
      {
        path: 'voice.onnx',
        body: weights,
        url: server.url('/flaky-once.onnx'),
      },
    ]);
    await assert.rejects(pullModel(model, { modelsDir: dir, maxAttempts: 1 }), /rerun to resume/);
    assert.deepEqual(leftovers(dir).models, [], 'nothing installed after the failed run');

    await pullModel(model, { modelsDir: dir, maxAttempts: 1 });
    const ranges = server.requestsFor('/flaky-once.onnx');
    assert.equal(ranges.length, 2);
    assert.match(ranges[1] ?? '', /^bytes=[1-9]\d*-$/);
    assert.equal(await modelStatus(model, { modelsDir: dir }), 'installed');
  });

  it('restarts from zero when the server ignores Range and answers 200', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-norange', [{ path: 'voice.onnx', body: weights, url: server.url('/no-range.onnx') }]);
    await pullModel(model, { modelsDir: dir, retryDelayMs: 1 });
    assert.equal(server.requestsFor('/no-range.onnx').length, 2);
    assert.deepEqual(readFileSync(path.join(dir, 'voice-norange', 'voice.onnx')), weights);
  });

  it('replaces a corrupt installed copy atomically', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-replace', [{ path: 'voice.onnx', body: weights, url: server.url('/voice.onnx') }]);
    await pullModel(model, { modelsDir: dir });
    const file = path.join(dir, 'voice-replace', 'voice.onnx');
    rmSync(file);
    assert.equal(await modelStatus(model, { modelsDir: dir }), 'missing');
    await pullModel(model, { modelsDir: dir });
    assert.equal(await modelStatus(model, { modelsDir: dir }), 'installed');
    assert.deepEqual(leftovers(dir), {
      models: ['voice-replace'],
      staging: [],
    });
  });

  it('fails without retrying on a 404', async () => {
    const dir = modelsDir();
    const model = urlModel('voice-404', [{ path: 'voice.onnx', body: weights, url: server.url('/missing.onnx') }]);
    await assert.rejects(pullModel(model, { modelsDir: dir, retryDelayMs: 1 }), /HTTP 404/);
    assert.equal(server.requestsFor('/missing.onnx').length, 1);
    assert.deepEqual(leftovers(dir), { models: [], staging: [] });
  });

  it('pulls an ad-hoc operator model and lists it from the models dir', async () => {
    const dir = modelsDir();
    const manifest = await pullFromUrl(
      {
        id: 'my-voice',
        url: server.url('/voice.onnx'),
        sha256: sha256(weights),
        task: 'tts',
        languages: ['en'],
      },
      { modelsDir: dir },
    );
    assert.deepEqual(manifest.files, [
      {
        path: 'voice.onnx',
        sha256: sha256(weights),
        bytes: weights.length,
        url: server.url('/voice.onnx'),
      },
    ]);
    const listed = await loadOperatorModels(dir);
    assert.deepEqual(
      listed.map((m) => [m.id, m.task, m.source.kind]),
      [['my-voice', 'tts', 'url']],
    );
    assert.equal(await modelStatus(manifest, { modelsDir: dir }), 'installed');

    await assert.rejects(
      pullFromUrl(
        {
          id: 'bad',
          url: server.url('/tampered.onnx'),
          sha256: sha256(weights),
          task: 'tts',
        },
        { modelsDir: dir },
      ),
      /sha256 mismatch/,
    );
    assert.deepEqual(
      (await loadOperatorModels(dir)).map((m) => m.id),
      ['my-voice'],
    );
  });
});
