import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { EmailTakenError } from '../errors';
import { creditLedger, refreshTokens, users, type User } from '../schema';
import { single } from './locks';

export interface CreateUserArgs {
  email: string;
  passwordHash: string;
  name: string;
  /** Free credit-seconds granted at sign-up; 0 grants nothing. */
  grantSeconds: number;
}

/**
 * Creates a user and their sign-up grant in one transaction (ledger key `grant:signup:<userId>`).
 * @throws EmailTakenError when the email exists, compared case-insensitively.
 */
export async function createUserWithGrant(db: Database, args: CreateUserArgs): Promise<User> {
  if (!Number.isSafeInteger(args.grantSeconds) || args.grantSeconds < 0) {
    throw new RangeError(`grantSeconds must be a non-negative integer, got ${args.grantSeconds}`);
  }
  return db.transaction(async (tx) => {
    // ON CONFLICT DO NOTHING (against the lower(email) unique index) instead of catching a driver-specific
    // unique-violation error, which would also abort the transaction.
    const [user] = await tx
      .insert(users)
      .values({
        email: args.email,
        passwordHash: args.passwordHash,
        name: args.name,
        creditsBalance: args.grantSeconds,
      })
      .onConflictDoNothing()
      .returning();
    if (!user) throw new EmailTakenError(args.email);
    if (args.grantSeconds > 0) {
      // The user row is new and invisible to others until commit, so no lock is needed here.
      await tx.insert(creditLedger).values({
        userId: user.id,
        kind: 'grant',
        amount: args.grantSeconds,
        balanceAfter: args.grantSeconds,
        idempotencyKey: `grant:signup:${user.id}`,
        description: 'Sign-up grant',
        createdAt: sql`clock_timestamp()`,
      });
    }
    return user;
  });
}

/** Case-insensitive lookup (served by the lower(email) unique index). */
export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`);
  return user;
}

export async function findUserById(db: Database, userId: string): Promise<User | undefined> {
  const rows = await db.select().from(users).where(eq(users.id, userId));
  return rows.length > 0 ? single(rows, 'users') : undefined;
}

export interface UpsertAdminArgs {
  email: string;
  passwordHash: string;
  /** Used only when the account is created. */
  name: string;
}

/**
 * Makes `email` an admin with this password hash: creates the account (no credit grant), or promotes and
 * re-keys an existing one and revokes its refresh tokens (they were signed in with the old password or role).
 * The address counts as verified: the operator configured it, and it may have no mailbox the platform can reach.
 * Safe when several API instances run it at once: the insert defers to the lower(email) unique index, and a
 * loser of that race falls through to the update.
 */
export async function upsertAdmin(db: Database, args: UpsertAdminArgs): Promise<{ user: User; created: boolean }> {
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({
        email: args.email,
        passwordHash: args.passwordHash,
        name: args.name,
        role: 'admin',
        emailVerifiedAt: sql`now()`,
      })
      .onConflictDoNothing()
      .returning();
    if (created) return { user: created, created: true };
    const user = single(
      await tx
        .update(users)
        .set({
          role: 'admin',
          passwordHash: args.passwordHash,
          emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
          updatedAt: sql`now()`,
        })
        .where(sql`lower(${users.email}) = lower(${args.email})`)
        .returning(),
      'users',
    );
    await tx
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(refreshTokens.userId, user.id), isNull(refreshTokens.revokedAt)));
    return { user, created: false };
  });
}
