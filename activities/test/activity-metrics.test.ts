import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createDatabase,
  createJobWithHold,
  createPendingPayment,
  createUserWithGrant,
  runMigrations,
  type DatabaseHandle,
  type Payment,
} from '@voice/db';
import { readSample, VoiceMetrics } from '@voice/metrics';
import type { JobResult } from '@voice/shared';
import { createBookkeepingActivities, createPaymentActivities } from '../src';

const RESULT: JobResult = {
  models: [{ op: 'denoise', model: 'rnnoise' }],
  input: { source: 'none' },
  output: { words: 0 },
  steps: [],
};

describe('the CPU worker’s activities record job outcomes, charges and payments once each', () => {
  let database: DatabaseHandle;
  before(async () => {
    database = await createDatabase({});
    await runMigrations(database);
  });
  after(() => database?.close());

  const user = () =>
    createUserWithGrant(database.db, {
      email: `metrics-${randomUUID()}@example.com`,
      passwordHash: 'x',
      name: 'Metrics',
      grantSeconds: 3_600,
    });
  const submit = async (userId: string, jobType: string) => {
    const id = randomUUID();
    await createJobWithHold(
      database.db,
      {
        id,
        userId,
        jobType,
        workflowId: `job-${id}`,
        parameters: { steps: [{ op: 'denoise', noise_level: 'light' }] },
      },
      60,
    );
    return id;
  };

  it('counts a job’s end once, by type, tier and status, however often the terminal activity is retried', async () => {
    const metrics = new VoiceMetrics({ defaultMetrics: false });
    const bookkeeping = createBookkeepingActivities({ db: database.db, metrics });
    const owner = await user();
    const done = await submit(owner.id, 'denoise+normalize');
    const failed = await submit(owner.id, 'tts');
    const cancelled = await submit(owner.id, 'tts');

    const completion = { jobId: done, outputKey: 'out.wav', outputDurationMs: 30_000, result: RESULT };
    await bookkeeping.markJobCompleted(completion);
    await bookkeeping.markJobCompleted(completion); // a retried attempt: the row is completed already
    await bookkeeping.markJobFailed({ jobId: done, error: 'late' }); // loses to the completion: no count
    await bookkeeping.markJobFailed({ jobId: failed, error: 'boom' });
    await bookkeeping.markJobCancelled({ jobId: cancelled });
    await bookkeeping.markJobCancelled({ jobId: cancelled });

    const finished = (jobType: string, status: string) =>
      readSample(metrics.registry, 'voice_jobs_finished_total', { job_type: jobType, tier: 'free', status });
    assert.equal(await finished('denoise+normalize', 'completed'), 1);
    assert.equal(await finished('denoise+normalize', 'failed'), undefined);
    assert.equal(await finished('tts', 'failed'), 1);
    assert.equal(await finished('tts', 'cancelled'), 1);
    const duration = await readSample(metrics.registry, 'voice_job_duration_seconds_count', {
      job_type: 'denoise+normalize',
      status: 'completed',
    });
    assert.equal(duration, 1);
  });

  it('counts payments by provider and outcome, and the credits they granted, once per event', async () => {
    const metrics = new VoiceMetrics({ defaultMetrics: false });
    const activities = createPaymentActivities({ db: database.db, sendReceipt: async () => undefined, metrics });
    const owner = await user();
    const pending = async (): Promise<Payment> =>
      (
        await createPendingPayment(database.db, {
          userId: owner.id,
          provider: 'stripe',
          providerPaymentId: `pi_${randomUUID()}`,
          packageId: 'pro',
          amountMinor: 5_000,
          currency: 'usd',
          creditsPurchased: 10_800,
        })
      ).payment;
    const paidEvent = (payment: Payment, amountMinor = payment.amountMinor) => ({
      kind: 'paid' as const,
      provider: payment.provider,
      providerPaymentId: payment.providerPaymentId,
      captureId: `ch_${payment.id.slice(0, 8)}`,
      amountMinor,
      currency: 'usd',
      via: 'webhook' as const,
    });

    const good = await pending();
    await activities.applyPaymentEvent(paidEvent(good));
    await activities.applyPaymentEvent(paidEvent(good)); // the webhook after the confirm: a replay
    const odd = await pending();
    await activities.applyPaymentEvent(paidEvent(odd, 4_999)); // the wrong amount: review, nothing granted
    await activities.applyPaymentEvent({
      kind: 'refund',
      provider: 'stripe',
      captureId: `ch_${good.id.slice(0, 8)}`,
      refundId: `re_${randomUUID()}`,
      amountMinor: 5_000,
      amountIs: 'this_refund',
      currency: 'usd',
    });
    // An event for no payment of ours changes nothing and counts nothing.
    await activities.applyPaymentEvent({ ...paidEvent(good), providerPaymentId: `pi_${randomUUID()}` });

    const payments = (outcome: string) =>
      readSample(metrics.registry, 'voice_payments_total', { provider: 'stripe', outcome });
    assert.equal(await payments('paid'), 1);
    assert.equal(await payments('review'), 1);
    assert.equal(await payments('refunded'), 1);
    assert.equal(await payments('disputed'), undefined);
    assert.equal(await readSample(metrics.registry, 'voice_credits_purchased_total', { provider: 'stripe' }), 10_800);
  });
});
