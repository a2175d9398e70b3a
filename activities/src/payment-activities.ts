import { applyPaidEvent, applyRefundEvent, markReceiptSent, receiptToSend, type Database } from '@voice/db';
import type { MetricsRecorder, PaymentOutcome } from '@voice/metrics';
import type { PaymentEventOutcome, VerifiedPaymentEvent } from '@voice/shared';

/** What a receipt mail says; the platform turns it into a mail (the activities know no mail transport). */
export interface PaymentReceipt {
  paymentId: string;
  to: string;
  name: string;
  packageId: string | null;
  creditsPurchased: number;
  amountMinor: number;
  currency: string;
  /** Available credit-seconds when the receipt is written. */
  balance: number;
}

export interface PaymentActivityDependencies {
  db: Database;
  /** Sends one receipt; rejects on failure (the activity is retried). */
  sendReceipt(receipt: PaymentReceipt): Promise<void>;
  /** Payments and purchased credits; nothing is recorded without it (metrics off). */
  metrics?: MetricsRecorder;
}

/** The voice_payments_total outcome of an applied event; undefined when it changed nothing (a replay, a foreign id). */
function paymentOutcome(event: VerifiedPaymentEvent, outcome: PaymentEventOutcome): PaymentOutcome | undefined {
  if (outcome.replayed || outcome.paymentId === undefined) return undefined;
  if (event.kind === 'refund') return 'refunded';
  if (event.kind === 'dispute') return 'disputed';
  return outcome.status === 'review' ? 'review' : 'paid';
}

/**
 * Payment fulfilment on the CPU task queue. Each activity is safe to run again: the ledger entries are keyed by
 * the payment and the refund, and a receipt is marked sent once it went out (a crash between the two sends it
 * twice, never zero times).
 */
export function createPaymentActivities({ db, sendReceipt, metrics }: PaymentActivityDependencies) {
  return {
    async applyPaymentEvent(event: VerifiedPaymentEvent): Promise<PaymentEventOutcome> {
      const applied = event.kind === 'paid' ? await applyPaidEvent(db, event) : await applyRefundEvent(db, event);
      const outcome = paymentOutcome(event, applied);
      if (outcome) {
        metrics?.paymentApplied({
          provider: event.provider,
          outcome,
          creditsPurchased: outcome === 'paid' ? Math.max(0, applied.creditsDelta) : 0,
        });
      }
      return applied;
    },

    async sendPaymentReceipt({ paymentId }: { paymentId: string }): Promise<void> {
      const pending = await receiptToSend(db, paymentId);
      if (!pending) return;
      const { payment } = pending;
      await sendReceipt({
        paymentId,
        to: pending.email,
        name: pending.name,
        packageId: payment.packageId,
        creditsPurchased: payment.creditsPurchased,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        balance: pending.balance,
      });
      await markReceiptSent(db, paymentId);
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
