import { and, count, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { mfaRecoveryCodes, userMfa, type UserMfa } from '../schema';

/** A TOTP secret as sealed by the caller (SecretBox): never plaintext. */
export interface SealedMfaSecret {
  keyId: string;
  ciphertext: string;
}

export async function findUserMfa(db: Database, userId: string): Promise<UserMfa | undefined> {
  const [row] = await db.select().from(userMfa).where(eq(userMfa.userId, userId));
  return row;
}

/** True once the user has confirmed a TOTP factor. */
export async function isMfaEnrolled(db: Database, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: userMfa.userId })
    .from(userMfa)
    .where(and(eq(userMfa.userId, userId), isNotNull(userMfa.enrolledAt)));
  return row !== undefined;
}

/**
 * Stores a new pending (unconfirmed) secret, replacing an earlier pending one. Returns undefined, changing
 * nothing, when the user already has a confirmed factor: the conditional upsert makes that check atomic.
 */
export async function savePendingMfa(
  db: Database,
  userId: string,
  secret: SealedMfaSecret,
): Promise<UserMfa | undefined> {
  const [row] = await db
    .insert(userMfa)
    .values({ userId, secretKeyId: secret.keyId, secretCiphertext: secret.ciphertext })
    .onConflictDoUpdate({
      target: userMfa.userId,
      set: {
        secretKeyId: secret.keyId,
        secretCiphertext: secret.ciphertext,
        lastUsedStep: null,
        updatedAt: sql`now()`,
      },
      setWhere: isNull(userMfa.enrolledAt),
    })
    .returning();
  return row;
}

export interface ConfirmMfaArgs {
  userId: string;
  /** The pending ciphertext the first code was checked against: a concurrent re-enrolment must not be confirmed. */
  ciphertext: string;
  /** The time step of that first code; it may not be used again to sign in. */
  step: number;
  /** sha256 hashes of the new recovery codes. */
  recoveryCodeHashes: readonly string[];
  now: Date;
}

/**
 * Confirms a pending factor and replaces the recovery codes, in one transaction. Returns false (nothing
 * changed) when there is no such pending enrolment: already confirmed, or replaced meanwhile.
 */
export async function confirmMfaEnrolment(db: Database, args: ConfirmMfaArgs): Promise<boolean> {
  return db.transaction(async (tx) => {
    const confirmed = await tx
      .update(userMfa)
      .set({ enrolledAt: args.now, lastUsedStep: args.step, updatedAt: args.now })
      .where(
        and(eq(userMfa.userId, args.userId), isNull(userMfa.enrolledAt), eq(userMfa.secretCiphertext, args.ciphertext)),
      )
      .returning({ userId: userMfa.userId });
    if (confirmed.length === 0) return false;
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, args.userId));
    if (args.recoveryCodeHashes.length > 0) {
      await tx
        .insert(mfaRecoveryCodes)
        .values(args.recoveryCodeHashes.map((codeHash) => ({ userId: args.userId, codeHash })));
    }
    return true;
  });
}

/**
 * Accepts a TOTP time step for sign-in: true for exactly one caller per step, and only if the step is newer
 * than every step accepted before (so a code is refused once it, or a later one, was used). Atomic: two
 * concurrent sign-ins with one code cannot both pass.
 */
export async function acceptTotpStep(db: Database, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(userMfa)
    .set({ lastUsedStep: step, updatedAt: sql`now()` })
    .where(
      and(
        eq(userMfa.userId, userId),
        isNotNull(userMfa.enrolledAt),
        or(isNull(userMfa.lastUsedStep), lt(userMfa.lastUsedStep, step)),
      ),
    )
    .returning({ userId: userMfa.userId });
  return rows.length > 0;
}

/** Marks a recovery code used; true for exactly one caller per unused code of an enrolled user. */
export async function consumeRecoveryCode(db: Database, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(mfaRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, userId),
        eq(mfaRecoveryCodes.codeHash, codeHash),
        isNull(mfaRecoveryCodes.usedAt),
        sql`exists (select 1 from ${userMfa} where ${userMfa.userId} = ${userId} and ${userMfa.enrolledAt} is not null)`,
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(mfaRecoveryCodes)
    .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/**
 * Replaces a secret sealed under an old key with the same secret sealed under the current one (key rotation).
 * Conditional on the old ciphertext, so it never overwrites a secret changed meanwhile.
 */
export async function resealMfaSecret(
  db: Database,
  userId: string,
  previousCiphertext: string,
  secret: SealedMfaSecret,
): Promise<boolean> {
  const rows = await db
    .update(userMfa)
    .set({ secretKeyId: secret.keyId, secretCiphertext: secret.ciphertext, updatedAt: sql`now()` })
    .where(and(eq(userMfa.userId, userId), eq(userMfa.secretCiphertext, previousCiphertext)))
    .returning({ userId: userMfa.userId });
  return rows.length > 0;
}
