import { jobStorageKeys } from '@voice/shared';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Database } from '../client';
import {
  accountTokens,
  apiKeys,
  creditLedger,
  mfaRecoveryCodes,
  payments,
  processingJobs,
  rateLimitCounters,
  refreshTokens,
  usageTracking,
  userMfa,
  users,
  voiceLibrary,
  type ApiKey,
  type CreditLedgerEntry,
  type Payment,
  type ProcessingJob,
  type User,
} from '../schema';
import type { Voice } from './voices';

export type UsageEntry = typeof usageTracking.$inferSelect;

/** Everything stored about one live account, oldest first (GET /api/user/export maps it to what may be shown). */
export interface AccountData {
  user: User;
  ledger: CreditLedgerEntry[];
  jobs: ProcessingJob[];
  voices: Voice[];
  apiKeys: ApiKey[];
  usage: UsageEntry[];
  payments: Payment[];
}

/** Undefined for an unknown or erased account. */
export async function loadAccountData(db: Database, userId: string): Promise<AccountData | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!user) return undefined;
  const [ledger, jobs, voices, keys, usage, paid] = await Promise.all([
    db.select().from(creditLedger).where(eq(creditLedger.userId, userId)).orderBy(asc(creditLedger.sequence)),
    db.select().from(processingJobs).where(eq(processingJobs.userId, userId)).orderBy(asc(processingJobs.createdAt)),
    db.select().from(voiceLibrary).where(eq(voiceLibrary.userId, userId)).orderBy(asc(voiceLibrary.createdAt)),
    db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(asc(apiKeys.createdAt)),
    db.select().from(usageTracking).where(eq(usageTracking.userId, userId)).orderBy(asc(usageTracking.createdAt)),
    db.select().from(payments).where(eq(payments.userId, userId)).orderBy(asc(payments.createdAt)),
  ]);
  return { user, ledger, jobs, voices, apiKeys: keys, usage, payments: paid };
}

export type EraseAccountResult =
  | { status: 'erased'; storageKeys: string[]; storagePrefixes: string[] }
  | { status: 'not_found' }
  | { status: 'admin' }
  | { status: 'jobs_active'; activeJobs: number };

/**
 * Every storage key a job may have written: the recorded ones (input, output, and any `…Key` in its result) plus the
 * deterministic work files of each step (jobStorageKeys), which no column records.
 */
export function jobStorageKeysOf(job: ProcessingJob): string[] {
  const layout = jobStorageKeys(job.id);
  const keys = new Set<string>([layout.preprocessed, layout.output]);
  if (job.inputKey) keys.add(job.inputKey);
  if (job.outputKey) keys.add(job.outputKey);
  job.parameters.steps.forEach((step, index) => {
    keys.add(layout.step(index, step.op));
    keys.add(`${layout.root}/script-${String(index).padStart(2, '0')}.json`);
  });
  // Ops that write under another name than their own (edit, normalize, revoiced) are found in the result.
  collectKeys(job.result, keys);
  return [...keys];
}

function collectKeys(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectKeys(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) {
      if (typeof item === 'string' && name.endsWith('Key')) into.add(item);
      else collectKeys(item, into);
    }
  }
}

/**
 * Erases an account's personal data in one transaction (DELETE /api/user), after the caller re-authenticated:
 * - refused for admins (their account is (re)created from ADMIN_EMAIL at start, and they hold the audit trail) and
 *   while a job is pending or running (its workflow would write files and settle credits after the erasure);
 * - deletes voices, sessions (refresh tokens), mailed tokens, the second factor and the email's rate-limit counters;
 * - revokes API keys and blanks their names (the rows stay: usage rows name them);
 * - keeps job rows (the ledger points at them) but empties what they held of the user: parameters (text to speak),
 *   file name, storage keys, result (transcripts), error, request fingerprint;
 * - keeps the users row as a tombstone, because the ledger, usage and payments reference it and must stay exact for
 *   accounting: email becomes `deleted-<id>@invalid`, name '', the password hash something argon2 never verifies.
 * Returns the storage keys to delete once committed; deleting files cannot be part of the transaction.
 */
export async function eraseAccount(db: Database, userId: string, now: Date): Promise<EraseAccountResult> {
  return db.transaction(async (tx): Promise<EraseAccountResult> => {
    // FOR UPDATE (not the ledger's NO KEY UPDATE): it also waits for, and then blocks, job creation and charges.
    const [user] = await tx
      .select()
      .from(users)
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
      .for('update');
    if (!user) return { status: 'not_found' };
    if (user.role === 'admin') return { status: 'admin' };
    const jobs = await tx.select().from(processingJobs).where(eq(processingJobs.userId, userId));
    const active = jobs.filter((job) => job.status === 'pending' || job.status === 'running');
    if (active.length > 0) return { status: 'jobs_active', activeJobs: active.length };

    const voices = await tx.delete(voiceLibrary).where(eq(voiceLibrary.userId, userId)).returning();
    await tx
      .update(processingJobs)
      .set({
        parameters: { steps: [] },
        inputKey: null,
        inputFilename: null,
        outputKey: null,
        result: null,
        error: null,
        requestFingerprint: null,
        updatedAt: now,
      })
      .where(eq(processingJobs.userId, userId));
    await tx.delete(refreshTokens).where(eq(refreshTokens.userId, userId));
    await tx.delete(accountTokens).where(eq(accountTokens.userId, userId));
    await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    await tx.delete(userMfa).where(eq(userMfa.userId, userId));
    await tx
      .update(apiKeys)
      .set({ name: '', revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(apiKeys.userId, userId));
    // Login quotas are keyed by the normalised email (AuthRateLimitGuard), after a limiter namespace if any:
    // `auth:<action>:email:<email>` and
    // `auth:<action>:pair:["<email>","<address>"]`.
    const email = user.email.trim().toLowerCase();
    const pairPrefix = `${JSON.stringify([email]).slice(0, -1)},`;
    await tx
      .delete(rateLimitCounters)
      .where(
        or(
          sql`${rateLimitCounters.key} like ${`%auth:%:email:${escapeLike(email)}`} escape '\\'`,
          sql`${rateLimitCounters.key} like ${`%auth:%:pair:${escapeLike(pairPrefix)}%`} escape '\\'`,
        ),
      );
    await tx
      .update(users)
      .set({
        email: `deleted-${user.id}@invalid`,
        name: '',
        passwordHash: '!erased',
        emailVerifiedAt: null,
        deletedAt: now,
        updatedAt: now,
      })
      .where(eq(users.id, userId));

    const storageKeys = new Set<string>(voices.map((voice) => voice.sampleKey));
    for (const job of jobs) for (const key of jobStorageKeysOf(job)) storageKeys.add(key);
    // Each job's whole folder as well: work files of every step (01-denoise.wav, transcripts, stream parts…) are
    // named by the runners, and listing them one by one would miss the next kind a step writes.
    const storagePrefixes = jobs.map((job) => `${jobStorageKeys(job.id).root}/`);
    return { status: 'erased', storageKeys: [...storageKeys], storagePrefixes };
  });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
