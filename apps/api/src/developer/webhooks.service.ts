import { randomUUID } from 'node:crypto';

import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Env } from '@voice/config';
import {
  countWebhookEndpoints,
  deleteWebhookEndpoint,
  findWebhookDeliveryForUser,
  findWebhookEndpointForUser,
  insertWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  reopenWebhookDelivery,
  type Database,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '@voice/db';
import type { SecretBox } from '@voice/runtime';
import {
  callbackSecretFor,
  endpointSecretContext,
  generateWebhookSecret,
  vetWebhookUrl,
  WebhookUrlError,
} from '@voice/webhooks';

import { conflict, DomainError, notFound, validationError } from '../common/domain-error';
import { DATABASE, ENV, SECRET_BOX } from '../common/tokens';
import type {
  CreatedWebhookDto,
  CreateWebhookInput,
  WebhookDeliveryDto,
  WebhookDeliveryListDto,
  WebhookEndpointDto,
  WebhookEndpointListDto,
} from './dto/webhooks.dto';
import { WEBHOOK_DELIVERIES, type WebhookDeliveriesClient } from './webhook-deliveries.client';

/** Endpoints one account may register: enough for real use, and a bound on the fan-out of one event. */
export const MAX_WEBHOOK_ENDPOINTS = 10;
const DELIVERY_LOG_LIMIT = 100;

/**
 * Vets a URL a user submits (a webhook or a job's callback_url) as the delivery will, so a URL that could never be
 * delivered to is refused with 400 up front. Resolves the host: the caller must not be on a hot path.
 */
export async function assertDeliverableUrl(
  url: string,
  env: Pick<Env, 'WEBHOOK_ALLOW_PRIVATE'>,
  field: string,
): Promise<string> {
  try {
    return (await vetWebhookUrl(url, { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE })).url.toString();
  } catch (error) {
    if (!(error instanceof WebhookUrlError)) throw error;
    throw validationError(`Invalid request body: ${field}: ${error.message}`, [{ field, message: error.message }]);
  }
}

/** Webhook endpoints (registered, listed, deleted by a signed-in user), their delivery log and redelivery. */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(WEBHOOK_DELIVERIES) private readonly deliveryRuns: WebhookDeliveriesClient,
  ) {}

  async create(userId: string, input: CreateWebhookInput): Promise<CreatedWebhookDto> {
    const url = await assertDeliverableUrl(input.url, this.env, 'url');
    if ((await countWebhookEndpoints(this.db, userId)) >= MAX_WEBHOOK_ENDPOINTS) {
      throw new DomainError(
        'WEBHOOK_LIMIT_REACHED',
        HttpStatus.CONFLICT,
        `At most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints per account; delete one first`,
      );
    }
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const sealed = this.box.seal(secret, endpointSecretContext(id));
    const endpoint = await insertWebhookEndpoint(this.db, {
      id,
      userId,
      url,
      events: input.events,
      secretKeyId: sealed.keyId,
      secretCiphertext: sealed.ciphertext,
    });
    return { endpoint: toEndpointDto(endpoint), secret };
  }

  async list(userId: string): Promise<WebhookEndpointListDto> {
    return { items: (await listWebhookEndpoints(this.db, userId)).map(toEndpointDto) };
  }

  /** Deletes the endpoint and its log; deliveries still retrying find it gone and stop. */
  async remove(userId: string, endpointId: string): Promise<WebhookEndpointDto> {
    const endpoint = await deleteWebhookEndpoint(this.db, userId, endpointId);
    if (!endpoint) throw webhookNotFound(endpointId);
    return toEndpointDto(endpoint);
  }

  async deliveries(userId: string, endpointId: string): Promise<WebhookDeliveryListDto> {
    await this.endpoint(userId, endpointId);
    return { items: (await listWebhookDeliveries(this.db, endpointId, DELIVERY_LOG_LIMIT)).map(toDeliveryDto) };
  }

  /** Sends the same event again (same webhook-id, fresh timestamp and signature), with a new retry window. */
  async redeliver(userId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    const endpoint = await this.endpoint(userId, endpointId);
    if (endpoint.disabledAt) {
      throw new DomainError(
        'WEBHOOK_DISABLED',
        HttpStatus.CONFLICT,
        'This endpoint is disabled; register it again to receive deliveries',
      );
    }
    const delivery = await findWebhookDeliveryForUser(this.db, userId, endpointId, deliveryId);
    if (!delivery) throw notFound('WEBHOOK_DELIVERY_NOT_FOUND', `Delivery ${deliveryId} not found`);
    // A pending delivery has a live run: refused before anything is written, so its log is left as it is.
    if (delivery.status === 'pending') {
      throw conflict('WEBHOOK_DELIVERY_IN_PROGRESS', 'This delivery is still being retried; wait for it to end');
    }
    // Reopened first: the run may finish before this returns, and must find the delivery pending, not succeeded.
    const reopened = await reopenWebhookDelivery(this.db, deliveryId, new Date());
    await this.deliveryRuns.redeliver(deliveryId);
    return toDeliveryDto(reopened);
  }

  /** The secret that signs deliveries to jobs' callback_url; made on first use. */
  async callbackSecret(userId: string): Promise<{ secret: string }> {
    return { secret: await callbackSecretFor(this.db, this.box, userId) };
  }

  private async endpoint(userId: string, endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await findWebhookEndpointForUser(this.db, userId, endpointId);
    if (!endpoint) throw webhookNotFound(endpointId);
    return endpoint;
  }
}

function webhookNotFound(endpointId: string): DomainError<'WEBHOOK_NOT_FOUND'> {
  return notFound('WEBHOOK_NOT_FOUND', `Webhook endpoint ${endpointId} not found`);
}

/** The public shape of an endpoint: never its secret. */
export function toEndpointDto(endpoint: WebhookEndpoint): WebhookEndpointDto {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    createdAt: endpoint.createdAt.toISOString(),
    status: endpoint.disabledAt ? 'disabled' : 'active',
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
  };
}

export function toDeliveryDto(delivery: WebhookDelivery): WebhookDeliveryDto {
  return {
    id: delivery.id,
    eventType: delivery.eventType,
    eventId: delivery.eventId,
    status: delivery.status,
    attempts: delivery.attempts,
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    payload: { ...delivery.payload },
  };
}
