import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { refreshTokens, type RefreshToken } from '../schema';
import { single } from './locks';

export interface NewRefreshToken {
  userId: string;
  /** One login's rotation chain; reuse of any member revokes the whole family. */
  familyId: string;
  /** sha256 of the opaque token. */
  tokenHash: string;
  expiresAt: Date;
  /** The sign-in passed a second factor; defaults to false. Carried over on rotation by the caller. */
  mfa?: boolean;
}

/**
 * Outcome of presenting a refresh token. 'reused' means it was already rotated: treat as theft and revoke
 * the family. 'ok' is returned to exactly one caller per token.
 */
export type ConsumeRefreshTokenResult =
  | { status: 'ok'; token: RefreshToken }
  | { status: 'reused'; token: RefreshToken }
  | { status: 'expired' | 'revoked' | 'unknown' };

export async function insertRefreshToken(db: Database, token: NewRefreshToken): Promise<RefreshToken> {
  return single(await db.insert(refreshTokens).values(token).returning(), 'refresh_tokens');
}

/**
 * Marks the token used if it is live. The conditional UPDATE is the atomic step: of two concurrent refreshes
 * with one token, only one matches `used_at is null`; the other then sees it used and gets 'reused'.
 */
export async function consumeRefreshToken(
  db: Database,
  tokenHash: string,
  now: Date,
): Promise<ConsumeRefreshTokenResult> {
  const [consumed] = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.usedAt),
        isNull(refreshTokens.revokedAt),
        gt(refreshTokens.expiresAt, now),
      ),
    )
    .returning();
  if (consumed) return { status: 'ok', token: consumed };

  const [token] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  if (!token) return { status: 'unknown' };
  // Reuse wins over revoked/expired: a rotated token showing up again is the theft signal.
  if (token.usedAt) return { status: 'reused', token };
  if (token.revokedAt) return { status: 'revoked' };
  return { status: 'expired' };
}

/** Revokes every live token of a family (logout, or reuse detected). Returns how many were revoked. */
export async function revokeFamily(db: Database, familyId: string, now: Date): Promise<number> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length;
}

/** Revokes one token; false if it was unknown or already revoked. */
export async function revokeToken(db: Database, tokenHash: string, now?: Date): Promise<boolean> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now ?? sql`now()` })
    .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length > 0;
}

/** Revokes every live token of a user (every sign-in on every device). Returns how many were revoked. */
export async function revokeUserRefreshTokens(db: Database, userId: string, now: Date): Promise<number> {
  const rows = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return rows.length;
}
