import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { apiKeys, users, type ApiKey, type ApiKeyScope, type User } from '../schema';
import { single } from './locks';

export interface NewApiKey {
  userId: string;
  name: string;
  /** sha256 (hex) of the secret. */
  keyHash: string;
  prefix: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
}

/** What authenticating one request needs: the key and the few fields of its owner that decide access. */
export interface ApiKeyWithOwner {
  key: ApiKey;
  owner: Pick<User, 'id' | 'role'>;
}

export async function insertApiKey(db: Database, key: NewApiKey): Promise<ApiKey> {
  return single(await db.insert(apiKeys).values(key).returning(), 'api_keys');
}

/** Live (not revoked, not expired at `now`) keys of a user, for the per-user cap. */
export async function countLiveApiKeys(db: Database, userId: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)`.mapWith(Number) })
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.userId, userId),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    );
  return row?.count ?? 0;
}

/** A user's keys, newest first, revoked and expired ones included (their status is derived by the caller). */
export async function listApiKeys(db: Database, userId: string): Promise<ApiKey[]> {
  return db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt));
}

export async function findApiKeyForUser(db: Database, userId: string, keyId: string): Promise<ApiKey | undefined> {
  const [key] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId)));
  return key;
}

/**
 * The key with this hash and its owner, in one query through the unique hash index. Called on every API-key
 * request with no cache in front, so a revocation (or its owner's suspension) takes effect on the next request.
 */
export async function findApiKeyByHash(db: Database, keyHash: string): Promise<ApiKeyWithOwner | undefined> {
  const [row] = await db
    .select({ key: apiKeys, owner: { id: users.id, role: users.role } })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.keyHash, keyHash));
  return row;
}

/**
 * Records a use, at most once per `minIntervalMs` per key: the condition makes concurrent requests (and other API
 * instances) write once, and the caller skips the call while the stored time is recent.
 */
export async function touchApiKey(db: Database, keyId: string, now: Date, minIntervalMs: number): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - minIntervalMs))),
      ),
    )
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

/** Revokes one of the user's keys; returns it (already-revoked keys keep their first revocation time). */
export async function revokeApiKey(
  db: Database,
  userId: string,
  keyId: string,
  now: Date,
): Promise<ApiKey | undefined> {
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning();
  return revoked ?? (await findApiKeyForUser(db, userId, keyId));
}

/**
 * Revokes every live key of a user, e.g. when an admin suspends the account. Effective at the next request of each
 * key (lookups are never cached). Returns how many keys were revoked.
 */
export async function revokeApiKeysOfUser(db: Database, userId: string, now: Date = new Date()): Promise<number> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length;
}
