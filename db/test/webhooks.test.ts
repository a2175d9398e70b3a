import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import {
  countWebhookEndpoints,
  deleteWebhookEndpoint,
  disableFailingEndpoint,
  ensureCallbackSecret,
  findDeliveryTarget,
  findWebhookDeliveryForUser,
  insertWebhookDeliveries,
  insertWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  markDeliveryFailed,
  recordDeliveryAttempt,
  reopenWebhookDelivery,
  subscribedWebhookEndpoints,
  type NewWebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from '../src';
import { describeEachDriver, makeUser } from './support';

const HOUR = 3_600_000;

describeEachDriver('webhooks', (ctx) => {
  async function endpoint(userId: string, events: WebhookEventType[] = ['job.completed']): Promise<WebhookEndpoint> {
    return insertWebhookEndpoint(ctx.db, {
      id: randomUUID(),
      userId,
      url: 'https://hooks.example.com/in',
      events,
      secretKeyId: 'k1',
      secretCiphertext: 'sealed',
    });
  }

  function delivery(target: WebhookEndpoint, eventId = `evt_${randomUUID()}`): NewWebhookDelivery {
    return {
      endpointId: target.id,
      userId: target.userId,
      url: target.url,
      eventType: 'job.completed',
      eventId,
      dedupeKey: `${target.id}:${eventId}`,
      payload: { type: 'job.completed', timestamp: new Date().toISOString(), data: { jobId: 'j1' } },
    };
  }

  it('lists, counts and deletes only the owner’s endpoints', async () => {
    const owner = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const mine = await endpoint(owner.id);
    await endpoint(other.id);
    assert.equal(await countWebhookEndpoints(ctx.db, owner.id), 1);
    assert.deepEqual(
      (await listWebhookEndpoints(ctx.db, owner.id)).map((row) => row.id),
      [mine.id],
    );
    assert.equal(await deleteWebhookEndpoint(ctx.db, other.id, mine.id), undefined, 'not theirs');
    assert.equal((await deleteWebhookEndpoint(ctx.db, owner.id, mine.id))?.id, mine.id);
    assert.equal(await countWebhookEndpoints(ctx.db, owner.id), 0);
  });

  it('finds the enabled endpoints subscribed to an event', async () => {
    const user = await makeUser(ctx.db);
    const jobs = await endpoint(user.id, ['job.completed', 'job.failed']);
    const payments = await endpoint(user.id, ['payment.succeeded']);
    const disabled = await endpoint(user.id, ['job.failed']);
    await recordDeliveryAttempt(ctx.db, {
      deliveryId: (await insertWebhookDeliveries(ctx.db, [delivery(disabled)]))[0]!.id,
      at: new Date(Date.now() - 25 * HOUR),
      ok: false,
      statusCode: 500,
      error: 'HTTP 500',
      nextAttemptAt: null,
    });
    assert.ok(await disableFailingEndpoint(ctx.db, disabled.id, new Date(Date.now() - 24 * HOUR), new Date()));
    const ids = async (type: WebhookEventType) =>
      (await subscribedWebhookEndpoints(ctx.db, user.id, type)).map((row) => row.id);
    assert.deepEqual(await ids('job.failed'), [jobs.id]);
    assert.deepEqual(await ids('payment.succeeded'), [payments.id]);
    assert.deepEqual(await ids('job.cancelled'), []);
  });

  it('inserting the same deliveries twice yields the same rows, no duplicates', async () => {
    const user = await makeUser(ctx.db);
    const target = await endpoint(user.id);
    const rows = [delivery(target), delivery(target)];
    const first = await insertWebhookDeliveries(ctx.db, rows);
    const second = await insertWebhookDeliveries(ctx.db, rows);
    assert.equal(first.length, 2);
    assert.deepEqual(
      second.map((row) => row.id),
      first.map((row) => row.id),
    );
    assert.equal((await listWebhookDeliveries(ctx.db, target.id, 50)).length, 2);
  });

  it('attempts count up; a success settles the delivery and ends the endpoint’s failing streak', async () => {
    const user = await makeUser(ctx.db);
    const target = await endpoint(user.id);
    const [row] = await insertWebhookDeliveries(ctx.db, [delivery(target)]);
    assert.ok(row);
    const failedAt = new Date(Date.now() - 2 * HOUR);
    for (const at of [failedAt, new Date(Date.now() - HOUR)]) {
      await recordDeliveryAttempt(ctx.db, {
        deliveryId: row.id,
        at,
        ok: false,
        statusCode: 500,
        error: 'HTTP 500',
        nextAttemptAt: new Date(),
      });
    }
    const failing = await findDeliveryTarget(ctx.db, row.id);
    assert.equal(failing?.delivery.attempts, 2);
    assert.equal(failing?.delivery.status, 'pending');
    assert.equal(failing?.endpoint?.failingSince?.getTime(), failedAt.getTime(), 'the streak starts at the first');

    const done = await recordDeliveryAttempt(ctx.db, {
      deliveryId: row.id,
      at: new Date(),
      ok: true,
      statusCode: 204,
      error: null,
      nextAttemptAt: null,
    });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.attempts, 3);
    assert.equal(done.lastStatusCode, 204);
    assert.ok(done.deliveredAt);
    assert.equal((await findDeliveryTarget(ctx.db, row.id))?.endpoint?.failingSince, null);
  });

  it('an endpoint is disabled once, only after failing since the cutoff, and its owner is named', async () => {
    const user = await makeUser(ctx.db);
    const target = await endpoint(user.id);
    const [row] = await insertWebhookDeliveries(ctx.db, [delivery(target)]);
    assert.ok(row);
    const now = new Date();
    await recordDeliveryAttempt(ctx.db, {
      deliveryId: row.id,
      at: new Date(now.getTime() - HOUR),
      ok: false,
      statusCode: null,
      error: 'connection refused',
      nextAttemptAt: null,
    });
    assert.equal(await disableFailingEndpoint(ctx.db, target.id, new Date(now.getTime() - 2 * HOUR), now), undefined);
    const disabled = await disableFailingEndpoint(ctx.db, target.id, now, now);
    assert.equal(disabled?.email, user.email);
    assert.ok(disabled?.endpoint.disabledAt);
    assert.equal(await disableFailingEndpoint(ctx.db, target.id, now, now), undefined, 'only the first call');
  });

  it('a failed delivery can be reopened, and is found only through its owner and endpoint', async () => {
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const target = await endpoint(user.id);
    const [row] = await insertWebhookDeliveries(ctx.db, [delivery(target)]);
    assert.ok(row);
    await markDeliveryFailed(ctx.db, row.id, 'gave up');
    assert.equal((await findWebhookDeliveryForUser(ctx.db, user.id, target.id, row.id))?.status, 'failed');
    assert.equal(await findWebhookDeliveryForUser(ctx.db, other.id, target.id, row.id), undefined);
    assert.equal((await reopenWebhookDelivery(ctx.db, row.id, new Date())).status, 'pending');
  });

  it('the callback secret is made once: the first stored one wins', async () => {
    const user = await makeUser(ctx.db);
    const first = await ensureCallbackSecret(ctx.db, user.id, { secretKeyId: 'k1', secretCiphertext: 'a' });
    const second = await ensureCallbackSecret(ctx.db, user.id, { secretKeyId: 'k1', secretCiphertext: 'b' });
    assert.equal(first.secretCiphertext, 'a');
    assert.equal(second.secretCiphertext, 'a');
  });
});
