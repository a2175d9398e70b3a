import { ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { PaymentActivities } from '@voice/activities';
import type { PaymentEventOutcome, VerifiedPaymentEvent } from '@voice/shared';
import { emitWebhookEvent } from './webhook.workflow';

// A database blip is retried for as long as it lasts: a verified payment must end up granted.
const { applyPaymentEvent } = proxyActivities<PaymentActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

// A mail server that is down for an hour still gets the receipt; after a day it is given up (the payment stands).
const { sendPaymentReceipt } = proxyActivities<PaymentActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '10 seconds', maximumInterval: '30 minutes' },
});

/**
 * Applies one verified provider event (a capture, a refund, a dispute). Its workflow id names the fact, so the
 * confirm call and every webhook delivery of it start one run between them; the ledger keys make even a second
 * run (after the id's retention) a no-op. The receipt goes out in a child of its own, so the caller waiting on
 * this result never waits for the mail server.
 */
export async function paymentEventWorkflow(event: VerifiedPaymentEvent): Promise<PaymentEventOutcome> {
  const outcome = await applyPaymentEvent(event);
  if (outcome.sendReceipt && outcome.paymentId) {
    await startChild(paymentReceiptWorkflow, {
      workflowId: `payment-receipt-${outcome.paymentId}`,
      args: [outcome.paymentId],
      taskQueue: workflowInfo().taskQueue,
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    // The first grant only, like the receipt: a replayed provider event announces nothing twice.
    if (patched('webhooks')) {
      await emitWebhookEvent({
        type: 'payment.succeeded',
        subject: outcome.paymentId,
        occurredAt: new Date().toISOString(),
      });
    }
  }
  return outcome;
}

export async function paymentReceiptWorkflow(paymentId: string): Promise<void> {
  await sendPaymentReceipt({ paymentId });
}
