import { ApiProperty } from '@nestjs/swagger';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookDeliveryStatus,
  type WebhookEventType,
} from '@voice/db';
import { z } from 'zod/v4';

export const WEBHOOK_ENDPOINT_STATUSES = ['active', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

export const createWebhookSchema = z
  .object({
    url: z.string().trim().min(1).max(2048),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1, { error: 'choose at least one event' })
      .transform((events) => [...new Set(events)]),
  })
  .strict();
export type CreateWebhookInput = z.output<typeof createWebhookSchema>;

export const webhookIdSchema = z.uuid({ error: 'must be a webhook id (UUID)' });
export const deliveryIdSchema = z.uuid({ error: 'must be a delivery id (UUID)' });

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'https://example.com/hooks/voice' }) url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events!: WebhookEventType[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    enum: WEBHOOK_ENDPOINT_STATUSES,
    description: 'disabled: deliveries failed for the whole retry window (24 h); it gets no new events',
  })
  status!: WebhookEndpointStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The first failed attempt since the last success; null while deliveries succeed',
  })
  failingSince!: string | null;
}

export class CreatedWebhookDto {
  @ApiProperty({ type: WebhookEndpointDto }) endpoint!: WebhookEndpointDto;
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The signing secret (Standard Webhooks). Shown only in this response; verify deliveries with it, e.g. with ' +
      'the standardwebhooks package.',
  })
  secret!: string;
}

export class WebhookEndpointListDto {
  @ApiProperty({ type: [WebhookEndpointDto], description: 'Newest first' }) items!: WebhookEndpointDto[];
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) eventType!: WebhookEventType;
  @ApiProperty({ description: 'The webhook-id header: the same on every attempt, for deduplication' })
  eventId!: string;
  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES, description: 'pending: still being retried' })
  status!: WebhookDeliveryStatus;
  @ApiProperty({ example: 3 }) attempts!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The last HTTP status; null: no answer' })
  lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The body sent: {type, timestamp, data}' })
  payload!: Record<string, unknown>;
}

export class WebhookDeliveryListDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Newest first, at most 100' }) items!: WebhookDeliveryDto[];
}

export class CallbackSecretDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'Signs deliveries to the callback_url of your jobs (one secret per account)',
  })
  secret!: string;
}
