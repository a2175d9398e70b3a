import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { Webhook } from 'standardwebhooks';

import {
  generateWebhookSecret,
  postWebhook,
  signWebhook,
  vetWebhookUrl,
  webhookHeaders,
  type ResolveHost,
} from '../src';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  url: string;
}

describe('Standard Webhooks signing', () => {
  it('a signature made here verifies with the standardwebhooks package', () => {
    const secret = generateWebhookSecret();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'job.completed', data: { jobId: 'j1' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, 'evt_1', timestamp, body);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
  });

  it('a changed body, id or secret fails verification', () => {
    const secret = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, 'evt_1', timestamp, '{"a":1}');
    assert.throws(() => new Webhook(secret).verify('{"a":2}', headers));
    assert.throws(() => new Webhook(secret).verify('{"a":1}', { ...headers, 'webhook-id': 'evt_2' }));
    assert.throws(() => new Webhook(generateWebhookSecret()).verify('{"a":1}', headers));
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the spec's test suite (standard-webhooks/libraries, javascript/src/index.test.ts).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('postWebhook', () => {
  let server: Server;
  let port = 0;
  const received: Received[] = [];
  let answer: (request: IncomingMessage) => { status: number; headers?: Record<string, string> } = () => ({
    status: 200,
  });

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          url: request.url ?? '',
        });
        const { status, headers } = answer(request);
        response.writeHead(status, headers).end('ok');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  const allowLocal = { allowPrivate: true };

  it('connects to the vetted address, not to what the name resolves to later (DNS rebinding)', async () => {
    // First lookup (the check) says loopback, which this test allows; the name is never resolved again.
    let lookups = 0;
    const resolve: ResolveHost = async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const vetted = await vetWebhookUrl(`http://rebind.example.test:${port}/hook`, { ...allowLocal, resolve });
    const before = received.length;
    const result = await postWebhook(vetted, { headers: { 'webhook-id': 'evt_pin' }, body: '{"ok":true}' });
    assert.deepEqual(result, { ok: true, statusCode: 200, error: null });
    assert.equal(lookups, 1, 'only the guard resolved the name');
    const got = received[before];
    assert.equal(got?.headers.host, `rebind.example.test:${port}`, 'the Host header keeps the name');
    assert.equal(got?.headers['webhook-id'], 'evt_pin');
    assert.equal(got?.body, '{"ok":true}');
  });

  it('a 3xx is a failure and its Location is not followed', async () => {
    answer = () => ({ status: 302, headers: { location: `http://127.0.0.1:${port}/elsewhere` } });
    const before = received.length;
    const result = await postWebhook(await vetWebhookUrl(`http://127.0.0.1:${port}/moved`, allowLocal), {
      headers: {},
      body: '{}',
    });
    assert.equal(result.ok, false);
    assert.equal(result.statusCode, 302);
    assert.match(result.error ?? '', /redirects are not followed/);
    assert.equal(received.length, before + 1, 'only the first request was made');
  });

  it('a 5xx is a failure with its code; a refused connection has none', async () => {
    answer = () => ({ status: 503 });
    const failed = await postWebhook(await vetWebhookUrl(`http://127.0.0.1:${port}/`, allowLocal), {
      headers: {},
      body: '{}',
    });
    assert.deepEqual(failed, { ok: false, statusCode: 503, error: 'HTTP 503' });
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const refused = await postWebhook(await vetWebhookUrl(`http://127.0.0.1:${closedPort}/`, allowLocal), {
      headers: {},
      body: '{}',
    });
    assert.equal(refused.ok, false);
    assert.equal(refused.statusCode, null);
    assert.match(refused.error ?? '', /ECONNREFUSED/);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const result = await postWebhook(await vetWebhookUrl(`http://127.0.0.1:${silentPort}/`, allowLocal), {
        headers: {},
        body: '{}',
        timeoutMs: 200,
      });
      assert.equal(result.ok, false);
      assert.equal(result.statusCode, null);
      assert.match(result.error ?? '', /no answer within/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
