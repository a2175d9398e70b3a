import { createHash } from 'node:crypto';

import { ApplicationFailure, Context, log } from '@temporalio/activity';
import {
  disableFailingEndpoint,
  findDeliveryTarget,
  getJobById,
  getPaymentById,
  insertWebhookDeliveries,
  markDeliveryFailed,
  recordDeliveryAttempt,
  subscribedWebhookEndpoints,
  type Database,
  type NewWebhookDelivery,
  type WebhookEventType,
  type WebhookPayload,
} from '@voice/db';
import type { WebhookEventInput, WebhookRetrySettings } from '@voice/shared';
import {
  callbackSecretFor,
  endpointSecretContext,
  postWebhook,
  vetWebhookUrl,
  WebhookUrlError,
  webhookHeaders,
  type ResolveHost,
  type SecretSealer,
} from '@voice/webhooks';

/** What the owner of a disabled endpoint is told. */
export interface WebhookDisabledNotice {
  to: string;
  name: string;
  url: string;
  failingHours: number;
}

export interface WebhookActivityDependencies {
  db: Database;
  secrets: SecretSealer;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  retry: WebhookRetrySettings;
  /** Mails the owner; rejects on failure (the activity is retried). */
  notifyDisabled(notice: WebhookDisabledNotice): Promise<void>;
  /** Tests map names to addresses; production uses the system resolver. */
  resolve?: ResolveHost;
  timeoutMs?: number;
}

/** `evt_` + a hash of the fact: every try of the emitting activity names the event the same. */
function eventIdFor(type: WebhookEventType, subject: string): string {
  return `evt_${createHash('sha256').update(`${type}:${subject}`).digest('hex').slice(0, 32)}`;
}

/**
 * Outgoing webhooks on the CPU task queue: turning an event into delivery rows, one attempt at a delivery, and
 * giving one up. Attempts are retried by Temporal (the delivery workflow's retry policy), so each one records
 * itself and throws on failure.
 */
export function createWebhookActivities(deps: WebhookActivityDependencies) {
  const { db } = deps;

  async function eventData(event: WebhookEventInput): Promise<WebhookPayload['data'] | undefined> {
    if (event.type === 'payment.succeeded') {
      const payment = await getPaymentById(db, event.subject);
      if (!payment) return undefined;
      return {
        paymentId: payment.id,
        status: payment.status,
        provider: payment.provider,
        packageId: payment.packageId,
        creditsPurchased: payment.creditsPurchased,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
      };
    }
    const job = await getJobById(db, event.subject);
    if (!job) return undefined;
    // Metadata only: the output itself is fetched through the API with the caller's own credentials.
    return {
      jobId: job.id,
      status: job.status,
      jobType: job.jobType,
      error: job.status === 'failed' ? job.error : null,
      outputDurationMs: job.outputDurationMs,
      createdAt: job.createdAt.toISOString(),
      completedAt: job.completedAt?.toISOString() ?? null,
    };
  }

  return {
    /**
     * Records one delivery per subscribed endpoint (and the job's callback_url, for job events) and returns their
     * ids for the workflow to start. Safe to retry: the rows are keyed by event and target.
     */
    async prepareWebhookEvent(
      event: WebhookEventInput,
    ): Promise<{ deliveryIds: string[]; retry: WebhookRetrySettings }> {
      const data = await eventData(event);
      if (!data) return { deliveryIds: [], retry: deps.retry };
      const userId =
        event.type === 'payment.succeeded'
          ? (await getPaymentById(db, event.subject))?.userId
          : (await getJobById(db, event.subject))?.userId;
      if (!userId) return { deliveryIds: [], retry: deps.retry };
      const eventId = eventIdFor(event.type, event.subject);
      const payload: WebhookPayload = { type: event.type, timestamp: event.occurredAt, data };
      const rows: NewWebhookDelivery[] = (await subscribedWebhookEndpoints(db, userId, event.type)).map((endpoint) => ({
        endpointId: endpoint.id,
        userId,
        url: endpoint.url,
        eventType: event.type,
        eventId,
        dedupeKey: `${endpoint.id}:${eventId}`,
        payload,
      }));
      if (event.type !== 'payment.succeeded') {
        const callbackUrl = (await getJobById(db, event.subject))?.callbackUrl;
        if (callbackUrl) {
          rows.push({
            endpointId: null,
            userId,
            url: callbackUrl,
            eventType: event.type,
            eventId,
            dedupeKey: `callback:${eventId}`,
            payload,
          });
        }
      }
      const deliveries = await insertWebhookDeliveries(db, rows);
      return { deliveryIds: deliveries.map((delivery) => delivery.id), retry: deps.retry };
    },

    /** One attempt. Resolves on a 2xx (or when there is nothing left to deliver); throws on any failure. */
    async deliverWebhook({ deliveryId }: { deliveryId: string }): Promise<'succeeded' | 'skipped'> {
      const target = await findDeliveryTarget(db, deliveryId);
      if (!target || target.delivery.status === 'succeeded') return 'skipped';
      const { delivery, endpoint } = target;
      if (delivery.endpointId !== null && (!endpoint || endpoint.disabledAt)) {
        await markDeliveryFailed(db, deliveryId, 'the endpoint is disabled');
        return 'skipped';
      }
      const secret = endpoint
        ? deps.secrets.open(
            { keyId: endpoint.secretKeyId, ciphertext: endpoint.secretCiphertext },
            endpointSecretContext(endpoint.id),
          )
        : await callbackSecretFor(db, deps.secrets, delivery.userId);
      const body = JSON.stringify(delivery.payload);
      const at = new Date();
      let outcome: { ok: boolean; statusCode: number | null; error: string | null };
      try {
        // Vetted again now, after resolving: a name that pointed at a public address at registration may not now.
        const vetted = await vetWebhookUrl(delivery.url, {
          allowPrivate: deps.allowPrivate,
          ...(deps.resolve ? { resolve: deps.resolve } : {}),
        });
        const headers = webhookHeaders(secret, delivery.eventId, Math.floor(at.getTime() / 1000), body);
        outcome = await postWebhook(vetted, {
          headers,
          body,
          ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
        });
      } catch (error) {
        if (!(error instanceof WebhookUrlError)) throw error;
        outcome = { ok: false, statusCode: null, error: `refused: ${error.message}` };
      }
      const { attempt } = Context.current().info;
      const waitSeconds = Math.min(deps.retry.initialSeconds * 2 ** (attempt - 1), deps.retry.maxIntervalSeconds);
      await recordDeliveryAttempt(db, {
        deliveryId,
        at,
        ...outcome,
        nextAttemptAt: outcome.ok ? null : new Date(at.getTime() + waitSeconds * 1000),
      });
      if (outcome.ok) return 'succeeded';
      // Retryable: Temporal backs off and tries again until the delivery's window closes.
      throw ApplicationFailure.retryable(
        `Delivery ${deliveryId} failed: ${outcome.error ?? 'unknown'}`,
        'WebhookAttemptFailed',
      );
    },

    /**
     * After the retry window: the delivery is failed, and its endpoint disabled if it has not succeeded once in a
     * whole window (a delivery that failed while others got through leaves it on). The owner is mailed once.
     */
    async giveUpWebhookDelivery({ deliveryId }: { deliveryId: string }): Promise<void> {
      await markDeliveryFailed(db, deliveryId);
      const target = await findDeliveryTarget(db, deliveryId);
      const endpointId = target?.delivery.endpointId;
      if (!endpointId) return;
      const now = new Date();
      const windowMs = deps.retry.windowSeconds * 1000;
      const disabled = await disableFailingEndpoint(db, endpointId, new Date(now.getTime() - windowMs), now);
      if (!disabled) return;
      log.warn('webhook endpoint disabled after failing for the retry window', { endpointId });
      await deps.notifyDisabled({
        to: disabled.email,
        name: disabled.name,
        url: disabled.endpoint.url,
        failingHours: Math.round((deps.retry.windowSeconds / 3600) * 10) / 10,
      });
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
