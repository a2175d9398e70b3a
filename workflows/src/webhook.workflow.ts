import { ParentClosePolicy, log, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '@voice/activities';
import type { WebhookDeliveryInput, WebhookDeliveryOutcome, WebhookEventInput } from '@voice/shared';
import { webhookDeliveryWorkflowId } from '@voice/shared/workflow';

// Quick database work; the same backoff as the pipeline's bookkeeping.
const { prepareWebhookEvent, giveUpWebhookDelivery } = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/**
 * Announces one event: records its deliveries, then starts a delivery workflow per target and returns without
 * waiting (ABANDON: a receiver that is down for hours must not hold the job's workflow open). An event whose
 * deliveries cannot be recorded is logged and dropped: a job's result never depends on its webhooks.
 */
export async function emitWebhookEvent(event: WebhookEventInput): Promise<void> {
  let prepared: Awaited<ReturnType<typeof prepareWebhookEvent>>;
  try {
    prepared = await prepareWebhookEvent(event);
  } catch (error) {
    log.error('webhook event dropped: its deliveries could not be recorded', {
      type: event.type,
      subject: event.subject,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  for (const deliveryId of prepared.deliveryIds) {
    try {
      await startChild(webhookDeliveryWorkflow, {
        workflowId: webhookDeliveryWorkflowId(deliveryId),
        args: [{ deliveryId, retry: prepared.retry }],
        taskQueue: workflowInfo().taskQueue,
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      // Already running (a redelivery got there first): that run delivers it.
      // (@temporalio/common's WorkflowExecutionAlreadyStartedError, matched by name: workflows import the SDK only.)
      if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
    }
  }
}

/**
 * Delivers one event to one target: attempts with exponential backoff (Temporal's activity retries) until a 2xx
 * or the retry window closes, then gives up (and may disable the endpoint).
 */
export async function webhookDeliveryWorkflow({
  deliveryId,
  retry,
}: WebhookDeliveryInput): Promise<WebhookDeliveryOutcome> {
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    // The POST itself is bounded at 10 s; the rest is two small queries.
    startToCloseTimeout: '30 seconds',
    // The whole retry window: Temporal stops retrying once the next try would start after it.
    scheduleToCloseTimeout: retry.windowSeconds * 1000,
    retry: {
      initialInterval: retry.initialSeconds * 1000,
      backoffCoefficient: 2,
      maximumInterval: retry.maxIntervalSeconds * 1000,
    },
  });
  try {
    return await deliverWebhook({ deliveryId });
  } catch (error) {
    log.warn('webhook delivery given up', {
      deliveryId,
      error: error instanceof Error ? error.message : String(error),
    });
    await giveUpWebhookDelivery({ deliveryId });
    return 'failed';
  }
}
