import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { linkIn, MailpitMailbox, waitForMail } from '@voice/testkit';
import { ApiClient, startTestPlatform, type TestPlatform } from '../src';

/** A sign-in over raw HTTP, keeping the refresh cookie the ApiClient does not. */
async function signIn(baseUrl: string, email: string, password: string) {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith('refresh_token='));
  return { status: response.status, cookie: cookie?.split(';')[0] };
}

const refresh = (baseUrl: string, cookie: string | undefined) =>
  fetch(`${baseUrl}/api/auth/refresh`, { method: 'POST', headers: cookie ? { cookie } : {} }).then((r) => r.status);

/**
 * The whole platform on PostgreSQL and Temporal, mailing over real SMTP to Mailpit (when the run has it): what a
 * new user goes through before the first download, and a password reset.
 */
describe('account email on the whole platform (PostgreSQL, Temporal, SMTP)', { timeout: 300_000 }, () => {
  let platform: TestPlatform;

  before(async () => {
    platform = await startTestPlatform();
  });
  after(async () => platform?.close());

  test('the test platform mails over SMTP to Mailpit when the run has one', (t) => {
    if (!process.env['TEST_SMTP_URL']) return t.skip('no test SMTP server in this run: the outbox is used');
    assert.ok(platform.mailbox instanceof MailpitMailbox);
  });

  test('an unverified user completes a real job but downloads it only after opening the mailed link', async () => {
    const email = `e2e-verify-${randomUUID()}@example.com`;
    const api = new ApiClient(platform.apiUrl);
    const user = await api.register(email);
    assert.equal(user.emailVerified, false);

    const accepted = await api.request('POST', '/api/audio/generate-sfx', {
      description: 'rain',
      duration: 2,
      seed: 3,
    });
    assert.equal(accepted.status, 202, accepted.text);
    const jobId = accepted.json['jobId'] as string;
    const final = await api.waitForJob(jobId, { timeoutMs: 180_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));

    const credits = await api.credits();
    const refused = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json['error']?.['code'], 'EMAIL_NOT_VERIFIED');
    assert.deepEqual(await api.credits(), credits, 'a refused download changes no credits');

    const [mail] = await waitForMail(platform.mailbox, email, { subject: /^Confirm your email/ });
    assert.ok(mail);
    assert.match(mail.text, /\/api\/auth\/verify-email\/[\w-]{43}/, 'the link is in the plain-text part');
    const linkPath = new URL(linkIn(mail, /\/api\/auth\/verify-email\//)).pathname;
    const opened = await fetch(`${platform.apiUrl}${linkPath}`, { redirect: 'manual' });
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.get('location'), '/?verified=1');

    const download = await api.request('POST', `/api/audio/download/${jobId}`);
    assert.equal(download.status, 200, download.text);
    const file = await fetch(download.json['url'] as string);
    assert.equal(file.status, 200);
    assert.equal(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
      'RIFF',
    );
  });

  test('a mailed reset link sets a new password once and ends every earlier sign-in', async () => {
    const email = `e2e-reset-${randomUUID()}@example.com`;
    const oldPassword = 'correct horse battery';
    await platform.api().register(email, oldPassword);
    const before = await signIn(platform.apiUrl, email, oldPassword);
    assert.equal(before.status, 200);

    const forgot = await fetch(`${platform.apiUrl}/api/auth/forgot-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    assert.equal(forgot.status, 202);
    const [mail] = await waitForMail(platform.mailbox, email, { subject: /^Reset your/ });
    assert.ok(mail);
    const token = new URL(linkIn(mail, /\/reset-password#token=/)).hash.slice('#token='.length);

    const reset = (password: string) =>
      fetch(`${platform.apiUrl}/api/auth/reset-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, password }),
      });
    assert.equal((await reset('a brand new passphrase')).status, 204);
    assert.equal(await refresh(platform.apiUrl, before.cookie), 401, 'the old refresh cookie is revoked');
    assert.equal((await signIn(platform.apiUrl, email, oldPassword)).status, 401);
    assert.equal((await signIn(platform.apiUrl, email, 'a brand new passphrase')).status, 200);
    const reused = await reset('yet another passphrase');
    assert.equal(reused.status, 400);
    assert.equal(((await reused.json()) as { error: { code: string } }).error.code, 'TOKEN_USED');
  });
});
