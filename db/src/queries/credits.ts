import { randomUUID } from 'node:crypto';
import { creditsForDurationMs } from '@voice/shared';
import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../client';
import {
  IdempotencyKeyConflictError,
  InsufficientCreditsError,
  JobFilesExpiredError,
  JobNotActiveError,
  JobNotCompletedError,
  JobNotFoundError,
  UserNotFoundError,
} from '../errors';
import {
  creditLedger,
  processingJobs,
  usageTracking,
  users,
  type CreditLedgerEntry,
  type LedgerKind,
  type LedgerMetadata,
  type NewProcessingJob,
  type ProcessingJob,
} from '../schema';
import { lockJob, lockUserBalance, single } from './locks';
import { appendEntries, assertCredits, assertSameOperation, findEntry, type EntryDraft } from './ledger-entries';

// Every mutation below: one transaction; lock job (if any) then user; look up the idempotency key and replay
// the recorded outcome if it exists; otherwise append exactly one keyed ledger entry (amount 0 included, so a
// retry is always recognised) and move users.credits_balance by the same amount.

/** Kinds a plain grant may carry; holds and charges have their own functions. */
export type GrantKind = Extract<LedgerKind, 'grant' | 'purchase' | 'refund' | 'adjustment'>;

export interface GrantCreditsArgs {
  userId: string;
  /** Credit-seconds; positive, except an `adjustment`, which may be negative (never below a zero balance). */
  amount: number;
  kind: GrantKind;
  /** Unique per business event, e.g. `stripe:<event.id>`. */
  idempotencyKey: string;
  description?: string;
  /** Who made the entry and why (admin grants and corrections). */
  metadata?: LedgerMetadata;
}

export interface GrantCreditsResult {
  entryId: string;
  /** Available balance right after this grant. */
  balance: number;
  /** True when the key had been used already and nothing changed. */
  replayed: boolean;
}

export interface ReserveCreditsArgs {
  userId: string;
  jobId: string;
  /** Credit-seconds to hold. */
  amount: number;
  idempotencyKey: string;
}

export interface ReserveCreditsResult {
  /** Credit-seconds this call held. */
  amount: number;
  /** Available balance right after the hold. */
  balance: number;
  replayed: boolean;
}

export interface SettleCreditsArgs {
  jobId: string;
  /** The job's final hold in credit-seconds (its output length). */
  amount: number;
  idempotencyKey: string;
}

export interface SettleCreditsResult {
  /** Credit-seconds held for the job after settling. */
  held: number;
  /** `amount - held`: what could not be held (all of it for a failed, cancelled or charged job); 0 when fully held. */
  shortfall: number;
  replayed: boolean;
}

export interface ReleaseCreditsArgs {
  jobId: string;
  idempotencyKey: string;
}

export interface ReleaseCreditsResult {
  /** Credit-seconds returned to the available balance (0 when nothing was held). */
  released: number;
  replayed: boolean;
}

export interface ChargeJobDownloadArgs {
  jobId: string;
  userId: string;
  idempotencyKey: string;
}

export interface ChargeJobDownloadResult {
  creditsCharged: number;
  /** True when an earlier download already paid for this job; nothing changed. */
  alreadyCharged: boolean;
}

export interface CreditSummary {
  /** Available credit-seconds (users.credits_balance). */
  balance: number;
  /** Credit-seconds held across the user's jobs. */
  held: number;
  /** Sum of the user's ledger; equals `balance` unless something bypassed this module. */
  ledgerSum: number;
}

/** Failed, cancelled and already-charged jobs may never gain a hold: nothing would ever release it. */
function deadJobState(job: ProcessingJob): string | undefined {
  if (job.chargedAt) return 'charged';
  if (job.status === 'failed' || job.status === 'cancelled') return job.status;
  return undefined;
}

/** The job's hold right after the entry with this key, recomputed from the job's ordered hold entries. */
async function heldAfterEntry(tx: Database, jobId: string, idempotencyKey: string): Promise<number> {
  const entryTime = tx
    .select({ createdAt: creditLedger.createdAt })
    .from(creditLedger)
    .where(eq(creditLedger.idempotencyKey, idempotencyKey));
  const [row] = await tx
    .select({ held: sql<number>`coalesce(-sum(${creditLedger.amount}), 0)`.mapWith(Number) })
    .from(creditLedger)
    .where(
      and(
        eq(creditLedger.jobId, jobId),
        inArray(creditLedger.kind, ['hold', 'hold_release']),
        lte(creditLedger.createdAt, sql`(${entryTime})`),
      ),
    );
  return row?.held ?? 0;
}

/** Adds credits (grant, purchase, refund) or applies a signed adjustment. Idempotent per key. */
export async function grantCredits(db: Database, args: GrantCreditsArgs): Promise<GrantCreditsResult> {
  assertCredits(args.amount, 'amount', { allowNegative: args.kind === 'adjustment' });
  return db.transaction(async (tx) => {
    const balance = await lockUserBalance(tx, args.userId);
    const existing = await findEntry(tx, args.idempotencyKey);
    if (existing) {
      assertSameOperation(existing, { userId: args.userId, kinds: [args.kind] });
      if (existing.amount !== args.amount) throw new IdempotencyKeyConflictError(args.idempotencyKey);
      return { entryId: existing.id, balance: existing.balanceAfter, replayed: true };
    }
    if (balance + args.amount < 0) throw new InsufficientCreditsError(-args.amount, balance);
    const { entries, balance: after } = await appendEntries(tx, args.userId, balance, [
      {
        kind: args.kind,
        amount: args.amount,
        jobId: null,
        idempotencyKey: args.idempotencyKey,
        description: args.description ?? args.kind,
        ...(args.metadata ? { metadata: args.metadata } : {}),
      },
    ]);
    return { entryId: single(entries, 'credit_ledger').id, balance: after, replayed: false };
  });
}

/**
 * Holds `amount` credit-seconds for a job (negative 'hold' entry, processing_jobs.credits_held grows).
 * @throws InsufficientCreditsError when the balance is short; nothing is changed.
 * @throws JobNotFoundError when the job is not the user's; JobNotActiveError when it failed, was cancelled or was charged.
 */
export async function reserveCredits(db: Database, args: ReserveCreditsArgs): Promise<ReserveCreditsResult> {
  assertCredits(args.amount, 'amount');
  return db.transaction(async (tx) => {
    const job = await lockJob(tx, args.jobId);
    if (!job || job.userId !== args.userId) throw new JobNotFoundError(args.jobId);
    const existing = await findEntry(tx, args.idempotencyKey);
    if (existing) {
      assertSameOperation(existing, { userId: args.userId, jobId: args.jobId, kinds: ['hold'] });
      // Hold entries are ≤ 0; abs keeps a replayed zero hold 0 rather than -0.
      return { amount: Math.abs(existing.amount), balance: existing.balanceAfter, replayed: true };
    }
    const dead = deadJobState(job);
    if (dead) throw new JobNotActiveError(job.id, dead);
    const balance = await lockUserBalance(tx, job.userId);
    if (balance < args.amount) throw new InsufficientCreditsError(args.amount, balance);
    const { balance: after } = await appendEntries(tx, job.userId, balance, [
      {
        kind: 'hold',
        amount: -args.amount,
        jobId: job.id,
        idempotencyKey: args.idempotencyKey,
        description: `Hold for job ${job.id}`,
      },
    ]);
    await tx
      .update(processingJobs)
      .set({ creditsHeld: job.creditsHeld + args.amount, updatedAt: sql`now()` })
      .where(eq(processingJobs.id, job.id));
    return { amount: args.amount, balance: after, replayed: false };
  });
}

/**
 * Moves a job's hold to exactly `amount`: holds the extra or releases the difference. When the user cannot
 * cover an increase it holds what is available and reports the rest as `shortfall` instead of throwing.
 * A failed, cancelled or charged job is settled to 0.
 */
export async function settleCredits(db: Database, args: SettleCreditsArgs): Promise<SettleCreditsResult> {
  assertCredits(args.amount, 'amount');
  return db.transaction(async (tx) => {
    const job = await lockJob(tx, args.jobId);
    if (!job) throw new JobNotFoundError(args.jobId);
    const existing = await findEntry(tx, args.idempotencyKey);
    if (existing) {
      assertSameOperation(existing, { jobId: job.id, kinds: ['hold', 'hold_release'] });
      const held = await heldAfterEntry(tx, job.id, args.idempotencyKey);
      return { held, shortfall: args.amount - held, replayed: true };
    }
    const target = deadJobState(job) ? 0 : args.amount;
    const balance = await lockUserBalance(tx, job.userId);
    const increase = target - job.creditsHeld;
    // A release when the hold shrinks; otherwise a hold of what the balance allows (possibly 0).
    const delta = increase < 0 ? increase : Math.min(increase, balance);
    const held = job.creditsHeld + delta;
    await appendEntries(tx, job.userId, balance, [
      {
        kind: delta < 0 ? 'hold_release' : 'hold',
        amount: delta === 0 ? 0 : -delta, // never -0
        jobId: job.id,
        idempotencyKey: args.idempotencyKey,
        description: `Settle hold for job ${job.id} at ${target} s`,
      },
    ]);
    await tx
      .update(processingJobs)
      .set({ creditsHeld: held, updatedAt: sql`now()` })
      .where(eq(processingJobs.id, job.id));
    return { held, shortfall: args.amount - held, replayed: false };
  });
}

/** Returns whatever a job still holds to the balance (on failure or cancel). Safe when nothing is held. */
export async function releaseCredits(db: Database, args: ReleaseCreditsArgs): Promise<ReleaseCreditsResult> {
  return db.transaction(async (tx) => {
    const job = await lockJob(tx, args.jobId);
    if (!job) throw new JobNotFoundError(args.jobId);
    const existing = await findEntry(tx, args.idempotencyKey);
    if (existing) {
      assertSameOperation(existing, { jobId: job.id, kinds: ['hold_release'] });
      return { released: existing.amount, replayed: true };
    }
    const balance = await lockUserBalance(tx, job.userId);
    await appendEntries(tx, job.userId, balance, [
      {
        kind: 'hold_release',
        amount: job.creditsHeld,
        jobId: job.id,
        idempotencyKey: args.idempotencyKey,
        description: `Release hold for job ${job.id}`,
      },
    ]);
    if (job.creditsHeld !== 0) {
      await tx
        .update(processingJobs)
        .set({ creditsHeld: 0, updatedAt: sql`now()` })
        .where(eq(processingJobs.id, job.id));
    }
    return { released: job.creditsHeld, replayed: false };
  });
}

/**
 * Charges a completed job's output seconds on its first download: releases the hold and charges in one
 * transaction, then records usage. Later downloads (any key) return the first charge with `alreadyCharged`.
 * @throws JobNotFoundError, JobNotCompletedError, JobFilesExpiredError (past its download window) or
 * InsufficientCreditsError (nothing changed).
 */
export async function chargeJobDownload(db: Database, args: ChargeJobDownloadArgs): Promise<ChargeJobDownloadResult> {
  return db.transaction(async (tx) => {
    // The job lock serializes concurrent downloads; whoever comes second sees charged_at.
    const job = await lockJob(tx, args.jobId);
    if (!job || job.userId !== args.userId) throw new JobNotFoundError(args.jobId);
    if (job.status !== 'completed') throw new JobNotCompletedError(job.id, job.status);
    // Under the job lock, so a download racing the retention schedule either charges before expiry or not at all.
    if (job.filesExpiredAt) throw new JobFilesExpiredError(job.id, job.filesExpiredAt);
    if (job.chargedAt) return { creditsCharged: job.creditsCharged ?? 0, alreadyCharged: true };
    const existing = await findEntry(tx, args.idempotencyKey);
    // An uncharged job with a used key means the key belongs to some other operation.
    if (existing) throw new IdempotencyKeyConflictError(args.idempotencyKey);
    if (job.outputDurationMs === null) throw new Error(`Completed job ${job.id} has no output duration`);

    const charge = creditsForDurationMs(job.outputDurationMs);
    const balance = await lockUserBalance(tx, job.userId);
    const held = job.creditsHeld;
    if (balance + held < charge) throw new InsufficientCreditsError(charge, balance + held);

    const drafts: EntryDraft[] = [];
    if (held > 0) {
      drafts.push({
        kind: 'hold_release',
        amount: held,
        jobId: job.id,
        idempotencyKey: `${args.idempotencyKey}:release`,
        description: `Release hold for job ${job.id} on download`,
      });
    }
    drafts.push({
      kind: 'charge',
      amount: -charge,
      jobId: job.id,
      idempotencyKey: args.idempotencyKey,
      description: `Download of job ${job.id} (${charge} s)`,
    });
    await appendEntries(tx, job.userId, balance, drafts);
    await tx
      .update(processingJobs)
      .set({ creditsHeld: 0, creditsCharged: charge, chargedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(processingJobs.id, job.id));
    await tx.insert(usageTracking).values({
      userId: job.userId,
      jobId: job.id,
      jobType: job.jobType,
      apiKeyId: job.apiKeyId,
      audioSeconds: job.outputDurationMs / 1000,
      creditsUsed: charge,
    });
    return { creditsCharged: charge, alreadyCharged: false };
  });
}

/**
 * Balance, total held and ledger sum for one user.
 * @throws UserNotFoundError when the user does not exist.
 */
export async function getCreditSummary(db: Database, userId: string): Promise<CreditSummary> {
  // Subqueries take the user id as a parameter: drizzle leaves columns unqualified in single-table selects,
  // so a correlated `user_id = users.id` would bind to the inner table.
  const [row] = await db
    .select({
      balance: users.creditsBalance,
      held: sql<number>`(select coalesce(sum(${processingJobs.creditsHeld}), 0) from ${processingJobs} where ${processingJobs.userId} = ${userId})`.mapWith(
        Number,
      ),
      ledgerSum:
        sql<number>`(select coalesce(sum(${creditLedger.amount}), 0) from ${creditLedger} where ${creditLedger.userId} = ${userId})`.mapWith(
          Number,
        ),
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) throw new UserNotFoundError(userId);
  return row;
}

/** The user's most recent ledger entries, newest first. */
export async function listLedger(db: Database, userId: string, limit: number): Promise<CreditLedgerEntry[]> {
  return db
    .select()
    .from(creditLedger)
    .where(eq(creditLedger.userId, userId))
    .orderBy(desc(creditLedger.sequence))
    .limit(limit);
}

/** The idempotency key of a job's credit hold: taken at submit and adopted (replayed) by the workflow. */
export function jobHoldKey(jobId: string): string {
  return `job-${jobId}:reserve`;
}

/** The idempotency key of the release of a job's hold (failure, cancel, or a start that never happened). */
export function jobReleaseKey(jobId: string): string {
  return `job-${jobId}:release`;
}

export interface CreateJobWithHoldResult {
  job: ProcessingJob;
  /** False when a job with this id existed already (a concurrent replay of the same Idempotency-Key). */
  created: boolean;
}

/**
 * Creates a job row and its credit hold atomically, so a job exists only with its credits held: when the balance
 * cannot cover `holdAmount`, InsufficientCreditsError is thrown and nothing was written. N concurrent submits of
 * one user with credit for k admit exactly k (each debit re-checks the balance under the user's row lock).
 *
 * It is one statement on the submit path (see {@link insertJobWithHold}): on embedded PGlite each statement is a
 * round trip to the database thread, and the transaction it replaces took twelve.
 */
export async function createJobWithHold(
  db: Database,
  job: NewProcessingJob,
  holdAmount: number,
): Promise<CreateJobWithHoldResult> {
  assertCredits(holdAmount, 'holdAmount');
  // A second pass only when a grant landed between a short debit and the balance read that explains it.
  for (let attempt = 0; ; attempt++) {
    try {
      return { job: await insertJobWithHold(db, job, holdAmount), created: true };
    } catch (error) {
      const violation = constraintViolation(error);
      const noDebit = violation?.column === 'credits_held';
      if ((violation?.constraint && SAME_JOB_CONSTRAINTS.has(violation.constraint)) || noDebit) {
        // A request with the same Idempotency-Key wrote the row first: its id, workflow id and hold key are this
        // one's, and which of their unique indexes fails first is up to the server (a short balance fails the row
        // before any of them, hence noDebit too). The failed statement held nothing.
        const [existing] = await db.select().from(processingJobs).where(eq(processingJobs.id, job.id));
        if (existing) return { job: existing, created: false };
      }
      if (!noDebit) throw error;
      const [account] = await db.select({ balance: users.creditsBalance }).from(users).where(eq(users.id, job.userId));
      if (!account) throw new UserNotFoundError(job.userId);
      if (account.balance < holdAmount || attempt > 0) throw new InsufficientCreditsError(holdAmount, account.balance);
    }
  }
}

/** The unique indexes a second insert of the same job (and its hold entry) can fail on. */
const SAME_JOB_CONSTRAINTS = new Set([
  'processing_jobs_pkey',
  'processing_jobs_workflow_idx',
  'credit_ledger_idempotency_idx',
]);

/**
 * The debit, its ledger entry and the job row in one statement. The row's `credits_held` is read from the debit, so
 * a balance that cannot cover the hold leaves it NULL and the NOT NULL constraint fails the whole statement: nothing
 * is written. The ledger entry references the job inserted by the same statement, which the foreign key accepts
 * because constraints are checked when the statement ends. A repeated job fails on a unique index, also whole.
 */
async function insertJobWithHold(db: Database, job: NewProcessingJob, holdAmount: number): Promise<ProcessingJob> {
  const debit = db.$with('debit').as(
    db
      .update(users)
      .set({ creditsBalance: sql`${users.creditsBalance} - ${holdAmount}`, updatedAt: sql`now()` })
      .where(and(eq(users.id, job.userId), sql`${users.creditsBalance} >= ${holdAmount}`))
      .returning({ balance: users.creditsBalance }),
  );
  const column = (c: { name: string }) => sql.identifier(c.name);
  const ledgerColumns = [
    creditLedger.userId,
    creditLedger.jobId,
    creditLedger.kind,
    creditLedger.amount,
    creditLedger.balanceAfter,
    creditLedger.idempotencyKey,
    creditLedger.description,
    creditLedger.createdAt,
  ].map(column);
  const entry = db.$with('entry', {}).as(
    sql`insert into ${creditLedger} (${sql.join(ledgerColumns, sql`, `)})
      select ${job.userId}::uuid, ${job.id}::uuid, 'hold', ${holdAmount === 0 ? 0 : -holdAmount}::bigint,
        debit.${column(users.creditsBalance)}, ${jobHoldKey(job.id)}, ${`Hold for job ${job.id}`}, clock_timestamp()
      from debit`,
  );
  const [row] = await db
    .with(debit, entry)
    .insert(processingJobs)
    .values({ ...job, creditsHeld: sql`(select ${holdAmount}::integer from debit)` })
    .returning();
  return single(row ? [row] : [], 'job');
}

/** The Postgres fields of a constraint violation, wherever the driver (or drizzle's wrapper) put them. */
function constraintViolation(error: unknown): { code: string; constraint?: string; column?: string } | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const fields = cause as Error & { code?: unknown; constraint?: unknown; column?: unknown };
    // Class 23: integrity constraint violations (not null 23502, foreign key 23503, unique 23505, check 23514).
    if (typeof fields.code === 'string' && fields.code.startsWith('23')) {
      return {
        code: fields.code,
        ...(typeof fields.constraint === 'string' ? { constraint: fields.constraint } : {}),
        ...(typeof fields.column === 'string' ? { column: fields.column } : {}),
      };
    }
  }
  return undefined;
}

/**
 * Undoes a job whose workflow never started: its hold is released (the ledger keeps both entries) and the row
 * is deleted, so the user sees neither a job nor held credits. Only a pending job can be discarded.
 *
 * The client may retry with the same Idempotency-Key, which names the same job id and so the same ledger keys: the
 * discarded attempt's entries keep their amounts but move to keys of their own, so the retry holds (and later
 * releases or charges) afresh instead of replaying this attempt.
 */
export async function discardUnstartedJob(db: Database, jobId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const job = await lockJob(tx, jobId);
    if (!job || job.status !== 'pending') return;
    await releaseCredits(tx, { jobId, idempotencyKey: jobReleaseKey(jobId) });
    await tx
      .update(creditLedger)
      .set({ idempotencyKey: sql`${creditLedger.idempotencyKey} || ${`:discarded-${randomUUID()}`}` })
      .where(eq(creditLedger.jobId, jobId));
    await tx.delete(processingJobs).where(eq(processingJobs.id, jobId));
  });
}
