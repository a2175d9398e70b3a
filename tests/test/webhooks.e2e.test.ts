import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import type { ApiClient, JsonBody } from '../src/api-client';
import { startTestPlatform, type TestPlatform } from '../src/platform-harness';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Half a second of 16-bit mono silence: a valid upload that no worker will ever get to process here. */
function silentWav(): Buffer {
  const samples = 8000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16_000, 24);
  header.writeUInt32LE(32_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.alloc(samples * 2)]);
}

/**
 * Webhooks end to end on the real platform (API, CPU worker, Temporal, PostgreSQL), with no media or GPU worker:
 * a job submitted then cancelled ends `cancelled` without any inference, and its job.cancelled event goes to a
 * local receiver (WEBHOOK_ALLOW_PRIVATE=true), verified with the standardwebhooks package.
 */
describe('signed webhooks', { timeout: 300_000 }, () => {
  let platform: TestPlatform;
  let receiver: Server;
  let base = '';
  const hits: Hit[] = [];
  /** Answers per path, consumed in order; 200 once a path runs out. */
  const script = new Map<string, number[]>();

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        hits.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = script.get(path)?.shift() ?? 200;
        response.writeHead(status).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    platform = await startTestPlatform(
      {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        // Short backoff, so three attempts take well under a second.
        WEBHOOK_RETRY_INITIAL_SECONDS: '0.2',
        WEBHOOK_RETRY_MAX_INTERVAL_SECONDS: '1',
        WEBHOOK_RETRY_WINDOW_SECONDS: '120',
        AUTH_RATE_LIMIT: '100',
      },
      { embeddedGpuWorker: false, embeddedMediaWorker: false },
    );
  });

  after(async () => {
    await platform?.close();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  async function register(api: ApiClient, path: string, events: string[]): Promise<{ id: string; secret: string }> {
    const created = await api.request('POST', '/api/developer/webhooks', { url: `${base}${path}`, events });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const endpoint = created.json['endpoint'] as JsonBody;
    return { id: endpoint['id'] as string, secret: created.json['secret'] as string };
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  async function deliveries(api: ApiClient, endpointId: string): Promise<JsonBody[]> {
    const log = await api.request('GET', `/api/developer/webhooks/${endpointId}/deliveries`);
    assert.equal(log.status, 200, log.text);
    return log.json['items'] as JsonBody[];
  }

  test('a cancelled job is announced, signed; a flaky receiver gets 3 attempts; redelivery resends it', async () => {
    const api = platform.api();
    await api.register(`hooks-${randomUUID()}@example.com`);
    const ok = await register(api, '/ok', ['job.cancelled', 'job.completed']);
    const flaky = await register(api, '/flaky', ['job.cancelled']);
    const unsubscribed = await register(api, '/payments-only', ['payment.succeeded']);
    script.set('/flaky', [500, 500]);
    assert.match(ok.secret, /^whsec_/);

    const listed = await api.request('GET', '/api/developer/webhooks');
    assert.equal(listed.status, 200);
    const items = listed.json['items'] as JsonBody[];
    assert.deepEqual(new Set(items.map((item) => item['id'])), new Set([ok.id, flaky.id, unsubscribed.id]));
    assert.ok(
      items.every((item) => item['status'] === 'active' && !('secret' in item)),
      'no secret is listed',
    );

    const accepted = await api.upload('/api/audio/denoise', silentWav(), 'silence.wav');
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const cancel = await api.request('POST', `/api/jobs/${jobId}/cancel`);
    assert.equal(cancel.status, 202, cancel.text);

    const first = await waitFor('the /ok delivery', () => hits.find((hit) => hit.path === '/ok'));
    const verified = new Webhook(ok.secret).verify(first.body, {
      'webhook-id': String(first.headers['webhook-id']),
      'webhook-timestamp': String(first.headers['webhook-timestamp']),
      'webhook-signature': String(first.headers['webhook-signature']),
    }) as JsonBody;
    assert.equal(verified['type'], 'job.cancelled');
    assert.equal((verified['data'] as JsonBody)['jobId'], jobId);
    assert.equal((verified['data'] as JsonBody)['status'], 'cancelled');
    assert.equal((verified['data'] as JsonBody)['jobType'], 'denoise');
    assert.throws(
      () => new Webhook(flaky.secret).verify(first.body, first.headers as Record<string, string>),
      'another endpoint’s secret does not verify it',
    );

    const flakyLog = await waitFor('the flaky delivery to succeed', async () => {
      const [row] = await deliveries(api, flaky.id);
      return row?.['status'] === 'succeeded' ? row : undefined;
    });
    assert.equal(flakyLog['attempts'], 3);
    assert.equal(flakyLog['lastStatusCode'], 200);
    const flakyHits = hits.filter((hit) => hit.path === '/flaky');
    assert.equal(flakyHits.length, 3);
    assert.equal(new Set(flakyHits.map((hit) => hit.headers['webhook-id'])).size, 1, 'one webhook-id for every try');
    assert.equal(flakyHits[0]?.headers['webhook-id'], first.headers['webhook-id'], 'one event id for every target');

    const [okLog] = await deliveries(api, ok.id);
    assert.equal(okLog?.['status'], 'succeeded');
    assert.equal(okLog?.['attempts'], 1);
    assert.equal(okLog?.['lastStatusCode'], 200);
    assert.deepEqual(await deliveries(api, unsubscribed.id), [], 'an endpoint not subscribed gets nothing');

    const redelivered = await api.request(
      'POST',
      `/api/developer/webhooks/${ok.id}/deliveries/${okLog?.['id'] as string}/redeliver`,
    );
    assert.equal(redelivered.status, 202, redelivered.text);
    await waitFor('the redelivery', () => (hits.filter((hit) => hit.path === '/ok').length === 2 ? true : undefined));
    const again = hits.filter((hit) => hit.path === '/ok')[1];
    assert.ok(again);
    assert.equal(again.headers['webhook-id'], first.headers['webhook-id']);
    assert.deepEqual(
      new Webhook(ok.secret).verify(again.body, again.headers as Record<string, string>),
      verified,
      'the same event, signed anew',
    );
    const afterRedelivery = await waitFor('the redelivery to be logged', async () => {
      const [row] = await deliveries(api, ok.id);
      return row?.['attempts'] === 2 && row['status'] === 'succeeded' ? row : undefined;
    });
    assert.equal(afterRedelivery['lastStatusCode'], 200);

    const removed = await api.request('DELETE', `/api/developer/webhooks/${ok.id}`);
    assert.equal(removed.status, 200, removed.text);
    assert.equal((await api.request('GET', `/api/developer/webhooks/${ok.id}/deliveries`)).status, 404);
  });

  test('a job submitted with callback_url gets its terminal event there, signed with the callback secret', async () => {
    const api = platform.api();
    await api.register(`callback-${randomUUID()}@example.com`);
    const path = `/callback-${randomUUID().slice(0, 8)}`;
    const metadata = await api.upload(
      `/api/audio/denoise?callback_url=${encodeURIComponent('http://169.254.169.254/latest')}`,
      silentWav(),
      'silence.wav',
    );
    assert.equal(metadata.status, 400, 'a metadata address is refused at submit');
    assert.match(metadata.text, /callback_url/);

    const accepted = await api.upload(
      `/api/audio/denoise?callback_url=${encodeURIComponent(`${base}${path}`)}`,
      silentWav(),
      'silence.wav',
    );
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    assert.equal((await api.request('POST', `/api/jobs/${jobId}/cancel`)).status, 202);
    const hit = await waitFor('the callback delivery', () => hits.find((entry) => entry.path === path));
    const secret = await api.request('GET', '/api/developer/webhooks/callback-secret');
    assert.equal(secret.status, 200, secret.text);
    const verified = new Webhook(secret.json['secret'] as string).verify(hit.body, {
      'webhook-id': String(hit.headers['webhook-id']),
      'webhook-timestamp': String(hit.headers['webhook-timestamp']),
      'webhook-signature': String(hit.headers['webhook-signature']),
    }) as { type: string; data: { jobId: string } };
    assert.equal(verified.type, 'job.cancelled');
    assert.equal(verified.data.jobId, jobId);
  });

  test('registration refuses non-http URLs and metadata addresses, even with WEBHOOK_ALLOW_PRIVATE', async () => {
    const api = platform.api();
    await api.register(`hooks-bad-${randomUUID()}@example.com`);
    for (const url of [
      'ftp://example.com/hook',
      'http://169.254.169.254/latest',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0:80/',
    ]) {
      const refused = await api.request('POST', '/api/developer/webhooks', { url, events: ['job.completed'] });
      assert.equal(refused.status, 400, `${url}: ${refused.text}`);
    }
    const unknownEvent = await api.request('POST', '/api/developer/webhooks', {
      url: `${base}/ok`,
      events: ['job.exploded'],
    });
    assert.equal(unknownEvent.status, 400);
    assert.deepEqual((await api.request('GET', '/api/developer/webhooks')).json['items'], []);
  });

  test('an API key cannot manage webhooks', async () => {
    const api = platform.api();
    await api.register(`hooks-key-${randomUUID()}@example.com`);
    const key = await api.request('POST', '/api/developer/api-keys', { name: 'ci', scopes: ['jobs:read'] });
    assert.equal(key.status, 201, key.text);
    const withKey = await fetch(`${platform.apiUrl}/api/developer/webhooks`, {
      headers: { authorization: `Bearer ${key.json['secret'] as string}` },
    });
    assert.equal(withKey.status, 403);
  });
});
