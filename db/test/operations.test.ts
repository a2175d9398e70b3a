import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import {
  createJobWithHold,
  getFinishedJobFacts,
  getHeldCreditsSummary,
  markJobFailed,
  processingJobs,
  releaseCredits,
  users,
} from '../src';
import { describeEachDriver, makeUser } from './support';

describeEachDriver('operations figures', (ctx) => {
  const submit = async (userId: string, holdSeconds: number, jobType = 'denoise') => {
    const id = randomUUID();
    await createJobWithHold(
      ctx.db,
      {
        id,
        userId,
        jobType,
        workflowId: `job-${id}`,
        parameters: { steps: [{ op: 'denoise', noise_level: 'moderate' }] },
      },
      holdSeconds,
    );
    return id;
  };

  it('sums the open holds and ages the oldest by its submit; released holds drop out', async () => {
    assert.deepEqual(await getHeldCreditsSummary(ctx.db), { held: 0, holds: 0, oldestAgeSeconds: 0 });
    const user = await makeUser(ctx.db, 1_000);
    const old = await submit(user.id, 120);
    await submit(user.id, 30);
    // Backdate the first job by an hour: its hold is the oldest.
    await ctx.db
      .update(processingJobs)
      .set({ createdAt: sql`now() - interval '1 hour'` })
      .where(eq(processingJobs.id, old));

    const open = await getHeldCreditsSummary(ctx.db);
    assert.equal(open.held, 150);
    assert.equal(open.holds, 2);
    assert.ok(open.oldestAgeSeconds >= 3600 && open.oldestAgeSeconds < 3700, `age ${open.oldestAgeSeconds}`);

    // A completed job's hold waits for its download: it counts as held, but ages nothing.
    await ctx.db.update(processingJobs).set({ status: 'completed' }).where(eq(processingJobs.id, old));
    const awaitingDownload = await getHeldCreditsSummary(ctx.db);
    assert.equal(awaitingDownload.held, 150);
    assert.ok(awaitingDownload.oldestAgeSeconds < 600, `age ${awaitingDownload.oldestAgeSeconds}`);

    await releaseCredits(ctx.db, { jobId: old, idempotencyKey: `release-${old}` });
    const after = await getHeldCreditsSummary(ctx.db);
    assert.equal(after.held, 30);
    assert.equal(after.holds, 1);
    assert.ok(after.oldestAgeSeconds < 600, `the hour-old hold is gone (age ${after.oldestAgeSeconds})`);
  });

  it('labels a finished job with its type and its owner’s tier, and times it from submit to its end', async () => {
    const user = await makeUser(ctx.db, 1_000);
    await ctx.db.update(users).set({ subscriptionTier: 'premium' }).where(eq(users.id, user.id));
    const jobId = await submit(user.id, 10, 'denoise+normalize');
    const submittedAt = (await ctx.db.select().from(processingJobs).where(eq(processingJobs.id, jobId)))[0]?.createdAt;
    assert.ok(submittedAt);
    await markJobFailed(ctx.db, jobId, 'boom', new Date(submittedAt.getTime() + 42_000));

    const facts = await getFinishedJobFacts(ctx.db, jobId);
    assert.equal(facts?.jobType, 'denoise+normalize');
    assert.equal(facts?.tier, 'premium');
    assert.ok(Math.abs((facts?.durationSeconds ?? 0) - 42) < 0.01, `duration ${facts?.durationSeconds}`);
    assert.equal(await getFinishedJobFacts(ctx.db, randomUUID()), undefined);
  });
});
