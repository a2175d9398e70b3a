import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { type Database, findApiKeyByHash, touchApiKey } from '@voice/db';
import type { Request } from 'express';

import { DomainError } from '../../common/domain-error';
import { DATABASE } from '../../common/tokens';
import type { AuthPrincipal } from '../auth-principal';
import type { AuthStrategy } from '../auth-strategy';
import { API_KEY_PATTERN, API_KEY_PREFIX, hashApiKey } from './api-key-secret';

/** `last_used_at` is kept to the minute: one write per key per minute, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const BEARER_API_KEY = new RegExp(`^Bearer\\s+(${API_KEY_PREFIX}\\S*)\\s*$`, 'i');

function invalidApiKey(): DomainError<'INVALID_API_KEY'> {
  return new DomainError('INVALID_API_KEY', HttpStatus.UNAUTHORIZED, 'Invalid API key');
}

/**
 * `X-API-Key: vp_live_…` or `Authorization: Bearer vp_live_…` (a JWT never starts with the key prefix, so the
 * bearer JWT strategy keeps every other token). Each request looks its key up in the database by hash, one indexed
 * query with no cache, so a revoked or expired key is refused on its very next request. Keys of a suspended account
 * are revoked by the suspension (revokeApiKeysOfUser).
 */
@Injectable()
export class ApiKeyStrategy implements AuthStrategy {
  readonly name = 'api-key';

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async authenticate(request: Request): Promise<AuthPrincipal | null> {
    const secret = presentedKey(request);
    if (secret === undefined) return null;
    if (!API_KEY_PATTERN.test(secret)) throw invalidApiKey();
    const found = await findApiKeyByHash(this.db, hashApiKey(secret));
    if (!found) throw invalidApiKey();
    const { key, owner } = found;
    const now = new Date();
    if (key.revokedAt) throw new DomainError('API_KEY_REVOKED', HttpStatus.UNAUTHORIZED, 'This API key was revoked');
    if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) {
      throw new DomainError('API_KEY_EXPIRED', HttpStatus.UNAUTHORIZED, 'This API key has expired');
    }
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await touchApiKey(this.db, key.id, now, LAST_USED_RESOLUTION_MS);
    }
    return { userId: owner.id, role: owner.role, method: 'api-key', mfa: false, apiKeyId: key.id, scopes: key.scopes };
  }
}

/** The key a request presents, if it presents one (trimmed; validated by the caller). */
function presentedKey(request: Request): string | undefined {
  const header = request.headers['x-api-key'];
  // Node joins a repeated X-API-Key into one string, which then fails the pattern: two keys are no key.
  if (typeof header === 'string') return header.trim();
  const authorization = request.headers.authorization;
  if (authorization === undefined) return undefined;
  return BEARER_API_KEY.exec(authorization)?.[1];
}
