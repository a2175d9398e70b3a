import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  JobFilesExpiredError,
  chargeJobDownload,
  createJobWithHold,
  creditLedger,
  expireFinishedJobs,
  getJobById,
  jobReleaseKey,
  jobsHoldingCredits,
  jobsWithExpiredFiles,
  markJobCompleted,
  markJobFailed,
  markJobFilesDeleted,
  markJobRunning,
  processingJobs,
  releaseCredits,
  releaseOrphanedHold,
  settleCredits,
  type Database,
  type ProcessingJob,
} from '../src';
import { assertLedgerConsistent, describeEachDriver, makeUser, sampleJobResult } from './support';

const DAY_MS = 86_400_000;
const now = new Date('2031-06-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);

/** A job with its submit hold, as the API creates it. */
async function heldJob(db: Database, userId: string, hold = 60): Promise<ProcessingJob> {
  const id = randomUUID();
  const { job } = await createJobWithHold(
    db,
    {
      id,
      userId,
      jobType: 'denoise',
      workflowId: `job-${id}`,
      parameters: { steps: [{ op: 'denoise', noise_level: 'moderate' }] },
    },
    hold,
  );
  return job;
}

/** A completed job that ended `days` ago, its hold settled to `outputSeconds` (waiting for its first download). */
async function completedJob(db: Database, userId: string, days: number, outputSeconds = 30): Promise<ProcessingJob> {
  const job = await heldJob(db, userId);
  await markJobRunning(db, job.id, daysAgo(days + 0.01));
  await settleCredits(db, { jobId: job.id, amount: outputSeconds, idempotencyKey: `job-${job.id}:settle` });
  await markJobCompleted(db, job.id, {
    outputKey: `jobs/${job.id}/output.wav`,
    outputDurationMs: outputSeconds * 1000,
    result: sampleJobResult(),
    at: daysAgo(days),
  });
  const stored = await getJobById(db, job.id);
  assert.ok(stored);
  return stored;
}

async function ledgerOf(db: Database, jobId: string) {
  return db.select().from(creditLedger).where(eq(creditLedger.jobId, jobId));
}

describeEachDriver('retention', (ctx) => {
  it('expires only jobs that ended before the cutoff, and a second run expires nothing more', async () => {
    const user = await makeUser(ctx.db, 10_000);
    const old = await completedJob(ctx.db, user.id, 40);
    const fresh = await completedJob(ctx.db, user.id, 2);
    const failedOld = await heldJob(ctx.db, user.id);
    await releaseCredits(ctx.db, { jobId: failedOld.id, idempotencyKey: jobReleaseKey(failedOld.id) });
    await markJobFailed(ctx.db, failedOld.id, 'boom', daysAgo(35));
    const running = await heldJob(ctx.db, user.id);
    await markJobRunning(ctx.db, running.id, daysAgo(50));

    const first = await expireFinishedJobs(ctx.db, { endedBefore: daysAgo(30), at: now, limit: 100 });
    assert.deepEqual(new Set(first.jobIds), new Set([old.id, failedOld.id]));
    assert.equal(first.more, false);
    assert.equal((await getJobById(ctx.db, old.id))?.filesExpiredAt?.toISOString(), now.toISOString());
    assert.equal((await getJobById(ctx.db, fresh.id))?.filesExpiredAt, null, 'a fresh job keeps its files');
    assert.equal((await getJobById(ctx.db, running.id))?.filesExpiredAt, null, 'an active job is never expired');

    const second = await expireFinishedJobs(ctx.db, { endedBefore: daysAgo(30), at: new Date(), limit: 100 });
    assert.deepEqual(second.jobIds, []);
    assert.equal((await getJobById(ctx.db, old.id))?.filesExpiredAt?.toISOString(), now.toISOString());
    await assertLedgerConsistent(ctx.db, user.id);
  });

  it('pages through the backlog oldest first, reporting whether more is left', async () => {
    const user = await makeUser(ctx.db, 10_000);
    const jobs: ProcessingJob[] = [];
    for (const days of [300, 200, 100]) jobs.push(await completedJob(ctx.db, user.id, days));
    const page = await expireFinishedJobs(ctx.db, { endedBefore: daysAgo(99), at: now, limit: 2 });
    assert.equal(page.more, true);
    // Other suites' jobs may be older; ours come oldest first among themselves.
    const rest = await expireFinishedJobs(ctx.db, { endedBefore: daysAgo(99), at: now, limit: 1000 });
    const order = [...page.jobIds, ...rest.jobIds].filter((id) => jobs.some((job) => job.id === id));
    assert.deepEqual(
      order,
      jobs.map((job) => job.id),
    );
  });

  it('releases the settled hold of a completed job nobody downloaded, once, and then refuses its download', async () => {
    const user = await makeUser(ctx.db, 10_000);
    const unpaid = await completedJob(ctx.db, user.id, 40, 30);
    assert.equal(unpaid.creditsHeld, 30);
    const paid = await completedJob(ctx.db, user.id, 40, 20);
    await chargeJobDownload(ctx.db, { jobId: paid.id, userId: user.id, idempotencyKey: `job-${paid.id}:download` });

    const result = await expireFinishedJobs(ctx.db, { endedBefore: daysAgo(30), at: now, limit: 100 });
    assert.ok(result.jobIds.includes(unpaid.id) && result.jobIds.includes(paid.id));
    assert.equal(result.creditsReleased, 30, 'only the undownloaded job still held credits');
    assert.equal((await getJobById(ctx.db, unpaid.id))?.creditsHeld, 0);
    // The settle moved 60 → 30 (a release under its own key); expiry released the remaining 30 under the release key.
    const releases = (await ledgerOf(ctx.db, unpaid.id)).filter((entry) => entry.kind === 'hold_release');
    assert.deepEqual(releases.map((entry) => [entry.idempotencyKey, entry.amount]).sort(), [
      [jobReleaseKey(unpaid.id), 30],
      [`job-${unpaid.id}:settle`, 30],
    ]);

    await assert.rejects(
      chargeJobDownload(ctx.db, { jobId: unpaid.id, userId: user.id, idempotencyKey: `job-${unpaid.id}:download` }),
      JobFilesExpiredError,
    );
    assert.equal((await ledgerOf(ctx.db, unpaid.id)).filter((entry) => entry.kind === 'charge').length, 0);
    // The paid job keeps its one charge; even a repeat download is refused now.
    assert.equal((await ledgerOf(ctx.db, paid.id)).filter((entry) => entry.kind === 'charge').length, 1);
    await assert.rejects(
      chargeJobDownload(ctx.db, { jobId: paid.id, userId: user.id, idempotencyKey: `job-${paid.id}:download` }),
      JobFilesExpiredError,
    );
    await assertLedgerConsistent(ctx.db, user.id);
  });

  it('lists expired jobs whose files are still there until they are marked deleted', async () => {
    const user = await makeUser(ctx.db, 10_000);
    const job = await completedJob(ctx.db, user.id, 40);
    await expireFinishedJobs(ctx.db, { endedBefore: daysAgo(30), at: now, limit: 100 });
    const pending = async (expiredBefore: Date) =>
      (await jobsWithExpiredFiles(ctx.db, { expiredBefore, limit: 1000 })).map((row) => row.id);
    assert.ok(!(await pending(new Date(now.getTime() - 1000))).includes(job.id), 'links may still be valid');
    const listed = await jobsWithExpiredFiles(ctx.db, { expiredBefore: now, limit: 1000 });
    assert.deepEqual(
      listed.find((row) => row.id === job.id),
      { id: job.id, inputKey: null, outputKey: `jobs/${job.id}/output.wav` },
    );
    assert.equal(await markJobFilesDeleted(ctx.db, job.id, now), true);
    assert.equal(await markJobFilesDeleted(ctx.db, job.id, new Date()), false);
    assert.ok(!(await pending(new Date())).includes(job.id));
  });

  it('finds holds outside the download window, old enough, page by page', async () => {
    // Creation times are real ones here: the scan compares them with the database's own clock.
    const realNow = Date.now();
    const user = await makeUser(ctx.db, 10_000);
    const stuck = await heldJob(ctx.db, user.id);
    const failedWithHold = await heldJob(ctx.db, user.id);
    await markJobFailed(ctx.db, failedWithHold.id, 'release exhausted its retries', new Date());
    const waitingForDownload = await completedJob(ctx.db, user.id, 1);
    const released = await heldJob(ctx.db, user.id);
    await releaseCredits(ctx.db, { jobId: released.id, idempotencyKey: jobReleaseKey(released.id) });
    await ctx.db
      .update(processingJobs)
      .set({ createdAt: new Date(realNow - 2 * DAY_MS) })
      .where(eq(processingJobs.userId, user.id));
    const justSubmitted = await heldJob(ctx.db, user.id);
    const ours = new Set([stuck, failedWithHold, waitingForDownload, released, justSubmitted].map((job) => job.id));

    const found: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await jobsHoldingCredits(ctx.db, {
        createdBefore: new Date(realNow - DAY_MS),
        limit: 1,
        ...(afterId ? { afterId } : {}),
      });
      if (page.length === 0) break;
      found.push(...page.map((job) => job.id));
      afterId = page.at(-1)?.id;
    }
    assert.deepEqual(
      found.filter((id) => ours.has(id)),
      [stuck.id, failedWithHold.id].sort(),
    );
  });

  it('releases an orphaned hold exactly once, however often and however concurrently it is asked', async () => {
    const user = await makeUser(ctx.db, 1_000);
    const job = await heldJob(ctx.db, user.id, 120);
    await markJobRunning(ctx.db, job.id, daysAgo(3));
    const release = () => releaseOrphanedHold(ctx.db, { jobId: job.id, error: 'workflow terminated', at: now });
    const outcomes = await Promise.all([release(), release(), release()]);
    assert.equal(
      outcomes.reduce((sum, outcome) => sum + outcome.released, 0),
      120,
    );
    assert.equal(outcomes.filter((outcome) => outcome.markedFailed).length, 1);
    assert.deepEqual(await release(), { released: 0, markedFailed: false });
    const stored = await getJobById(ctx.db, job.id);
    assert.equal(stored?.status, 'failed');
    assert.equal(stored?.error, 'workflow terminated');
    assert.equal(stored?.creditsHeld, 0);
    const releases = (await ledgerOf(ctx.db, job.id)).filter((entry) => entry.kind === 'hold_release');
    assert.deepEqual(
      releases.map((entry) => [entry.idempotencyKey, entry.amount]),
      [[jobReleaseKey(job.id), 120]],
    );
    const { balance } = await assertLedgerConsistent(ctx.db, user.id);
    assert.equal(balance, 1_000);
  });

  it('leaves a completed job’s hold to its download window', async () => {
    const user = await makeUser(ctx.db, 1_000);
    const job = await completedJob(ctx.db, user.id, 1, 40);
    assert.deepEqual(await releaseOrphanedHold(ctx.db, { jobId: job.id, error: 'x', at: now }), {
      released: 0,
      markedFailed: false,
    });
    assert.equal((await getJobById(ctx.db, job.id))?.creditsHeld, 40);
  });
});
