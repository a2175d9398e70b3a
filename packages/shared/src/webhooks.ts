/** Events a webhook endpoint can subscribe to; a job's `callback_url` receives its job.* event. */
export const WEBHOOK_EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled', 'payment.succeeded'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A fact to announce: `subject` is the job id for job.* events and the payment id for payment.succeeded. */
export interface WebhookEventInput {
  type: WebhookEventType;
  subject: string;
  /** ISO 8601, from the workflow's clock (deterministic on replay). */
  occurredAt: string;
}

/** How a delivery is retried (WEBHOOK_RETRY_* from the worker's env), passed to the delivery workflow. */
export interface WebhookRetrySettings {
  initialSeconds: number;
  maxIntervalSeconds: number;
  /** Retried this long; an endpoint failing for this long is disabled. */
  windowSeconds: number;
}

/** Input of the per-delivery workflow (workflow id `webhook-<deliveryId>`). */
export interface WebhookDeliveryInput {
  deliveryId: string;
  retry: WebhookRetrySettings;
}

export type WebhookDeliveryOutcome = 'succeeded' | 'skipped' | 'failed';

/** The workflow id of a delivery: one run at a time per delivery, and a redelivery reuses it once it closed. */
export function webhookDeliveryWorkflowId(deliveryId: string): string {
  return `webhook-${deliveryId}`;
}
