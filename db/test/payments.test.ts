import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { eq } from 'drizzle-orm';
import type { VerifiedPaymentEvent } from '@voice/shared';
import {
  applyPaidEvent,
  applyRefundEvent,
  chargeJobDownload,
  createPendingPayment,
  creditLedger,
  getPaymentForUser,
  listAllPayments,
  listPaymentsForUser,
  markJobCompleted,
  markJobRunning,
  markReceiptSent,
  payments,
  receiptToSend,
  reserveCredits,
  settleCredits,
  type Database,
  type Payment,
} from '../src';
import { assertLedgerConsistent, describeEachDriver, makeJob, makeUser, sampleJobResult } from './support';

type Paid = Extract<VerifiedPaymentEvent, { kind: 'paid' }>;
type Refund = Extract<VerifiedPaymentEvent, { kind: 'refund' | 'dispute' }>;

const PRO = { packageId: 'pro', amountMinor: 5000, currency: 'usd', creditsPurchased: 180 * 60 };

async function pendingPayment(db: Database, userId: string, overrides: Partial<Payment> = {}): Promise<Payment> {
  const { payment } = await createPendingPayment(db, {
    userId,
    provider: 'razorpay',
    providerPaymentId: `order_${randomUUID()}`,
    ...PRO,
    ...overrides,
  });
  return payment;
}

function paid(payment: Payment, overrides: Partial<Paid> = {}): Paid {
  return {
    kind: 'paid',
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    captureId: `pay_${payment.id.slice(0, 8)}`,
    amountMinor: payment.amountMinor,
    currency: payment.currency.toUpperCase(),
    via: 'webhook',
    ...overrides,
  };
}

function refund(payment: Payment, overrides: Partial<Refund> = {}): Refund {
  return {
    kind: 'refund',
    provider: payment.provider,
    captureId: `pay_${payment.id.slice(0, 8)}`,
    refundId: `rfnd_${randomUUID()}`,
    amountMinor: payment.amountMinor,
    amountIs: 'this_refund',
    currency: payment.currency,
    ...overrides,
  };
}

async function balanceOf(db: Database, userId: string): Promise<number> {
  return (await assertLedgerConsistent(db, userId)).balance;
}

describeEachDriver('payments', (ctx) => {
  it('a capture grants the package once, however often and however concurrently it is reported', async () => {
    const user = await makeUser(ctx.db, 100);
    const payment = await pendingPayment(ctx.db, user.id);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => applyPaidEvent(ctx.db, paid(payment))));
    assert.equal(outcomes.filter((outcome) => !outcome.replayed).length, 1);
    assert.equal(outcomes.filter((outcome) => outcome.sendReceipt).length, 1, 'one receipt');
    assert.deepEqual(
      outcomes.map((outcome) => outcome.creditsDelta).sort((a, b) => b - a),
      [PRO.creditsPurchased, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    assert.equal(await balanceOf(ctx.db, user.id), 100 + PRO.creditsPurchased);
    const stored = await getPaymentForUser(ctx.db, payment.id, user.id);
    assert.equal(stored?.status, 'succeeded');
    assert.equal(stored?.captureId, `pay_${payment.id.slice(0, 8)}`);
    assert.ok(stored?.fulfilledAt);
    const entries = await ctx.db.select().from(creditLedger).where(eq(creditLedger.userId, user.id));
    assert.equal(entries.filter((entry) => entry.kind === 'purchase').length, 1);
    assert.equal(entries.find((entry) => entry.kind === 'purchase')?.metadata?.paymentId, payment.id);
  });

  it('an amount or currency that differs from the order grants nothing and puts the payment in review', async () => {
    const user = await makeUser(ctx.db);
    const short = await pendingPayment(ctx.db, user.id);
    const outcome = await applyPaidEvent(ctx.db, paid(short, { amountMinor: 4999 }));
    assert.equal(outcome.status, 'review');
    assert.equal(outcome.creditsDelta, 0);
    const stored = await getPaymentForUser(ctx.db, short.id, user.id);
    assert.equal(stored?.reviewReason, 'The provider reported 49.99 USD, the order was for 50.00 USD');
    // The right amount arriving later does not release it either: a person decides.
    assert.equal((await applyPaidEvent(ctx.db, paid(short))).creditsDelta, 0);

    const euros = await pendingPayment(ctx.db, user.id);
    assert.equal((await applyPaidEvent(ctx.db, paid(euros, { currency: 'EUR' }))).status, 'review');
    assert.equal(await balanceOf(ctx.db, user.id), 0);
    const review = await listAllPayments(ctx.db, { limit: 10, status: 'review' });
    assert.deepEqual(
      review.payments
        .filter((row) => row.userId === user.id)
        .map((row) => row.id)
        .sort(),
      [short.id, euros.id].sort(),
    );
  });

  it('an event for no payment of ours, or naming another provider, changes nothing', async () => {
    const user = await makeUser(ctx.db, 50);
    const payment = await pendingPayment(ctx.db, user.id);
    assert.deepEqual(await applyPaidEvent(ctx.db, paid(payment, { providerPaymentId: 'order_someone_else' })), {
      creditsDelta: 0,
      replayed: false,
      sendReceipt: false,
    });
    assert.equal((await applyPaidEvent(ctx.db, paid(payment, { provider: 'paypal' }))).paymentId, undefined);
    assert.equal((await getPaymentForUser(ctx.db, payment.id, user.id))?.status, 'pending');
    assert.equal(await balanceOf(ctx.db, user.id), 50);
  });

  it('refunds take back the unused share once per refund; a shortfall is recorded, the balance never goes negative', async () => {
    const user = await makeUser(ctx.db);
    const payment = await pendingPayment(ctx.db, user.id);
    await applyPaidEvent(ctx.db, paid(payment));
    // A quarter refunded, reported three times.
    const quarter = refund(payment, { amountMinor: 1250 });
    for (let i = 0; i < 3; i++) await applyRefundEvent(ctx.db, quarter);
    assert.equal(await balanceOf(ctx.db, user.id), PRO.creditsPurchased - PRO.creditsPurchased / 4);
    let stored = await getPaymentForUser(ctx.db, payment.id, user.id);
    assert.equal(stored?.status, 'partially_refunded');
    assert.equal(stored?.refundedMinor, 1250);

    // The user spends all but 100 credit-seconds, then the rest is refunded: only 100 can be taken back.
    const job = await spend(ctx.db, user.id, (await balanceOf(ctx.db, user.id)) - 100);
    assert.ok(job);
    const rest = await applyRefundEvent(ctx.db, refund(payment, { amountMinor: 3750 }));
    assert.equal(rest.creditsDelta, -100);
    assert.equal(rest.status, 'refunded');
    assert.equal(await balanceOf(ctx.db, user.id), 0);
    stored = await getPaymentForUser(ctx.db, payment.id, user.id);
    assert.equal(stored?.creditsReversed, PRO.creditsPurchased / 4 + 100);
    assert.equal(stored?.creditsShortfall, PRO.creditsPurchased - stored!.creditsReversed);
  });

  it("Stripe's running total is applied as a total: repeats and out-of-order reports take nothing twice", async () => {
    const user = await makeUser(ctx.db);
    const payment = await pendingPayment(ctx.db, user.id, {
      provider: 'stripe',
      providerPaymentId: `pi_${randomUUID()}`,
    });
    await applyPaidEvent(ctx.db, paid(payment));
    const total = (amountMinor: number) =>
      refund(payment, { refundId: `ch_x:${amountMinor}`, amountMinor, amountIs: 'total_refunded' });
    await applyRefundEvent(ctx.db, total(2000));
    await applyRefundEvent(ctx.db, total(3000));
    await applyRefundEvent(ctx.db, total(2000)); // a late redelivery of the first
    const stored = await getPaymentForUser(ctx.db, payment.id, user.id);
    assert.equal(stored?.refundedMinor, 3000);
    assert.equal(stored?.creditsReversed, Math.floor((PRO.creditsPurchased * 3000) / 5000));
    assert.equal(await balanceOf(ctx.db, user.id), PRO.creditsPurchased - stored!.creditsReversed);
  });

  it('a dispute takes back what it covers and marks the payment disputed; a refund before the grant takes nothing', async () => {
    const user = await makeUser(ctx.db, 10);
    const disputed = await pendingPayment(ctx.db, user.id);
    await applyPaidEvent(ctx.db, paid(disputed));
    const outcome = await applyRefundEvent(ctx.db, refund(disputed, { kind: 'dispute', refundId: 'dp_1' }));
    assert.equal(outcome.status, 'disputed');
    assert.equal(outcome.creditsDelta, -PRO.creditsPurchased);

    const never = await pendingPayment(ctx.db, user.id);
    const early = await applyRefundEvent(ctx.db, refund(never, { providerPaymentId: never.providerPaymentId }));
    assert.equal(early.creditsDelta, 0);
    assert.equal(early.status, 'pending');
    assert.equal(await balanceOf(ctx.db, user.id), 10);
  });

  it("a dispute and Stripe's refund total apply in either order: disputes are counted apart, and stay the status", async () => {
    for (const order of ['refund first', 'dispute first'] as const) {
      const user = await makeUser(ctx.db);
      const payment = await pendingPayment(ctx.db, user.id, {
        provider: 'stripe',
        providerPaymentId: `pi_${randomUUID()}`,
      });
      await applyPaidEvent(ctx.db, paid(payment));
      const refundTotal = refund(payment, { refundId: 'ch_y:1000', amountMinor: 1000, amountIs: 'total_refunded' });
      const dispute = refund(payment, { kind: 'dispute', refundId: `dp_${order}`, amountMinor: 1000 });
      const events = order === 'refund first' ? [refundTotal, dispute] : [dispute, refundTotal];
      for (const event of events) await applyRefundEvent(ctx.db, event);
      const stored = await getPaymentForUser(ctx.db, payment.id, user.id);
      assert.equal(stored?.status, 'disputed', order);
      assert.equal(stored?.refundedMinor, 1000, order);
      assert.equal(stored?.disputedMinor, 1000, order);
      assert.equal(stored?.creditsReversed, Math.floor((PRO.creditsPurchased * 2000) / 5000), order);
      assert.equal(await balanceOf(ctx.db, user.id), PRO.creditsPurchased - stored!.creditsReversed, order);
    }
  });

  it('create-intent with one Idempotency-Key makes one row; receipts go out once; history pages newest first', async () => {
    const user = await makeUser(ctx.db);
    const key = `idem-${randomUUID()}`;
    const first = await createPendingPayment(ctx.db, {
      userId: user.id,
      provider: 'paypal',
      providerPaymentId: 'ORDER-1',
      idempotencyKey: key,
      ...PRO,
    });
    const again = await createPendingPayment(ctx.db, {
      userId: user.id,
      provider: 'paypal',
      providerPaymentId: 'ORDER-2',
      idempotencyKey: key,
      ...PRO,
    });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.payment.id, first.payment.id);

    assert.equal(await receiptToSend(ctx.db, first.payment.id), undefined, 'no receipt before it succeeds');
    await applyPaidEvent(ctx.db, paid(first.payment));
    const receipt = await receiptToSend(ctx.db, first.payment.id);
    assert.equal(receipt?.email, user.email);
    assert.equal(receipt?.balance, PRO.creditsPurchased);
    await markReceiptSent(ctx.db, first.payment.id);
    assert.equal(await receiptToSend(ctx.db, first.payment.id), undefined);

    for (let i = 0; i < 3; i++) await pendingPayment(ctx.db, user.id);
    const page1 = await listPaymentsForUser(ctx.db, user.id, { limit: 3 });
    assert.equal(page1.payments.length, 3);
    assert.ok(page1.nextBefore);
    const page2 = await listPaymentsForUser(ctx.db, user.id, { limit: 3, before: new Date(page1.nextBefore) });
    assert.deepEqual(
      page2.payments.map((row) => row.id),
      [first.payment.id],
    );
    assert.equal(page2.nextBefore, undefined);
    const stranger = await makeUser(ctx.db);
    assert.equal(await getPaymentForUser(ctx.db, first.payment.id, stranger.id), undefined);
    assert.equal((await ctx.db.select().from(payments).where(eq(payments.userId, user.id))).length, 4);
  });
});

/** Uses up `amount` credit-seconds through the ordinary job path (hold, settle, charge), as a download would. */
async function spend(db: Database, userId: string, amount: number): Promise<string> {
  const job = await makeJob(db, userId);
  await reserveCredits(db, { userId, jobId: job.id, amount, idempotencyKey: `${job.id}:reserve` });
  await markJobRunning(db, job.id, new Date());
  await markJobCompleted(db, job.id, {
    outputKey: `out/${job.id}`,
    outputDurationMs: amount * 1000,
    result: sampleJobResult(),
    at: new Date(),
  });
  await settleCredits(db, { jobId: job.id, amount, idempotencyKey: `${job.id}:settle` });
  await chargeJobDownload(db, { jobId: job.id, userId, idempotencyKey: `${job.id}:charge` });
  return job.id;
}
