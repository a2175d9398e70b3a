import type { IncomingHttpHeaders } from 'node:http';

import { WebhookSignatureError } from './payment-provider';

/**
 * What the client sent to the confirm path does not prove a payment (Razorpay: the checkout's payment id or signature
 * is missing, forged, or names another order): answer 400, nothing done.
 */
export class PaymentEvidenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentEvidenceError';
  }
}

/**
 * Replaces every configured secret in a provider's text with a marker before it goes into an error message: some
 * echo credentials back (stripe-mock's 401 quotes the Authorization header).
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** The one value of a signature header; a repeated one is treated as forged (which copy would we trust?). */
export function signatureHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) throw new WebhookSignatureError(`${name} header is repeated`);
  return value === undefined || value === '' ? undefined : value;
}

/** The JSON object of a verified body; anything else is refused like a bad signature (nothing to act on). */
export function parseJsonObject(rawBody: Buffer, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookSignatureError(`${what} body is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WebhookSignatureError(`${what} body is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
