import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listPaymentsForUser } from '@voice/db';

import { registerUser, request, startTestApi, type TestApi } from './helpers/test-api';

/**
 * A server started without any payment keys: every provider is listed as unavailable with the variables it needs,
 * and create-intent answers 400 naming them, having recorded nothing. Nothing is ever faked in the product.
 */
describe('payments without provider keys', () => {
  let api: TestApi;

  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api?.close();
  });

  test('the listing names what to set, and create-intent is a 400 that records nothing', async () => {
    const listed = await request<{ providers: Array<{ provider: string; available: boolean; missing: string[] }> }>(
      api,
      'GET',
      '/api/payment/packages',
    );
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.providers, [
      { provider: 'stripe', available: false, missing: ['STRIPE_SECRET_KEY'] },
      { provider: 'razorpay', available: false, missing: ['RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET'] },
      { provider: 'paypal', available: false, missing: ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET'] },
    ]);

    const user = await registerUser(api);
    const refused = await request<{ error: { code: string; message: string } }>(
      api,
      'POST',
      '/api/payment/create-intent',
      { body: { packageId: 'pro', provider: 'razorpay' }, token: user.accessToken },
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'PROVIDER_UNAVAILABLE');
    assert.match(refused.body.error.message, /Razorpay .*set RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET/);
    const page = await listPaymentsForUser(api.database.db, user.response.body.user.id, { limit: 10 });
    assert.equal(page.payments.length, 0);

    // A webhook for an unconfigured provider is refused too, so the provider retries once it is configured.
    const webhook = await fetch(`${api.baseUrl}/api/payment/webhooks/paypal`, { method: 'POST', body: '{}' });
    assert.equal(webhook.status, 400);
    const unknown = await fetch(`${api.baseUrl}/api/payment/webhooks/bitcoin`, { method: 'POST', body: '{}' });
    assert.equal(unknown.status, 400);
  });
});
