import { and, arrayContains, desc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../client';
import {
  payments,
  users,
  webhookCallbackSecrets,
  webhookDeliveries,
  webhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
  type Payment,
  type WebhookPayload,
} from '../schema';
import { single } from './locks';

export interface NewWebhookEndpoint {
  /** Chosen by the caller: the sealed secret's context names it, so it must be known before the insert. */
  id: string;
  userId: string;
  url: string;
  events: WebhookEventType[];
  secretKeyId: string;
  secretCiphertext: string;
}

export interface NewWebhookDelivery {
  endpointId: string | null;
  userId: string;
  url: string;
  eventType: WebhookEventType;
  eventId: string;
  /** One per (event, target): the emitting activity inserts the same keys again when it is retried. */
  dedupeKey: string;
  payload: WebhookPayload;
}

/** A delivery with what an attempt needs: its endpoint (null for a job's callback_url) and the owner's address. */
export interface DeliveryTarget {
  delivery: WebhookDelivery;
  endpoint: WebhookEndpoint | null;
}

export async function insertWebhookEndpoint(db: Database, endpoint: NewWebhookEndpoint): Promise<WebhookEndpoint> {
  return single(await db.insert(webhookEndpoints).values(endpoint).returning(), 'webhook_endpoints');
}

export async function countWebhookEndpoints(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(*)`.mapWith(Number) })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.userId, userId));
  return row?.count ?? 0;
}

/** Newest first, disabled ones included. */
export async function listWebhookEndpoints(db: Database, userId: string): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.userId, userId))
    .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
}

export async function findWebhookEndpointForUser(
  db: Database,
  userId: string,
  endpointId: string,
): Promise<WebhookEndpoint | undefined> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.userId, userId)));
  return row;
}

/** Deletes one of the user's endpoints and (cascade) its delivery log; undefined when it is not theirs. */
export async function deleteWebhookEndpoint(
  db: Database,
  userId: string,
  endpointId: string,
): Promise<WebhookEndpoint | undefined> {
  const [row] = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.userId, userId)))
    .returning();
  return row;
}

/** The user's enabled endpoints subscribed to `eventType`. */
export async function subscribedWebhookEndpoints(
  db: Database,
  userId: string,
  eventType: WebhookEventType,
): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.userId, userId),
        isNull(webhookEndpoints.disabledAt),
        arrayContains(webhookEndpoints.events, [eventType]),
      ),
    )
    .orderBy(webhookEndpoints.createdAt);
}

/**
 * Inserts the deliveries not recorded yet and returns every one of them (new or from an earlier try), in the
 * order given: running it twice yields the same ids and no duplicates.
 */
export async function insertWebhookDeliveries(
  db: Database,
  deliveries: readonly NewWebhookDelivery[],
): Promise<WebhookDelivery[]> {
  if (deliveries.length === 0) return [];
  await db
    .insert(webhookDeliveries)
    .values([...deliveries])
    .onConflictDoNothing({
      target: webhookDeliveries.dedupeKey,
    });
  const keys = deliveries.map((delivery) => delivery.dedupeKey);
  const rows = await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.dedupeKey, keys));
  const byKey = new Map(rows.map((row) => [row.dedupeKey, row]));
  return keys.flatMap((key) => byKey.get(key) ?? []);
}

export async function findDeliveryTarget(db: Database, deliveryId: string): Promise<DeliveryTarget | undefined> {
  const [row] = await db
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .leftJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  return row;
}

export interface DeliveryAttempt {
  deliveryId: string;
  at: Date;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** When the next try is due (failures only; null when none will follow). */
  nextAttemptAt: Date | null;
}

/**
 * Counts one attempt. A success settles the delivery and clears its endpoint's failing streak; a failure keeps
 * the delivery pending and starts the streak if none is running (its start is what disabling looks at).
 */
export async function recordDeliveryAttempt(db: Database, attempt: DeliveryAttempt): Promise<WebhookDelivery> {
  return db.transaction(async (tx) => {
    const delivery = single(
      await tx
        .update(webhookDeliveries)
        .set({
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          lastStatusCode: attempt.statusCode,
          lastError: attempt.error,
          ...(attempt.ok
            ? { status: 'succeeded' as const, deliveredAt: attempt.at, nextAttemptAt: null }
            : { nextAttemptAt: attempt.nextAttemptAt }),
        })
        .where(eq(webhookDeliveries.id, attempt.deliveryId))
        .returning(),
      'webhook_deliveries',
    );
    if (delivery.endpointId) {
      await tx
        .update(webhookEndpoints)
        .set({ failingSince: attempt.ok ? null : sql`coalesce(${webhookEndpoints.failingSince}, ${attempt.at})` })
        .where(eq(webhookEndpoints.id, delivery.endpointId));
    }
    return delivery;
  });
}

/** Gives a delivery up after its retry window (or because its endpoint went away or was disabled). */
export async function markDeliveryFailed(db: Database, deliveryId: string, error?: string): Promise<void> {
  await db
    .update(webhookDeliveries)
    .set({ status: 'failed', nextAttemptAt: null, ...(error !== undefined ? { lastError: error } : {}) })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, 'pending')));
}

/**
 * Disables the endpoint if it has failed without a success since `cutoff` or earlier. Returns the endpoint and its
 * owner's address only to the one call that disabled it, so the owner is mailed once however many deliveries
 * give up at the same time.
 */
export async function disableFailingEndpoint(
  db: Database,
  endpointId: string,
  cutoff: Date,
  now: Date,
): Promise<{ endpoint: WebhookEndpoint; email: string; name: string } | undefined> {
  const [endpoint] = await db
    .update(webhookEndpoints)
    .set({ disabledAt: now })
    .where(
      and(
        eq(webhookEndpoints.id, endpointId),
        isNull(webhookEndpoints.disabledAt),
        isNotNull(webhookEndpoints.failingSince),
        lte(webhookEndpoints.failingSince, cutoff),
      ),
    )
    .returning();
  if (!endpoint) return undefined;
  const [owner] = await db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, endpoint.userId));
  return owner ? { endpoint, ...owner } : undefined;
}

/** An endpoint's log, newest first. */
export async function listWebhookDeliveries(
  db: Database,
  endpointId: string,
  limit: number,
): Promise<WebhookDelivery[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
}

export async function findWebhookDeliveryForUser(
  db: Database,
  userId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery | undefined> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        eq(webhookDeliveries.endpointId, endpointId),
        eq(webhookDeliveries.userId, userId),
      ),
    );
  return row;
}

/** Back to pending for a manual redelivery; its attempt count goes on from where it was. */
export async function reopenWebhookDelivery(db: Database, deliveryId: string, now: Date): Promise<WebhookDelivery> {
  return single(
    await db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: now })
      .where(eq(webhookDeliveries.id, deliveryId))
      .returning(),
    'webhook_deliveries',
  );
}

/** The user's sealed callback secret, if one was made. */
export async function findCallbackSecret(
  db: Database,
  userId: string,
): Promise<{ secretKeyId: string; secretCiphertext: string } | undefined> {
  const [row] = await db
    .select({
      secretKeyId: webhookCallbackSecrets.secretKeyId,
      secretCiphertext: webhookCallbackSecrets.secretCiphertext,
    })
    .from(webhookCallbackSecrets)
    .where(eq(webhookCallbackSecrets.userId, userId));
  return row;
}

/** Stores the user's callback secret unless one exists; returns the stored one either way (first writer wins). */
export async function ensureCallbackSecret(
  db: Database,
  userId: string,
  sealed: { secretKeyId: string; secretCiphertext: string },
): Promise<{ secretKeyId: string; secretCiphertext: string }> {
  await db
    .insert(webhookCallbackSecrets)
    .values({ userId, ...sealed })
    .onConflictDoNothing({ target: webhookCallbackSecrets.userId });
  const stored = await findCallbackSecret(db, userId);
  if (!stored) throw new Error(`callback secret of user ${userId} vanished`);
  return stored;
}

/** A payment by id, for the payment.succeeded event's data. */
export async function getPaymentById(db: Database, paymentId: string): Promise<Payment | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, paymentId));
  return row;
}
