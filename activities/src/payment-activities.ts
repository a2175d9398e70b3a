import { applyPaidEvent, applyRefundEvent, markReceiptSent, receiptToSend, type Database } from '@voice/db';
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
}

/**
 * Payment fulfilment on the CPU task queue. Each activity is safe to run again: the ledger entries are keyed by
 * the payment and the refund, and a receipt is marked sent once it went out (a crash between the two sends it
 * twice, never zero times).
 */
export function createPaymentActivities({ db, sendReceipt }: PaymentActivityDependencies) {
  return {
    async applyPaymentEvent(event: VerifiedPaymentEvent): Promise<PaymentEventOutcome> {
      return event.kind === 'paid' ? applyPaidEvent(db, event) : applyRefundEvent(db, event);
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
