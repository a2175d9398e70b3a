import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { request, startTestApi } from './helpers/test-api';

describe('GET /api/auth/mail-delivery (so the web app can say where a verification link went)', () => {
  it('answers outbox without SMTP_URL and smtp with it, to anyone', async () => {
    for (const [env, expected] of [
      [{}, 'outbox'],
      [{ SMTP_URL: 'smtp://127.0.0.1:1' }, 'smtp'],
    ] as const) {
      const api = await startTestApi({ env });
      try {
        const response = await request<{ delivery: string }>(api, 'GET', '/api/auth/mail-delivery');
        assert.equal(response.status, 200);
        assert.deepEqual(response.body, { delivery: expected });
      } finally {
        await api.close();
      }
    }
  });
});
