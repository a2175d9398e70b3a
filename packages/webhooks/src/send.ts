import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';

import type { VettedUrl } from './ssrf-guard';

/** Per Standard Webhooks' guidance: a receiver should answer fast and do its work later. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
// The answer is only read to let the connection finish cleanly; its size is capped so a receiver cannot stream.
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface WebhookResponse {
  /** Any 2xx. */
  ok: boolean;
  /** Null when no response came (connection refused, timeout). */
  statusCode: number | null;
  /** Why it failed, for the delivery log; null on success. */
  error: string | null;
}

export interface PostWebhookOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs?: number;
  /** Extra CA certificates, for receivers with a private CA (tests). */
  ca?: string | Buffer;
}

/**
 * POSTs one delivery to an address the guard vetted. The connection goes to `target.address` whatever the name
 * resolves to now (a custom `lookup`), so DNS rebinding between the check and the connect cannot redirect it;
 * TLS still checks the certificate against the host name. Redirects are not followed: a 3xx is a failure.
 * Never rejects: every outcome is a WebhookResponse.
 */
export function postWebhook(target: VettedUrl, options: PostWebhookOptions): Promise<WebhookResponse> {
  const { url } = target;
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    // Node asks for every address when it races families (autoSelectFamily); answer with the one vetted.
    if (lookupOptions.all) {
      callback(null, [{ address: target.address, family: target.family }]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  const transport = url.protocol === 'https:' ? https : http;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return new Promise<WebhookResponse>((resolve) => {
    let settled = false;
    const finish = (response: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(response);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        // A fresh connection per attempt: a pooled socket would skip the pinned lookup.
        agent: false,
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(options.body)),
          'user-agent': 'voice-platform-webhooks/1',
        },
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (response) => {
        const statusCode = response.statusCode ?? null;
        const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
        const error = ok
          ? null
          : statusCode !== null && statusCode >= 300 && statusCode < 400
            ? `HTTP ${statusCode}: redirects are not followed`
            : `HTTP ${statusCode ?? '?'}`;
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            finish({ ok, statusCode, error });
            response.destroy();
          }
        });
        response.on('end', () => finish({ ok, statusCode, error }));
        response.on('close', () => finish({ ok, statusCode, error }));
        response.on('error', () => finish({ ok, statusCode, error }));
      },
    );
    // One bound for the whole attempt (connect, send, answer), not an idle timer that a trickle could keep alive.
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) => finish({ ok: false, statusCode: null, error: error.message }));
    request.end(options.body);
  });
}
