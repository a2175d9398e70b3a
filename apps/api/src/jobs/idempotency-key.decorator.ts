import { createHash } from 'node:crypto';
import { HttpStatus, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';

/** Stripe's limit, so keys clients already generate for payments fit here too. */
const MAX_KEY_LENGTH = 255;

/** An `Idempotency-Key` header and the route it was sent to (part of the request's fingerprint). */
export interface Idempotency {
  key: string;
  /** Method and path, e.g. `POST /api/audio/denoise`. */
  route: string;
}

/**
 * The optional `Idempotency-Key` header of a submit request. A retried request with the same key (after a
 * timeout, say) gets the job the first one created instead of starting a second one.
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  idempotencyOf(context.switchToHttp().getRequest<Request>()),
);

/** The request's Idempotency-Key and route, or undefined without the header; 400 for a bad key. */
export function idempotencyOf(request: Request): Idempotency | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > MAX_KEY_LENGTH) {
    throw new DomainError(
      'INVALID_IDEMPOTENCY_KEY',
      HttpStatus.BAD_REQUEST,
      `Idempotency-Key must be 1–${MAX_KEY_LENGTH} characters`,
    );
  }
  // The path without the query string: the endpoint is part of what a request is.
  return { key, route: `${request.method} ${request.path}` };
}

/** The job id a key maps to for one user: a name-based UUID, so the workflow id itself deduplicates. */
export function jobIdForIdempotencyKey(userId: string, key: string): string {
  const hex = createHash('sha256').update(`${userId}\u0000${key}`).digest('hex');
  // Shape it as an RFC 4122 version-5-style UUID so it fits the uuid column and validators.
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}
