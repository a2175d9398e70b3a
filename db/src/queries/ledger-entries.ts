import { eq, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { IdempotencyKeyConflictError } from '../errors';
import { creditLedger, users, type CreditLedgerEntry, type LedgerKind, type LedgerMetadata } from '../schema';
import { single } from './locks';

// The ledger's append path, shared by credits.ts and payments.ts (not exported from the package): callers hold
// the user's row lock and have looked the idempotency key up first.

export interface EntryDraft {
  kind: LedgerKind;
  amount: number;
  jobId: string | null;
  idempotencyKey: string;
  description: string;
  metadata?: LedgerMetadata;
}

export function assertCredits(value: number, name: string, { allowNegative = false } = {}): void {
  if (!Number.isSafeInteger(value) || (!allowNegative && value < 0)) {
    throw new RangeError(
      `${name} must be a${allowNegative ? 'n' : ' non-negative'} integer of credit-seconds, got ${value}`,
    );
  }
}

export async function findEntry(tx: Database, idempotencyKey: string): Promise<CreditLedgerEntry | undefined> {
  const [entry] = await tx.select().from(creditLedger).where(eq(creditLedger.idempotencyKey, idempotencyKey));
  return entry;
}

export function assertSameOperation(
  entry: CreditLedgerEntry,
  expected: { userId?: string; jobId?: string; kinds: readonly LedgerKind[] },
): void {
  const sameUser = expected.userId === undefined || entry.userId === expected.userId;
  const sameJob = expected.jobId === undefined || entry.jobId === expected.jobId;
  if (!sameUser || !sameJob || !expected.kinds.includes(entry.kind)) {
    throw new IdempotencyKeyConflictError(entry.idempotencyKey);
  }
}

/** Appends entries in order, each with its running balance, and stores the final balance on the user. */
export async function appendEntries(
  tx: Database,
  userId: string,
  balanceBefore: number,
  drafts: EntryDraft[],
): Promise<{ entries: CreditLedgerEntry[]; balance: number }> {
  let balance = balanceBefore;
  const entries: CreditLedgerEntry[] = [];
  for (const draft of drafts) {
    balance += draft.amount;
    const rows = await tx
      .insert(creditLedger)
      .values({
        userId,
        jobId: draft.jobId,
        kind: draft.kind,
        amount: draft.amount,
        balanceAfter: balance,
        idempotencyKey: draft.idempotencyKey,
        description: draft.description,
        metadata: draft.metadata ?? null,
        // now() is the transaction start; clock_timestamp() orders entries by when they were written under
        // the locks, which is what replaying a settle relies on.
        createdAt: sql`clock_timestamp()`,
      })
      .returning();
    entries.push(single(rows, 'credit_ledger'));
  }
  if (balance !== balanceBefore) {
    await tx
      .update(users)
      .set({ creditsBalance: balance, updatedAt: sql`now()` })
      .where(eq(users.id, userId));
  }
  return { entries, balance };
}
