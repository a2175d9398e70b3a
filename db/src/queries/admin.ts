import type { JobStatus, PipelineOp, SubscriptionTier } from '@voice/shared';
import { aliasedTable, and, count, desc, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client';
import { UserNotFoundError } from '../errors';
import {
  adminAuditLog,
  processingJobs,
  refreshTokens,
  users,
  type AdminAction,
  type AdminAuditDetails,
  type AdminAuditEntry,
  type ProcessingJob,
  type User,
} from '../schema';
import { revokeApiKeysOfUser } from './api-keys';
import { grantCredits, type GrantCreditsResult } from './credits';
import { single } from './locks';

// Every admin mutation below writes its audit row in the same transaction as the change it records, so the log
// can neither miss a change nor record one that rolled back. A request that changes nothing (suspending a
// suspended account, replaying a grant) writes no row: the log lists what happened, not what was asked twice.

/**
 * What the auth guard needs to know about a token's account on every request (a primary-key lookup). An erased
 * account (a tombstone with deleted_at) is undefined, like one that never existed.
 */
export interface AccountState {
  role: User['role'];
  suspendedAt: Date | null;
  subscriptionTier: SubscriptionTier;
}

export async function findAccountState(db: Database, userId: string): Promise<AccountState | undefined> {
  const [row] = await db
    .select({ role: users.role, suspendedAt: users.suspendedAt, subscriptionTier: users.subscriptionTier })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  return row;
}

export interface NewAuditEntry {
  adminId: string;
  action: AdminAction;
  targetUserId?: string | null;
  targetJobId?: string | null;
  details: AdminAuditDetails;
}

/** Appends one row to the audit log (the only write the table accepts). */
export async function insertAdminAudit(db: Database, entry: NewAuditEntry): Promise<AdminAuditEntry> {
  const rows = await db
    .insert(adminAuditLog)
    .values({
      adminId: entry.adminId,
      action: entry.action,
      targetUserId: entry.targetUserId ?? null,
      targetJobId: entry.targetJobId ?? null,
      details: entry.details,
      createdAt: sql`clock_timestamp()`,
    })
    .returning();
  return single(rows, 'admin_audit_log');
}

/** `%`, `_` and `\` match themselves in a LIKE pattern built from user input. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SearchUsersArgs {
  /** Part of an email or name (case-insensitive), or a whole user id. Everyone when empty. */
  query?: string;
  limit: number;
  offset: number;
}

export interface UserSearchPage {
  items: User[];
  total: number;
}

/** Users matching the query, newest first. */
export async function searchUsers(db: Database, args: SearchUsersArgs): Promise<UserSearchPage> {
  const query = args.query?.trim() ?? '';
  let where: SQL | undefined;
  if (query !== '') {
    const pattern = likeContains(query);
    where = or(
      sql`${users.email} ilike ${pattern}`,
      sql`${users.name} ilike ${pattern}`,
      UUID.test(query) ? eq(users.id, query.toLowerCase()) : undefined,
    );
  }
  const items = await db
    .select()
    .from(users)
    .where(where)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(args.limit)
    .offset(args.offset);
  const [total] = await db.select({ total: count() }).from(users).where(where);
  return { items, total: total?.total ?? 0 };
}

export interface AccountActionArgs {
  adminId: string;
  userId: string;
  reason: string;
}

export interface AccountActionResult {
  user: User;
  /** False when the account was already in the requested state: nothing was written. */
  changed: boolean;
  audit?: AdminAuditEntry;
}

export interface SuspendUserResult extends AccountActionResult {
  /** Refresh tokens revoked by this suspension (every sign-in on every device). */
  revokedRefreshTokens: number;
}

async function requireUser(tx: Database, userId: string): Promise<User> {
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('no key update');
  if (!user) throw new UserNotFoundError(userId);
  return user;
}

/**
 * Suspends the account: sets suspended_at and revokes every refresh token and API key at once, in one transaction with its
 * audit row. Access tokens already issued are refused from their next request by the auth guard's lookup.
 * @throws UserNotFoundError
 */
export async function suspendUser(db: Database, args: AccountActionArgs): Promise<SuspendUserResult> {
  return db.transaction(async (tx) => {
    const before = await requireUser(tx, args.userId);
    if (before.suspendedAt) return { user: before, changed: false, revokedRefreshTokens: 0 };
    const user = single(
      await tx
        .update(users)
        .set({ suspendedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(users.id, args.userId))
        .returning(),
      'users',
    );
    const revoked = await tx
      .update(refreshTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(refreshTokens.userId, args.userId), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    const revokedApiKeys = await revokeApiKeysOfUser(tx, args.userId);
    const audit = await insertAdminAudit(tx, {
      adminId: args.adminId,
      action: 'user.suspend',
      targetUserId: args.userId,
      details: { reason: args.reason, revokedRefreshTokens: revoked.length, revokedApiKeys },
    });
    return { user, changed: true, revokedRefreshTokens: revoked.length, audit };
  });
}

/** Lifts a suspension; the user signs in again (their old sessions stay revoked). @throws UserNotFoundError */
export async function unsuspendUser(db: Database, args: AccountActionArgs): Promise<AccountActionResult> {
  return db.transaction(async (tx) => {
    const before = await requireUser(tx, args.userId);
    if (!before.suspendedAt) return { user: before, changed: false };
    const user = single(
      await tx
        .update(users)
        .set({ suspendedAt: null, updatedAt: sql`now()` })
        .where(eq(users.id, args.userId))
        .returning(),
      'users',
    );
    const audit = await insertAdminAudit(tx, {
      adminId: args.adminId,
      action: 'user.unsuspend',
      targetUserId: args.userId,
      details: { reason: args.reason, suspendedAt: before.suspendedAt.toISOString() },
    });
    return { user, changed: true, audit };
  });
}

/** Sets the account's tier; its next submitted jobs get that tier's GPU priority. @throws UserNotFoundError */
export async function setSubscriptionTier(
  db: Database,
  args: AccountActionArgs & { tier: SubscriptionTier },
): Promise<AccountActionResult> {
  return db.transaction(async (tx) => {
    const before = await requireUser(tx, args.userId);
    if (before.subscriptionTier === args.tier) return { user: before, changed: false };
    const user = single(
      await tx
        .update(users)
        .set({ subscriptionTier: args.tier, updatedAt: sql`now()` })
        .where(eq(users.id, args.userId))
        .returning(),
      'users',
    );
    const audit = await insertAdminAudit(tx, {
      adminId: args.adminId,
      action: 'user.tier',
      targetUserId: args.userId,
      details: { reason: args.reason, from: before.subscriptionTier, to: args.tier },
    });
    return { user, changed: true, audit };
  });
}

export interface AdminCreditArgs extends AccountActionArgs {
  /** `grant` adds credits (positive); `correction` moves the balance either way, never below zero. */
  kind: 'grant' | 'correction';
  /** Credit-seconds. */
  amount: number;
  /** Unique per admin action (the request's Idempotency-Key, scoped by the caller): a double submit grants once. */
  idempotencyKey: string;
}

export interface AdminCreditResult extends GrantCreditsResult {
  /** Absent when the key had been used already (`replayed`): the first request wrote the row. */
  audit?: AdminAuditEntry;
}

/**
 * An admin's grant or correction, through the ledger only: one keyed entry whose metadata names the admin and the
 * reason, and its audit row, in one transaction.
 * @throws InsufficientCreditsError when a correction would take the balance below zero (nothing written)
 * @throws IdempotencyKeyConflictError when the key was used for another user, kind or amount
 * @throws UserNotFoundError
 */
export async function adjustCreditsAsAdmin(db: Database, args: AdminCreditArgs): Promise<AdminCreditResult> {
  if (args.kind === 'grant' && !(args.amount > 0)) throw new RangeError('a grant must be positive');
  if (args.kind === 'correction' && args.amount === 0) throw new RangeError('a correction must not be zero');
  return db.transaction(async (tx) => {
    const result = await grantCredits(tx, {
      userId: args.userId,
      amount: args.amount,
      kind: args.kind === 'grant' ? 'grant' : 'adjustment',
      idempotencyKey: args.idempotencyKey,
      description: `${args.kind === 'grant' ? 'Grant' : 'Correction'} by an admin: ${args.reason}`,
      metadata: { adminId: args.adminId, reason: args.reason },
    });
    if (result.replayed) return result;
    const audit = await insertAdminAudit(tx, {
      adminId: args.adminId,
      action: args.kind === 'grant' ? 'credits.grant' : 'credits.correct',
      targetUserId: args.userId,
      details: {
        reason: args.reason,
        amount: args.amount,
        ledgerEntryId: result.entryId,
        balanceAfter: result.balance,
      },
    });
    return { ...result, audit };
  });
}

export interface AuditLogQuery {
  limit: number;
  /** Rows older than this id (a previous page's `nextCursor`). */
  before?: number;
  targetUserId?: string;
  adminId?: string;
  action?: AdminAction;
}

export interface AuditLogRow extends AdminAuditEntry {
  adminEmail: string | null;
  targetEmail: string | null;
}

export interface AuditLogPage {
  items: AuditLogRow[];
  nextCursor: number | null;
}

const admins = aliasedTable(users, 'audit_admin');
const targets = aliasedTable(users, 'audit_target');

/** The log newest first, with the emails of the admin and the target where the accounts still exist. */
export async function listAdminAudit(db: Database, query: AuditLogQuery): Promise<AuditLogPage> {
  const rows = await db
    .select({ entry: adminAuditLog, adminEmail: admins.email, targetEmail: targets.email })
    .from(adminAuditLog)
    .leftJoin(admins, eq(admins.id, adminAuditLog.adminId))
    .leftJoin(targets, eq(targets.id, adminAuditLog.targetUserId))
    .where(
      and(
        query.before === undefined ? undefined : lt(adminAuditLog.id, query.before),
        query.targetUserId === undefined ? undefined : eq(adminAuditLog.targetUserId, query.targetUserId),
        query.adminId === undefined ? undefined : eq(adminAuditLog.adminId, query.adminId),
        query.action === undefined ? undefined : eq(adminAuditLog.action, query.action),
      ),
    )
    .orderBy(desc(adminAuditLog.id))
    .limit(query.limit + 1);
  const items = rows
    .slice(0, query.limit)
    .map(({ entry, adminEmail, targetEmail }) => ({ ...entry, adminEmail, targetEmail }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? last.id : null };
}

export interface AllJobsQuery {
  limit: number;
  offset: number;
  userId?: string;
  /** Part of the owner's email, case-insensitive. */
  email?: string;
  /** Jobs that ran this step (a chain matches each of its steps). */
  step?: PipelineOp;
  status?: JobStatus;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created before. */
  createdTo?: Date;
}

export interface AdminJobRow extends ProcessingJob {
  userEmail: string;
  userTier: SubscriptionTier;
}

export interface AdminJobPage {
  items: AdminJobRow[];
  total: number;
}

/** Every user's jobs, newest first, with their owner's email and tier. */
export async function listAllJobs(db: Database, query: AllJobsQuery): Promise<AdminJobPage> {
  const where = and(
    query.userId === undefined ? undefined : eq(processingJobs.userId, query.userId),
    query.email === undefined ? undefined : sql`${users.email} ilike ${likeContains(query.email)}`,
    query.status === undefined ? undefined : eq(processingJobs.status, query.status),
    // As in listJobsForUser: whole ops of the '+'-joined job type.
    query.step === undefined
      ? undefined
      : sql`position(${`+${query.step}+`} in '+' || ${processingJobs.jobType} || '+') > 0`,
    query.createdFrom === undefined ? undefined : gte(processingJobs.createdAt, query.createdFrom),
    query.createdTo === undefined ? undefined : lt(processingJobs.createdAt, query.createdTo),
  );
  const rows = await db
    .select({ job: processingJobs, userEmail: users.email, userTier: users.subscriptionTier })
    .from(processingJobs)
    .innerJoin(users, eq(users.id, processingJobs.userId))
    .where(where)
    .orderBy(desc(processingJobs.createdAt), desc(processingJobs.id))
    .limit(query.limit)
    .offset(query.offset);
  const [total] = await db
    .select({ total: count() })
    .from(processingJobs)
    .innerJoin(users, eq(users.id, processingJobs.userId))
    .where(where);
  return {
    items: rows.map(({ job, userEmail, userTier }) => ({ ...job, userEmail, userTier })),
    total: total?.total ?? 0,
  };
}
