import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { LocalStorage } from '@voice/storage';
import { shutdownApiApp } from '../src';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import { registerUser, request, startTestApi, type TestApi } from './helpers/test-api';
import { toneWav } from './helpers/tone';

/**
 * The API's drain (lifecycle/), in-process: readiness, event streams, in-flight requests, keep-alive sockets and the
 * grace period. tests/test/rolling-restart.e2e.test.ts sends a real SIGTERM to a real API process.
 */

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A multipart upload sent in two halves: the request is in flight (headers and half the file received) until
 * `finish()` sends the rest. `reply` settles with the response, or rejects if the server cuts the connection.
 */
function slowUpload(baseUrl: string, urlPath: string, token: string) {
  const boundary = `----drain${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="tone.wav"\r\n` +
      'Content-Type: audio/wav\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const wav = toneWav(2);
  const half = Math.floor(wav.length / 2);
  const request = http.request(`${baseUrl}${urlPath}`, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + wav.length + tail.length),
    },
  });
  const reply = new Promise<Reply>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  request.write(Buffer.concat([head, wav.subarray(0, half)]));
  return { reply, finish: () => request.end(Buffer.concat([wav.subarray(half), tail])) };
}

/** A raw GET on a fresh connection: its reply, or the connection error's code (ECONNREFUSED once closed). */
function freshGet(baseUrl: string, urlPath: string): Promise<Reply | { error: string }> {
  return new Promise((resolve) => {
    const request = http.get(`${baseUrl}${urlPath}`, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

/** Reads an SSE response until it ends: every frame, as raw text blocks. */
async function readFrames(response: Response): Promise<string[]> {
  const frames: string[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      frames.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
  return frames;
}

describe('graceful shutdown of the API', () => {
  let storage: LocalStorage;
  let storageDir: string;
  const pipeline = new FakePipelineClient();

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('drain'));
  });
  after(async () => {
    await rm(storageDir, { recursive: true, force: true });
  });

  const start = () => startTestApi({ env: { JOB_EVENTS_POLL_MS: '200' }, deps: { storage, pipelineClient: pipeline } });

  test('readiness turns 503, streams are sent elsewhere, in-flight uploads finish, then connections are refused', async () => {
    const api: TestApi = await start();
    const { accessToken: token } = await registerUser(api);
    assert.equal((await request(api, 'GET', '/api/health')).status, 200);

    // A job that stays pending (the fake pipeline runs nothing), followed live.
    const submitted = await request<{ jobId: string }>(api, 'POST', '/api/audio/tts', {
      token,
      body: { text: 'Still here?' },
    });
    assert.equal(submitted.status, 202);
    const events = await fetch(`${api.baseUrl}/api/jobs/${submitted.body.jobId}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(events.status, 200);
    const frames = readFrames(events);

    // An idle keep-alive connection, as a proxy's pool holds.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const pooled = await new Promise<{ connection: string | undefined; socket: NodeJS.EventEmitter }>((resolve) =>
      http.get(`${api.baseUrl}/api/health/live`, { agent }, (response) => {
        const socket = response.socket;
        response.resume();
        response.on('end', () => resolve({ connection: response.headers.connection, socket }));
      }),
    );
    assert.equal(pooled.connection, 'keep-alive');
    const pooledClosed = once(pooled.socket, 'close');

    const upload = slowUpload(api.baseUrl, '/api/audio/denoise', token);
    // The server has the request (headers and half the body) before the drain starts.
    await sleep(300);

    const drained = shutdownApiApp(api.app, { graceMs: 15_000, delayMs: 3_000 });

    // The stream is told to reconnect and ends, without an id (Last-Event-ID stays the last real event).
    const received = await frames;
    const last = received.at(-1) ?? '';
    assert.match(last, /^event: reconnect$/m);
    assert.match(last, /^data: \{"reason":"shutdown"\}$/m);
    assert.doesNotMatch(last, /^id:/m);
    assert.ok(received.length >= 3, 'the job’s own events came first');

    // During the delay: still accepting, but not ready, and every answer closes its connection.
    const health = await freshGet(api.baseUrl, '/api/health');
    assert.ok('status' in health, JSON.stringify(health));
    assert.equal(health.status, 503);
    assert.equal(JSON.parse(health.body).status, 'draining');
    assert.equal(health.headers.connection, 'close');
    const live = await freshGet(api.baseUrl, '/api/health/live');
    assert.ok('status' in live && live.status === 200, 'liveness stays 200 while draining');
    const refusedStream = await fetch(`${api.baseUrl}/api/jobs/${submitted.body.jobId}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(refusedStream.status, 503, 'no new streams on a draining instance');
    assert.equal(((await refusedStream.json()) as { error: { code: string } }).error.code, 'SHUTTING_DOWN');

    // After the delay the listener is closed: new connections are refused, the idle pooled one is closed.
    let refused: Reply | { error: string } = { error: 'not yet' };
    for (let attempt = 0; attempt < 200; attempt++) {
      refused = await freshGet(api.baseUrl, '/api/health/live');
      if ('error' in refused && refused.error === 'ECONNREFUSED') break;
      await sleep(50);
    }
    assert.deepEqual(refused, { error: 'ECONNREFUSED' });
    await pooledClosed;

    // The upload that was in flight all along completes normally, and its connection closes after it.
    upload.finish();
    const reply = await upload.reply;
    assert.equal(reply.status, 202, reply.body);
    assert.equal(reply.headers.connection, 'close');
    assert.equal(pipeline.started.at(-1)?.jobId, (JSON.parse(reply.body) as { jobId: string }).jobId);

    const result = await drained;
    assert.equal(result.forced, 0, 'nothing had to be cut');
    agent.destroy();
    await rm(api.env.DATA_DIR, { recursive: true, force: true });
  });

  test('a request still running when the grace period ends is cut, and the shutdown completes', async () => {
    const api: TestApi = await start();
    const { accessToken: token } = await registerUser(api);
    const upload = slowUpload(api.baseUrl, '/api/audio/denoise', token);
    await sleep(300);
    const result = await shutdownApiApp(api.app, { graceMs: 500 });
    assert.equal(result.forced, 1);
    await assert.rejects(upload.reply, /socket hang up|ECONNRESET/);
    await rm(api.env.DATA_DIR, { recursive: true, force: true });
  });
});
