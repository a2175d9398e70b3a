import type { PaymentEventOutcome, PaymentProviderName, PaymentStatus, VerifiedPaymentEvent } from '@voice/shared';
import { and, desc, eq, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../client';
import { payments, users, type NewPayment, type Payment } from '../schema';
import { appendEntries, findEntry } from './ledger-entries';
import { lockUserBalance, single } from './locks';

// A payment row moves only here, each change in one transaction that locks the payment row, then the user's
// balance (the ledger's lock order has no job in it). Credits move through ledger entries keyed by the payment
// (the grant) or by the refund (each reversal), so however often and in whatever order an event arrives it
// applies once.

/** Statuses in which the purchased credits were granted (and may be partly taken back). */
const GRANTED: readonly PaymentStatus[] = ['succeeded', 'partially_refunded', 'refunded', 'disputed'];

export function purchaseKey(paymentId: string): string {
  return `payment:${paymentId}:purchase`;
}

export function reversalKey(paymentId: string, refundId: string): string {
  return `payment:${paymentId}:reversal:${refundId}`;
}

/**
 * Records a pending payment. With an Idempotency-Key, a second request with the same key finds the first row
 * (`created: false`) instead of making a second order; the caller compares the fingerprints.
 */
export async function createPendingPayment(
  db: Database,
  row: NewPayment,
): Promise<{ payment: Payment; created: boolean }> {
  const inserted = await db.insert(payments).values(row).onConflictDoNothing().returning();
  if (inserted[0]) return { payment: inserted[0], created: true };
  if (!row.idempotencyKey) throw new Error('payment insert conflicted without an idempotency key');
  return { payment: await findPaymentByIdempotencyKey(db, row.userId, row.idempotencyKey), created: false };
}

async function findPaymentByIdempotencyKey(db: Database, userId: string, key: string): Promise<Payment> {
  const rows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.userId, userId), eq(payments.idempotencyKey, key)));
  return single(rows, 'payments');
}

/** The earlier payment made with this Idempotency-Key, if any. */
export async function findPaymentForIdempotencyKey(
  db: Database,
  userId: string,
  key: string,
): Promise<Payment | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.userId, userId), eq(payments.idempotencyKey, key)));
  return row;
}

/** A user's own payment; undefined for an unknown id or someone else's (both answer 404). */
export async function getPaymentForUser(db: Database, paymentId: string, userId: string): Promise<Payment | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.id, paymentId), eq(payments.userId, userId)));
  return row;
}

/** Locks the payment an event names: by the provider's payment id, else by the capture (refunds name that). */
async function lockPaymentForEvent(
  tx: Database,
  event: { provider: PaymentProviderName; providerPaymentId?: string; captureId?: string },
): Promise<Payment | undefined> {
  const refs: SQL[] = [];
  if (event.providerPaymentId) refs.push(eq(payments.providerPaymentId, event.providerPaymentId));
  if (event.captureId) refs.push(eq(payments.captureId, event.captureId));
  if (refs.length === 0) return undefined;
  const rows = await tx
    .select()
    .from(payments)
    .where(and(eq(payments.provider, event.provider), or(...refs)))
    .for('update');
  return rows[0];
}

/** "1.00 USD": minor units as a person reads them (the currency's own decimals), for the review reason. */
function money(amountMinor: number, currency: string): string {
  const code = currency.toUpperCase();
  let decimals = 2;
  try {
    decimals =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not an ISO code Intl knows: keep two decimals.
  }
  const digits = String(Math.abs(amountMinor)).padStart(decimals + 1, '0');
  const whole = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return `${amountMinor < 0 ? '-' : ''}${whole} ${code}`;
}

function sameCurrency(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Applies a verified capture: grants the package's credits once, keyed by the payment. An amount or currency
 * that differs from the order's grants nothing and puts the payment in `review`. An event for no payment of
 * ours (someone else's integration on the same account, or a stale reference) changes nothing.
 */
export async function applyPaidEvent(
  db: Database,
  event: Extract<VerifiedPaymentEvent, { kind: 'paid' }>,
): Promise<PaymentEventOutcome> {
  return db.transaction(async (tx) => {
    const payment = await lockPaymentForEvent(tx, event);
    if (!payment) return { creditsDelta: 0, replayed: false, sendReceipt: false };
    const seen = { paymentId: payment.id, status: payment.status, creditsDelta: 0, sendReceipt: false };
    if (GRANTED.includes(payment.status) || payment.status === 'review') return { ...seen, replayed: true };

    if (event.amountMinor !== payment.amountMinor || !sameCurrency(event.currency, payment.currency)) {
      const reason =
        `The provider reported ${money(event.amountMinor, event.currency)}, ` +
        `the order was for ${money(payment.amountMinor, payment.currency)}`;
      await tx
        .update(payments)
        .set({ status: 'review', reviewReason: reason, captureId: event.captureId ?? null, updatedAt: sql`now()` })
        .where(eq(payments.id, payment.id));
      return { ...seen, status: 'review' as const, replayed: false };
    }

    const balance = await lockUserBalance(tx, payment.userId);
    // The row lock makes this unreachable for a second event; the key also guards a payment reset by hand.
    if (!(await findEntry(tx, purchaseKey(payment.id)))) {
      await appendEntries(tx, payment.userId, balance, [
        {
          kind: 'purchase',
          amount: payment.creditsPurchased,
          jobId: null,
          idempotencyKey: purchaseKey(payment.id),
          description: `${payment.packageId ?? 'credit'} package via ${payment.provider}`,
          metadata: { paymentId: payment.id },
        },
      ]);
    }
    await tx
      .update(payments)
      .set({
        status: 'succeeded',
        captureId: event.captureId ?? payment.captureId,
        fulfilledAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(payments.id, payment.id));
    return {
      paymentId: payment.id,
      status: 'succeeded',
      creditsDelta: payment.creditsPurchased,
      replayed: false,
      sendReceipt: true,
    };
  });
}

/**
 * Applies a refund or a dispute: takes back the share of the purchased credits the money returned covers, as far
 * as the available balance allows (never below zero; held credits belong to running jobs). What could not be
 * taken back is recorded on the payment as a shortfall. One ledger entry per refund id, amount 0 included.
 */
export async function applyRefundEvent(
  db: Database,
  event: Extract<VerifiedPaymentEvent, { kind: 'refund' | 'dispute' }>,
): Promise<PaymentEventOutcome> {
  return db.transaction(async (tx) => {
    const payment = await lockPaymentForEvent(tx, event);
    if (!payment) return { creditsDelta: 0, replayed: false, sendReceipt: false };
    const key = reversalKey(payment.id, event.refundId);
    const seen = { paymentId: payment.id, status: payment.status, sendReceipt: false };
    const balance = await lockUserBalance(tx, payment.userId);
    if (await findEntry(tx, key)) return { ...seen, creditsDelta: 0, replayed: true };

    // Refunds and disputes are counted apart: Stripe's charge.refunded reports the refunds' running total only.
    const refunded =
      event.kind === 'dispute'
        ? payment.refundedMinor
        : Math.min(
            payment.amountMinor,
            event.amountIs === 'total_refunded'
              ? Math.max(payment.refundedMinor, event.amountMinor)
              : payment.refundedMinor + event.amountMinor,
          );
    const disputed =
      event.kind === 'dispute'
        ? Math.min(payment.amountMinor, payment.disputedMinor + event.amountMinor)
        : payment.disputedMinor;
    const returned = Math.min(payment.amountMinor, refunded + disputed);
    const granted = GRANTED.includes(payment.status);
    // Integer arithmetic throughout: a full refund takes back exactly what was granted.
    const owed = granted ? Math.floor((payment.creditsPurchased * returned) / payment.amountMinor) : 0;
    const due = Math.max(0, owed - payment.creditsReversed - payment.creditsShortfall);
    const taken = Math.min(due, balance);
    const delta = taken === 0 ? 0 : -taken; // never -0
    await appendEntries(tx, payment.userId, balance, [
      {
        kind: 'payment_reversal',
        amount: delta,
        jobId: null,
        idempotencyKey: key,
        description: `${event.kind} ${event.refundId} via ${payment.provider}`,
        metadata: { paymentId: payment.id },
      },
    ]);
    // A dispute stays the headline whatever refunds come after it.
    const status: PaymentStatus = !granted
      ? payment.status
      : disputed > 0
        ? 'disputed'
        : returned >= payment.amountMinor
          ? 'refunded'
          : 'partially_refunded';
    await tx
      .update(payments)
      .set({
        status,
        refundedMinor: refunded,
        disputedMinor: disputed,
        creditsReversed: payment.creditsReversed + taken,
        creditsShortfall: payment.creditsShortfall + (due - taken),
        updatedAt: sql`now()`,
      })
      .where(eq(payments.id, payment.id));
    return { ...seen, status, creditsDelta: delta, replayed: false };
  });
}

/** What a receipt needs; undefined once it was sent (or for a payment that never succeeded). */
export async function receiptToSend(
  db: Database,
  paymentId: string,
): Promise<{ payment: Payment; email: string; name: string; balance: number } | undefined> {
  const [row] = await db
    .select({ payment: payments, email: users.email, name: users.name, balance: users.creditsBalance })
    .from(payments)
    .innerJoin(users, eq(users.id, payments.userId))
    .where(
      and(
        eq(payments.id, paymentId),
        isNull(payments.receiptSentAt),
        isNotNull(payments.fulfilledAt),
        // An erased account keeps its payments for accounting, but has no address left to mail.
        isNull(users.deletedAt),
      ),
    );
  if (!row) return undefined;
  return row;
}

export async function markReceiptSent(db: Database, paymentId: string): Promise<void> {
  await db
    .update(payments)
    .set({ receiptSentAt: sql`now()` })
    .where(eq(payments.id, paymentId));
}

export interface PaymentPage {
  payments: Payment[];
  /** Pass as `before` for the next (older) page; undefined on the last page. */
  nextBefore?: string;
}

/** Newest first; `before` is an ISO timestamp from the previous page. */
export async function listPaymentsForUser(
  db: Database,
  userId: string,
  options: { limit: number; before?: Date },
): Promise<PaymentPage> {
  return pageOf(db, [eq(payments.userId, userId)], options);
}

/** Every user's payments, for the admin view; `status: 'review'` lists the ones waiting for a decision. */
export async function listAllPayments(
  db: Database,
  options: { limit: number; before?: Date; status?: PaymentStatus },
): Promise<PaymentPage> {
  return pageOf(db, options.status ? [eq(payments.status, options.status)] : [], options);
}

async function pageOf(
  db: Database,
  filters: SQL[],
  { limit, before }: { limit: number; before?: Date },
): Promise<PaymentPage> {
  const rows = await db
    .select()
    .from(payments)
    .where(and(...filters, before ? lt(payments.createdAt, before) : undefined))
    .orderBy(desc(payments.createdAt), desc(payments.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { payments: page, ...(rows.length > limit && last ? { nextBefore: last.createdAt.toISOString() } : {}) };
}
