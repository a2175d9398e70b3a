import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { accountTokens, refreshTokens, users, type AccountToken, type AccountTokenPurpose } from '../schema';
import { single } from './locks';

export interface NewAccountToken {
  userId: string;
  purpose: AccountTokenPurpose;
  /** sha256 of the opaque token that goes into the link. */
  tokenHash: string;
  expiresAt: Date;
}

/**
 * Outcome of presenting a mailed token. 'ok' is returned to exactly one caller per token; 'used' also covers a
 * token that a newer one of the same purpose replaced.
 */
export type ConsumeAccountTokenResult =
  { status: 'ok'; token: AccountToken } | { status: 'used' | 'expired' | 'unknown' };

/**
 * Stores a new token and retires the user's earlier unused ones of the same purpose, in one transaction: only the
 * newest link mailed for a purpose works, so an older mail lying around in an inbox cannot be replayed.
 */
export async function issueAccountToken(db: Database, token: NewAccountToken): Promise<AccountToken> {
  return db.transaction(async (tx) => {
    await tx
      .update(accountTokens)
      .set({ usedAt: sql`now()` })
      .where(
        and(
          eq(accountTokens.userId, token.userId),
          eq(accountTokens.purpose, token.purpose),
          isNull(accountTokens.usedAt),
        ),
      );
    return single(await tx.insert(accountTokens).values(token).returning(), 'account_tokens');
  });
}

/**
 * Marks the token used if it is live and of `purpose`. The conditional UPDATE is the atomic step: of two concurrent
 * uses only one matches `used_at is null`. Pass a transaction to make what the token grants part of the same commit.
 */
export async function consumeAccountToken(
  db: Database,
  args: { purpose: AccountTokenPurpose; tokenHash: string; now: Date },
): Promise<ConsumeAccountTokenResult> {
  const [consumed] = await db
    .update(accountTokens)
    .set({ usedAt: args.now })
    .where(
      and(
        eq(accountTokens.tokenHash, args.tokenHash),
        eq(accountTokens.purpose, args.purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, args.now),
      ),
    )
    .returning();
  if (consumed) return { status: 'ok', token: consumed };

  const [token] = await db
    .select()
    .from(accountTokens)
    .where(and(eq(accountTokens.tokenHash, args.tokenHash), eq(accountTokens.purpose, args.purpose)));
  if (!token) return { status: 'unknown' };
  if (token.usedAt) return { status: 'used' };
  return { status: 'expired' };
}

/** Consumes a verify_email token and marks the user's email verified (kept if it already was), atomically. */
export async function verifyEmailWithToken(
  db: Database,
  args: { tokenHash: string; now: Date },
): Promise<ConsumeAccountTokenResult> {
  return db.transaction(async (tx) => {
    const result = await consumeAccountToken(tx, { purpose: 'verify_email', ...args });
    if (result.status === 'ok') {
      await tx
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${args.now})`, updatedAt: args.now })
        .where(eq(users.id, result.token.userId));
    }
    return result;
  });
}

/**
 * Ends every way of acting as the user that outlives a password change: each refresh-token family (all signed-in
 * devices). Returns how many refresh tokens were revoked.
 *
 * API keys, when they exist, must be revoked here too (same transaction), so a reset also locks out a key an
 * attacker minted with the stolen password. Access JWTs are stateless and lapse within ACCESS_TOKEN_TTL_SECONDS.
 */
export async function revokeUserSessions(db: Database, userId: string, now: Date): Promise<{ refreshTokens: number }> {
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return { refreshTokens: revoked.length };
}

/**
 * Consumes a reset_password token and, in the same transaction: sets the new password hash, revokes every session
 * of the user (revokeUserSessions), retires their other unused reset tokens, and marks the email verified (the
 * link proved the owner reads it). Either all of it happens or none.
 */
export async function resetPasswordWithToken(
  db: Database,
  args: { tokenHash: string; passwordHash: string; now: Date },
): Promise<ConsumeAccountTokenResult & { revokedRefreshTokens?: number }> {
  return db.transaction(async (tx) => {
    const result = await consumeAccountToken(tx, {
      purpose: 'reset_password',
      tokenHash: args.tokenHash,
      now: args.now,
    });
    if (result.status !== 'ok') return result;
    const userId = result.token.userId;
    await tx
      .update(users)
      .set({
        passwordHash: args.passwordHash,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${args.now})`,
        updatedAt: args.now,
      })
      .where(eq(users.id, userId));
    await tx
      .update(accountTokens)
      .set({ usedAt: args.now })
      .where(
        and(
          eq(accountTokens.userId, userId),
          eq(accountTokens.purpose, 'reset_password'),
          isNull(accountTokens.usedAt),
        ),
      );
    const revoked = await revokeUserSessions(tx, userId, args.now);
    return { ...result, revokedRefreshTokens: revoked.refreshTokens };
  });
}
