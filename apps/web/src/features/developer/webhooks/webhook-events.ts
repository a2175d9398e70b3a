import type { WebhookEventType } from './webhook-queries';

/** Every event with what it announces, in the form's order (a Record: a new event type fails the build). */
const EVENTS: Record<WebhookEventType, string> = {
  'job.completed': 'A job finished and its result is ready',
  'job.failed': 'A job failed',
  'job.cancelled': 'A job was cancelled',
  'payment.succeeded': 'A credit purchase went through',
};

export const WEBHOOK_EVENTS = Object.keys(EVENTS) as WebhookEventType[];

export function eventDescription(event: WebhookEventType): string {
  return EVENTS[event];
}
