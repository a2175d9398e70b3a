export { createBookkeepingActivities } from './bookkeeping-activities';
export type { BookkeepingActivities, BookkeepingActivityDependencies } from './bookkeeping-activities';
export { createMediaActivities } from './media-activities';
export type { MediaActivities, MediaActivityDependencies, PreprocessResult, QualityResult } from './media-activities';
export { withHeartbeats, finiteOrNull } from './heartbeat';
export { createPaymentActivities } from './payment-activities';
export type { PaymentActivities, PaymentActivityDependencies, PaymentReceipt } from './payment-activities';
export { createWebhookActivities } from './webhook-activities';
export type { WebhookActivities, WebhookActivityDependencies, WebhookDisabledNotice } from './webhook-activities';
