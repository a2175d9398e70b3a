import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';
import { FakeRazorpay, linkIn, waitForMail } from '@voice/testkit';
import { ApiClient, type JsonBody } from '../src/api-client';
import { startTestPlatform, type TestPlatform } from '../src/platform-harness';

/** One parsed log line, with the raw text it came from. */
interface LogRecord {
  raw: string;
  level: string;
  msg: string;
  pid: number;
  [field: string]: unknown;
}

/**
 * The platform's logs as a machine reads them: every line of the process, the worker host's forwarded ones
 * included, written to a destination this test holds. LOG_LEVEL=debug, so the redaction test sees the most the
 * platform ever writes; the tracing test reads only info and above, which is what the default level writes.
 */
describe('structured logs: a request followed by its ids, and no secret in any line', { timeout: 600_000 }, () => {
  const lines: string[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(line);
    },
  };
  const records = (): LogRecord[] =>
    lines.map((raw) => ({ ...(JSON.parse(raw) as Omit<LogRecord, 'raw'>), raw }) as LogRecord);
  const atLeastInfo = (record: LogRecord) => ['info', 'warn', 'error', 'fatal'].includes(record.level);

  /** Every secret the platform was given or handed out during the run; none may appear in any log line. */
  const secrets = new Map<string, string>();
  const remember = (what: string, value: unknown) => {
    assert.equal(typeof value, 'string', `${what} is a string`);
    assert.ok((value as string).length >= 8, `${what} is long enough to search for`);
    secrets.set(what, value as string);
  };

  const deliveries: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let receiver: Server;
  let receiverUrl: string;
  let razorpay: FakeRazorpay;
  let platform: TestPlatform;
  const adminEmail = `log-admin-${randomUUID()}@example.com`;
  const adminPassword = `admin ${randomBytes(9).toString('hex')} passphrase`;
  const jwtSecret = `jwt-${randomBytes(24).toString('hex')}`;
  const dataKey = `k1:${randomBytes(32).toString('base64')}`;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    razorpay = await FakeRazorpay.start();
    platform = await startTestPlatform(
      {
        LOG_LEVEL: 'debug',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        AUTH_RATE_LIMIT: '100',
        ADMIN_EMAIL: adminEmail,
        ADMIN_PASSWORD: adminPassword,
        JWT_SECRET: jwtSecret,
        DATA_ENCRYPTION_KEY: dataKey,
        RAZORPAY_KEY_ID: razorpay.keyId,
        RAZORPAY_KEY_SECRET: razorpay.keySecret,
        RAZORPAY_WEBHOOK_SECRET: razorpay.webhookSecret,
        RAZORPAY_API_BASE: razorpay.baseUrl,
      },
      { logDestination: destination },
    );
    remember('ADMIN_PASSWORD', adminPassword);
    remember('JWT_SECRET', jwtSecret);
    remember('DATA_ENCRYPTION_KEY', dataKey.slice(3));
    remember('RAZORPAY_KEY_SECRET', razorpay.keySecret);
    remember('RAZORPAY_WEBHOOK_SECRET', razorpay.webhookSecret);
  });

  after(async () => {
    await platform?.close();
    await razorpay?.stop();
    receiver?.close();
  });

  /** Registers through the mailed verification link, remembering the password, the link's token and the tokens. */
  async function signUp(): Promise<{ api: ApiClient; userId: string; email: string; password: string }> {
    const api = platform.api();
    const email = `logs-${randomUUID()}@example.com`;
    const password = `user ${randomBytes(9).toString('hex')} passphrase`;
    remember('user password', password);
    const registered = await api.request('POST', '/api/auth/register', { email, password, name: 'Log Reader' });
    assert.equal(registered.status, 202, registered.text);
    const [mail] = await waitForMail(platform.mailbox, email, { subject: /^Confirm your email/ });
    assert.ok(mail, 'the verification mail arrived');
    const link = new URL(linkIn(mail, /\/api\/auth\/verify-email\//));
    remember('email verification token', link.pathname.split('/').at(-1));
    const verified = await api.request('GET', link.pathname, undefined, { accept: 'application/json' });
    assert.equal(verified.status, 200, verified.text);
    const login = await fetch(`${platform.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(login.status, 200);
    const body = (await login.json()) as JsonBody;
    api.accessToken = body['accessToken'] as string;
    remember('access token', api.accessToken);
    const cookie = login.headers.getSetCookie().find((value) => value.startsWith('refresh_token='));
    assert.ok(cookie, 'login set the refresh cookie');
    remember('refresh token', cookie.split(';')[0]?.split('=')[1]);
    return { api, userId: (body['user'] as JsonBody)['id'] as string, email, password };
  }

  test('one request is followed by its ids: the HTTP line gives the job id, whose workflow and activity lines carry the same request id', async () => {
    const { api, userId } = await signUp();
    const hook = await api.request('POST', '/api/developer/webhooks', { url: receiverUrl, events: ['job.completed'] });
    assert.equal(hook.status, 201, hook.text);
    remember('webhook endpoint secret', hook.json['secret']);

    const requestId = `trace-${randomUUID()}`;
    const submitted = await api.request(
      'POST',
      '/api/audio/tts',
      { text: 'Logs tell the story.' },
      {
        'x-request-id': requestId,
      },
    );
    assert.equal(submitted.status, 202, submitted.text);
    assert.equal(submitted.headers.get('x-request-id'), requestId, 'the request id is echoed back');
    const final = await api.waitForJob(submitted.json['jobId'] as string, { timeoutMs: 240_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));

    // The workflow's last line and the webhook delivery come after the row says completed.
    const deadline = Date.now() + 60_000;
    const jobIdOfRequest = () =>
      records().find((record) => record.requestId === requestId && typeof record['res'] === 'object')?.['jobId'];
    while (
      !records().some((r) => r.msg === 'job completed' && r['jobId'] === jobIdOfRequest()) ||
      !records().some((r) => r['activityType'] === 'deliverWebhook' && r.requestId === requestId) ||
      deliveries.length === 0
    ) {
      assert.ok(Date.now() < deadline, 'the workflow logged its end and the webhook was delivered within a minute');
      await sleep(200);
    }
    const all = records();

    // 1. The HTTP line, found by the request id alone, names the job and the caller.
    const http = all.filter((r) => r.requestId === requestId && typeof r['res'] === 'object');
    assert.equal(http.length, 1, 'one line for the request');
    const [httpLine] = http;
    assert.ok(httpLine);
    assert.equal(httpLine.level, 'info');
    assert.deepEqual(httpLine['req'], { method: 'POST', url: '/api/audio/tts', remoteAddress: '127.0.0.1' });
    assert.deepEqual(httpLine['res'], { statusCode: 202 });
    assert.equal(httpLine['userId'], userId);
    assert.equal(typeof httpLine['responseTime'], 'number');
    const jobId = httpLine['jobId'];
    assert.equal(jobId, submitted.json['jobId'], 'the HTTP line carries the job id');
    const submitLine = all.find((r) => r.msg === 'job submitted' && r.requestId === requestId);
    assert.equal(submitLine?.['jobId'], jobId, 'the submit line has both ids');
    assert.equal(submitLine?.['userId'], userId);

    // 2. Workflow lines with that job id carry the request id, the workflow id and the run id.
    const workflowLines = all.filter((r) => r['sdkComponent'] === 'workflow' && r['jobId'] === jobId && atLeastInfo(r));
    assert.deepEqual(
      workflowLines.map((r) => r.msg),
      ['job started', 'job completed'],
    );
    const runId = workflowLines[0]?.['runId'];
    assert.equal(typeof runId, 'string');
    for (const line of workflowLines) {
      assert.equal(line.requestId, requestId, `${line.msg}: request id`);
      assert.equal(line['workflowId'], `job-${String(jobId)}`);
      assert.equal(line['runId'], runId);
      assert.equal(line['workflowType'], 'pipelineWorkflow');
    }

    // 3. Activity lines of that job, in this process and in the worker host, carry both ids and the same run id.
    const activityLines = all.filter((r) => r['sdkComponent'] === 'activity' && r['jobId'] === jobId && atLeastInfo(r));
    const types = new Set(activityLines.map((r) => r['activityType']));
    for (const expected of ['markJobRunning', 'runTts', 'settleCredits', 'markJobCompleted']) {
      assert.ok(types.has(expected), `an info line for ${expected} (saw ${[...types].join(', ')})`);
    }
    for (const line of activityLines) {
      assert.equal(line.requestId, requestId, `${String(line['activityType'])}: request id`);
      assert.equal(line['runId'], runId, `${String(line['activityType'])}: run id`);
      assert.equal(line['workflowId'], `job-${String(jobId)}`);
      assert.equal(line['taskToken'], undefined, 'the task token is not logged');
    }
    const pids = new Set(activityLines.map((r) => r.pid));
    assert.ok(pids.size >= 2, 'the request id crossed into the worker host with the activity header');
    assert.ok(pids.has(process.pid), 'bookkeeping ran in this process');

    // 4. The webhook delivery (a child workflow) is part of the same request.
    const delivery = all.find((r) => r['activityType'] === 'deliverWebhook' && r.requestId === requestId);
    assert.ok(delivery, 'the delivery activity logged with the request id');
    remember('webhook-signature', deliveries[0]?.headers['webhook-signature']);

    // 5. A request without an id gets a fresh one; one that is not a short token is replaced, not logged.
    const plain = await api.request('GET', '/api/user/me');
    const generated = plain.headers.get('x-request-id');
    assert.match(generated ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(records().some((r) => r.requestId === generated && typeof r['res'] === 'object'));
    const hostile = `bad id\nwith "quotes" ${'x'.repeat(80)}`.replace(/\n/g, ' ');
    const replaced = await api.request('GET', '/api/user/me', undefined, { 'x-request-id': hostile });
    assert.notEqual(replaced.headers.get('x-request-id'), hostile);
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(!lines.some((line) => line.includes('with \\"quotes\\"')), 'the caller’s text never reaches a line');
  });

  test('no password, token, API key, cookie, signature or secret reaches a log line, at LOG_LEVEL=debug', async () => {
    const { api, email, password } = await signUp();

    // The refresh cookie, presented: a new access token and a new cookie come back.
    const refreshed = await fetch(`${platform.apiUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie: `refresh_token=${secrets.get('refresh token') ?? ''}` },
    });
    assert.equal(refreshed.status, 200);
    remember('refreshed access token', ((await refreshed.json()) as JsonBody)['accessToken']);
    remember('rotated refresh token', refreshed.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1]);

    // A password reset: the mailed token and the new password.
    assert.equal((await api.request('POST', '/api/auth/forgot-password', { email })).status, 202);
    const [resetMail] = await waitForMail(platform.mailbox, email, { subject: /^Reset your/ });
    assert.ok(resetMail, 'the reset mail arrived');
    const resetToken = new URL(linkIn(resetMail, /reset-password/)).hash.replace(/^#token=/, '');
    remember('password reset token', decodeURIComponent(resetToken));
    const newPassword = `${password} renewed`;
    remember('new password', newPassword);
    const reset = await api.request('POST', '/api/auth/reset-password', {
      token: decodeURIComponent(resetToken),
      password: newPassword,
    });
    assert.ok(reset.status < 300, reset.text);
    const relogin = await api.request('POST', '/api/auth/login', { email, password: newPassword });
    assert.equal(relogin.status, 200, relogin.text);
    api.accessToken = relogin.json['accessToken'] as string;
    remember('access token after reset', api.accessToken);
    const wrong = await api.request('POST', '/api/auth/login', { email, password: `${password} wrong` });
    assert.equal(wrong.status, 401);

    // An API key, used as a Bearer token.
    const key = await api.request('POST', '/api/developer/api-keys', { name: 'logs', scopes: ['jobs:read'] });
    assert.equal(key.status, 201, key.text);
    remember('API key', key.json['secret']);
    const withKey = await fetch(`${platform.apiUrl}/api/jobs/history`, {
      headers: { authorization: `Bearer ${String(key.json['secret'])}` },
    });
    assert.equal(withKey.status, 200);
    const badKey = `vk_${randomBytes(20).toString('hex')}`;
    remember('unknown API key', badKey);
    assert.equal(
      (await fetch(`${platform.apiUrl}/api/jobs/history`, { headers: { authorization: `Bearer ${badKey}` } })).status,
      401,
    );

    // The callback secret, handed out on request.
    const callback = await api.request('GET', '/api/developer/webhooks/callback-secret');
    assert.equal(callback.status, 200, callback.text);
    remember('callback secret', callback.json['secret']);

    // A Razorpay purchase: the checkout's signature at confirm, then the signed webhook for the captured payment.
    const intent = await api.request(
      'POST',
      '/api/payment/create-intent',
      { packageId: 'basic', provider: 'razorpay' },
      {
        'idempotency-key': randomUUID(),
      },
    );
    assert.equal(intent.status, 201, intent.text);
    const payment = intent.json['payment'] as JsonBody;
    const paid = razorpay.pay(payment['providerPaymentId'] as string);
    remember('razorpay checkout signature', paid.signature);
    const confirmedPayment = await api.request('POST', '/api/payment/confirm', {
      paymentId: payment['id'],
      razorpayPaymentId: paid.paymentId,
      razorpaySignature: paid.signature,
    });
    assert.equal(confirmedPayment.status, 200, confirmedPayment.text);
    const entity = razorpay.payment(paid.paymentId);
    assert.ok(entity);
    const delivery = razorpay.webhook('payment.captured', { payment: { entity } });
    remember('x-razorpay-signature', delivery.headers['x-razorpay-signature']);
    const signed = await fetch(`${platform.apiUrl}/api/payment/webhooks/razorpay`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    assert.equal(signed.status, 200);
    const forgedSignature = randomBytes(32).toString('hex');
    remember('forged x-razorpay-signature', forgedSignature);
    const forged = await fetch(`${platform.apiUrl}/api/payment/webhooks/razorpay`, {
      method: 'POST',
      headers: { ...delivery.headers, 'x-razorpay-signature': forgedSignature },
      body: delivery.body,
    });
    assert.equal(forged.status, 400);
    for (const [provider, header] of [
      ['stripe', 'stripe-signature'],
      ['paypal', 'paypal-transmission-sig'],
    ] as const) {
      const value = `${header}-${randomBytes(16).toString('hex')}`;
      remember(header, value);
      await fetch(`${platform.apiUrl}/api/payment/webhooks/${provider}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [header]: value },
        body: '{"id":"evt_1"}',
      });
    }

    // The admin's second factor: the TOTP secret, the recovery codes and the sign-in's MFA token.
    const admin = await api.request('POST', '/api/auth/login', { email: adminEmail, password: adminPassword });
    assert.equal(admin.status, 200, admin.text);
    const adminToken = admin.json['accessToken'] as string;
    remember('admin access token', adminToken);
    const adminApi = new ApiClient(platform.apiUrl);
    adminApi.accessToken = adminToken;
    const enrolment = await adminApi.request('POST', '/api/admin/mfa/enrol');
    assert.equal(enrolment.status, 200, enrolment.text);
    const totpSecret = enrolment.json['secret'] as string;
    remember('TOTP secret', totpSecret);
    const confirmed = await adminApi.request('POST', '/api/admin/mfa/confirm', {
      code: TOTP.generate({ secret: Secret.fromBase32(totpSecret) }),
    });
    assert.equal(confirmed.status, 200, confirmed.text);
    for (const [index, code] of (confirmed.json['recoveryCodes'] as string[]).entries()) {
      remember(`recovery code ${index}`, code);
    }
    const challenge = await api.request('POST', '/api/auth/login', { email: adminEmail, password: adminPassword });
    assert.equal(challenge.status, 200, challenge.text);
    remember('MFA token', challenge.json['mfaToken']);
    const recovered = await api.request('POST', '/api/auth/mfa', {
      mfaToken: challenge.json['mfaToken'],
      code: (confirmed.json['recoveryCodes'] as string[])[0],
    });
    assert.equal(recovered.status, 200, recovered.text);
    remember('MFA access token', recovered.json['accessToken']);

    // Let the fulfilment workflow and any background work log what they will.
    await sleep(1_000);

    const all = lines.slice();
    assert.ok(all.length > 100, `the platform logged (${all.length} lines)`);
    for (const line of all) assert.doesNotThrow(() => JSON.parse(line), `not a JSON line: ${line.slice(0, 200)}`);
    assert.ok(
      records().some((r) => r.level === 'debug'),
      'debug lines were written, so the search covered the most verbose level',
    );
    const leaks: string[] = [];
    for (const [what, value] of secrets) {
      const line = all.find((candidate) => candidate.includes(value));
      if (line) leaks.push(`${what} in: ${line.slice(0, 400)}`);
    }
    assert.deepEqual(leaks, [], 'no secret value appears in any log line');
    assert.ok(secrets.size >= 25, `searched for ${secrets.size} secrets`);
  });
});
