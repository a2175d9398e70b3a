import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DomainError } from '../src/common/domain-error';
import { assertDeliverableUrl } from '../src/developer/webhooks.service';

describe('webhook URLs at registration', () => {
  const publicOnly = { WEBHOOK_ALLOW_PRIVATE: false };

  for (const url of ['http://127.0.0.1/', 'http://localhost:8080/hook', 'http://[::1]/', 'http://192.168.1.10/']) {
    it(`refuses ${url} with 400 unless WEBHOOK_ALLOW_PRIVATE`, async () => {
      await assert.rejects(
        assertDeliverableUrl(url, publicOnly, 'url'),
        (error: unknown) =>
          error instanceof DomainError &&
          error.code === 'VALIDATION_FAILED' &&
          /private or loopback/.test(error.message),
      );
      assert.match(await assertDeliverableUrl(url, { WEBHOOK_ALLOW_PRIVATE: true }, 'url'), /^http:\/\//);
    });
  }

  it('names the field in the error', async () => {
    await assert.rejects(
      assertDeliverableUrl('ftp://example.com/', publicOnly, 'callback_url'),
      (error: unknown) =>
        error instanceof DomainError && error.message.startsWith('Invalid request body: callback_url:'),
    );
  });
});
