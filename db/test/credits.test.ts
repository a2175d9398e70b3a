import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import {
  chargeJobDownload,
  createJobWithHold,
  discardUnstartedJob,
  jobReleaseKey,
  creditLedger,
  getCreditSummary,
  getJobById,
  grantCredits,
  IdempotencyKeyConflictError,
  InsufficientCreditsError,
  JobNotActiveError,
  JobNotCompletedError,
  JobNotFoundError,
  listLedger,
  markJobCancelled,
  markJobCompleted,
  markJobFailed,
  markJobRunning,
  releaseCredits,
  reserveCredits,
  settleCredits,
  usageTracking,
  UserNotFoundError,
  type Database,
} from '../src';
import {
  assertLedgerConsistent,
  creditSnapshot,
  describeEachDriver,
  jobDraft,
  makeJob,
  makeUser,
  sampleJobResult,
  seededRandom,
} from './support';

async function completeJob(db: Database, jobId: string, outputDurationMs: number): Promise<void> {
  await markJobRunning(db, jobId, new Date());
  assert.equal(
    await markJobCompleted(db, jobId, {
      outputKey: `out/${jobId}`,
      outputDurationMs,
      result: sampleJobResult(),
      at: new Date(),
    }),
    true,
  );
}

const isInsufficient = (required: number, available: number) => (error: unknown) =>
  error instanceof InsufficientCreditsError &&
  error.code === 'INSUFFICIENT_CREDITS' &&
  error.required === required &&
  error.available === available;

describeEachDriver('credits', (ctx) => {
  it('reserve → settle down → charge on download leaves the balance short by exactly the output seconds', async () => {
    const user = await makeUser(ctx.db, 1000);
    const job = await makeJob(ctx.db, user.id);
    const key = `job-${job.id}`;
    assert.deepEqual(
      await reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 300, idempotencyKey: `${key}:reserve` }),
      {
        amount: 300,
        balance: 700,
        replayed: false,
      },
    );
    assert.deepEqual(await settleCredits(ctx.db, { jobId: job.id, amount: 121, idempotencyKey: `${key}:settle` }), {
      held: 121,
      shortfall: 0,
      replayed: false,
    });
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 879, held: 121 });
    await completeJob(ctx.db, job.id, 120_001);
    assert.deepEqual(
      await chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: `${key}:download` }),
      {
        creditsCharged: 121,
        alreadyCharged: false,
      },
    );
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 879, held: 0 });
    const stored = await getJobById(ctx.db, job.id);
    assert.equal(stored?.creditsCharged, 121);
    assert.ok(stored?.chargedAt);
    const usage = await ctx.db.select().from(usageTracking).where(eq(usageTracking.jobId, job.id));
    assert.equal(usage.length, 1);
    assert.equal(usage[0]?.creditsUsed, 121);
    assert.equal(usage[0]?.audioSeconds, 120.001);
    // Newest first, in commit order, even for entries of one transaction that share a timestamp.
    const kinds = (await listLedger(ctx.db, user.id, 10)).map((e) => `${e.kind}:${e.amount}:${e.balanceAfter}`);
    assert.deepEqual(kinds, [
      'charge:-121:879',
      'hold_release:121:1000',
      'hold_release:179:879',
      'hold:-300:700',
      'grant:1000:1000',
    ]);
  });

  describe('createJobWithHold (the submit path: one statement)', () => {
    const draft = (userId: string, id?: string) => jobDraft(userId, id ? { id } : {});

    it('writes the row, its hold entry and the debit together', async () => {
      const user = await makeUser(ctx.db, 100);
      const { job, created } = await createJobWithHold(ctx.db, draft(user.id), 60);
      assert.equal(created, true);
      assert.equal(job.creditsHeld, 60);
      assert.equal(job.status, 'pending');
      assert.deepEqual(job.parameters, { steps: [{ op: 'denoise', noise_level: 'moderate' }] });
      assert.ok(job.createdAt instanceof Date);
      const [entry] = await ctx.db.select().from(creditLedger).where(eq(creditLedger.jobId, job.id));
      assert.equal(entry?.kind, 'hold');
      assert.equal(entry?.amount, -60);
      assert.equal(entry?.balanceAfter, 40);
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 40, held: 60 });
    });

    it('a short balance throws with what was available and writes nothing', async () => {
      const user = await makeUser(ctx.db, 50);
      const before = await creditSnapshot(ctx.db, user.id);
      const job = draft(user.id);
      await assert.rejects(createJobWithHold(ctx.db, job, 51), isInsufficient(51, 50));
      assert.deepEqual(await creditSnapshot(ctx.db, user.id), before);
      assert.equal(await getJobById(ctx.db, job.id), undefined);
      // The same submit goes through once the balance covers it.
      await grantCredits(ctx.db, { userId: user.id, amount: 1, kind: 'purchase', idempotencyKey: `p-${job.id}` });
      assert.equal((await createJobWithHold(ctx.db, job, 51)).created, true);
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 0, held: 51 });
    });

    it('a repeated id answers the existing job and holds once, even when the balance is now short', async () => {
      const user = await makeUser(ctx.db, 100);
      const job = draft(user.id);
      await createJobWithHold(ctx.db, job, 60);
      for (const hold of [60, 30]) {
        const again = await createJobWithHold(ctx.db, job, hold);
        assert.equal(again.created, false);
        assert.equal(again.job.id, job.id);
      }
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 40, held: 60 });
    });

    it('concurrent submits with credit for k admit exactly k; concurrent repeats of one id create one job', async () => {
      const user = await makeUser(ctx.db, 5 * 30);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, () => createJobWithHold(ctx.db, draft(user.id), 30)),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 5);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof InsufficientCreditsError);
      }
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 0, held: 150 });

      const other = await makeUser(ctx.db, 100);
      const job = draft(other.id);
      const repeats = await Promise.all(Array.from({ length: 8 }, () => createJobWithHold(ctx.db, job, 10)));
      assert.equal(repeats.filter((r) => r.created).length, 1);
      assert.deepEqual(await assertLedgerConsistent(ctx.db, other.id), { balance: 90, held: 10 });
    });

    it('a retry of a discarded submit (same id: same Idempotency-Key) holds, and later releases, afresh', async () => {
      const user = await makeUser(ctx.db, 100);
      const job = draft(user.id);
      await createJobWithHold(ctx.db, job, 60);
      await discardUnstartedJob(ctx.db, job.id);
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 100, held: 0 });
      const again = await createJobWithHold(ctx.db, job, 60);
      assert.equal(again.created, true);
      assert.equal(again.job.creditsHeld, 60);
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 40, held: 60 });
      // Its own release is not mistaken for the discarded attempt's.
      const released = await releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: jobReleaseKey(job.id) });
      assert.equal(released.replayed, false);
      assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 100, held: 0 });
      const entries = await ctx.db.select().from(creditLedger).where(eq(creditLedger.userId, user.id));
      assert.equal(entries.filter((e) => e.kind === 'hold').length, 2, 'both attempts stay in the ledger');
    });

    it('an unknown user is reported as UserNotFoundError', async () => {
      await assert.rejects(createJobWithHold(ctx.db, draft(randomUUID()), 1), UserNotFoundError);
    });
  });

  it('an insufficient reserve throws and leaves no trace', async () => {
    const user = await makeUser(ctx.db, 50);
    const job = await makeJob(ctx.db, user.id);
    const before = await creditSnapshot(ctx.db, user.id);
    await assert.rejects(
      reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 51, idempotencyKey: `r-${job.id}` }),
      isInsufficient(51, 50),
    );
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), before);
    const keyed = await ctx.db
      .select()
      .from(creditLedger)
      .where(eq(creditLedger.idempotencyKey, `r-${job.id}`));
    assert.deepEqual(keyed, [], 'the key stays unused, so a later retry can still succeed');
    await grantCredits(ctx.db, { userId: user.id, amount: 1, kind: 'purchase', idempotencyKey: `p-${job.id}` });
    assert.equal(
      (await reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 51, idempotencyKey: `r-${job.id}` }))
        .balance,
      0,
    );
    await assertLedgerConsistent(ctx.db, user.id);
  });

  it('reserve, settle, release, charge and grant replayed with the same key change nothing', async () => {
    const user = await makeUser(ctx.db, 500);
    const job = await makeJob(ctx.db, user.id);
    const k = (step: string) => `job-${job.id}:${step}`;

    const grant = await grantCredits(ctx.db, {
      userId: user.id,
      amount: 100,
      kind: 'purchase',
      idempotencyKey: k('buy'),
    });
    let snap = await creditSnapshot(ctx.db, user.id);
    assert.deepEqual(
      await grantCredits(ctx.db, { userId: user.id, amount: 100, kind: 'purchase', idempotencyKey: k('buy') }),
      {
        ...grant,
        replayed: true,
      },
    );
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), snap);

    const reserve = await reserveCredits(ctx.db, {
      userId: user.id,
      jobId: job.id,
      amount: 200,
      idempotencyKey: k('reserve'),
    });
    snap = await creditSnapshot(ctx.db, user.id);
    assert.deepEqual(
      await reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 200, idempotencyKey: k('reserve') }),
      {
        ...reserve,
        replayed: true,
      },
    );
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), snap);

    const settle = await settleCredits(ctx.db, { jobId: job.id, amount: 250, idempotencyKey: k('settle') });
    assert.deepEqual(settle, { held: 250, shortfall: 0, replayed: false });
    snap = await creditSnapshot(ctx.db, user.id);
    assert.deepEqual(await settleCredits(ctx.db, { jobId: job.id, amount: 250, idempotencyKey: k('settle') }), {
      ...settle,
      replayed: true,
    });
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), snap);

    const release = await releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: k('release') });
    assert.deepEqual(release, { released: 250, replayed: false });
    snap = await creditSnapshot(ctx.db, user.id);
    assert.deepEqual(await releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: k('release') }), {
      released: 250,
      replayed: true,
    });
    // A late retry of the settle must not re-hold what the release gave back.
    assert.deepEqual(await settleCredits(ctx.db, { jobId: job.id, amount: 250, idempotencyKey: k('settle') }), {
      held: 250,
      shortfall: 0,
      replayed: true,
    });
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), snap);

    await completeJob(ctx.db, job.id, 30_000);
    const charge = await chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: k('download') });
    assert.deepEqual(charge, { creditsCharged: 30, alreadyCharged: false });
    snap = await creditSnapshot(ctx.db, user.id);
    assert.deepEqual(
      await chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: k('download') }),
      {
        creditsCharged: 30,
        alreadyCharged: true,
      },
    );
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), snap);
    assert.equal((await assertLedgerConsistent(ctx.db, user.id)).balance, 570);
  });

  it('release after cancel restores the balance exactly, and the job can hold nothing more', async () => {
    const user = await makeUser(ctx.db, 777);
    const job = await makeJob(ctx.db, user.id);
    await reserveCredits(ctx.db, {
      userId: user.id,
      jobId: job.id,
      amount: 333,
      idempotencyKey: `c-${job.id}:reserve`,
    });
    await settleCredits(ctx.db, { jobId: job.id, amount: 400, idempotencyKey: `c-${job.id}:settle` });
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 377, held: 400 });
    await markJobCancelled(ctx.db, job.id, new Date());
    assert.deepEqual(await releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: `c-${job.id}:release` }), {
      released: 400,
      replayed: false,
    });
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 777, held: 0 });

    await assert.rejects(
      reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 1, idempotencyKey: `c-${job.id}:late-reserve` }),
      (error: unknown) => error instanceof JobNotActiveError && error.code === 'JOB_NOT_ACTIVE',
    );
    assert.deepEqual(
      await settleCredits(ctx.db, { jobId: job.id, amount: 400, idempotencyKey: `c-${job.id}:late-settle` }),
      {
        held: 0,
        shortfall: 400,
        replayed: false,
      },
    );
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 777, held: 0 });
  });

  it('settle holds what is available and reports the shortfall instead of throwing', async () => {
    const user = await makeUser(ctx.db, 100);
    const job = await makeJob(ctx.db, user.id);
    await reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 60, idempotencyKey: `s-${job.id}:reserve` });
    assert.deepEqual(
      await settleCredits(ctx.db, { jobId: job.id, amount: 130, idempotencyKey: `s-${job.id}:settle` }),
      {
        held: 100,
        shortfall: 30,
        replayed: false,
      },
    );
    assert.deepEqual(
      await settleCredits(ctx.db, { jobId: job.id, amount: 130, idempotencyKey: `s-${job.id}:settle` }),
      {
        held: 100,
        shortfall: 30,
        replayed: true,
      },
    );
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 0, held: 100 });
  });

  it('release with nothing held is a safe zero-amount no-op', async () => {
    const user = await makeUser(ctx.db, 10);
    const job = await makeJob(ctx.db, user.id);
    assert.deepEqual(await releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: `z-${job.id}` }), {
      released: 0,
      replayed: false,
    });
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 10, held: 0 });
  });

  it('charging needs the owner and a completed job, and refuses a charge the balance cannot cover', async () => {
    const user = await makeUser(ctx.db, 40);
    const stranger = await makeUser(ctx.db, 1000);
    const job = await makeJob(ctx.db, user.id);
    await reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 20, idempotencyKey: `x-${job.id}:reserve` });

    await assert.rejects(
      chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: `x-${job.id}:dl` }),
      (error: unknown) => error instanceof JobNotCompletedError && error.code === 'JOB_NOT_COMPLETED',
    );
    await completeJob(ctx.db, job.id, 60_500);
    await assert.rejects(
      chargeJobDownload(ctx.db, { jobId: job.id, userId: stranger.id, idempotencyKey: `x-${job.id}:dl` }),
      (error: unknown) => error instanceof JobNotFoundError && error.code === 'JOB_NOT_FOUND',
    );
    const before = await creditSnapshot(ctx.db, user.id);
    await assert.rejects(
      chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: `x-${job.id}:dl` }),
      isInsufficient(61, 40),
    );
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), before, 'a refused charge changes nothing');

    await grantCredits(ctx.db, { userId: user.id, amount: 21, kind: 'purchase', idempotencyKey: `x-${job.id}:buy` });
    assert.deepEqual(
      await chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: `x-${job.id}:dl` }),
      {
        creditsCharged: 61,
        alreadyCharged: false,
      },
    );
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 0, held: 0 });
  });

  it('20 concurrent download charges produce exactly one charge entry and one balance decrease', async () => {
    const user = await makeUser(ctx.db, 5000);
    const job = await makeJob(ctx.db, user.id);
    await reserveCredits(ctx.db, {
      userId: user.id,
      jobId: job.id,
      amount: 400,
      idempotencyKey: `cc-${job.id}:reserve`,
    });
    await settleCredits(ctx.db, { jobId: job.id, amount: 300, idempotencyKey: `cc-${job.id}:settle` });
    await completeJob(ctx.db, job.id, 299_001);

    // Half share one key (client retries), half bring their own (separate download requests).
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        chargeJobDownload(ctx.db, {
          jobId: job.id,
          userId: user.id,
          idempotencyKey: i % 2 === 0 ? `cc-${job.id}:download` : `cc-${job.id}:download:${i}`,
        }),
      ),
    );
    assert.equal(results.filter((r) => !r.alreadyCharged).length, 1);
    assert.ok(results.every((r) => r.creditsCharged === 300));
    const charges = (await listLedger(ctx.db, user.id, 100)).filter((e) => e.kind === 'charge');
    assert.equal(charges.length, 1);
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 4700, held: 0 });
    const usage = await ctx.db.select().from(usageTracking).where(eq(usageTracking.jobId, job.id));
    assert.equal(usage.length, 1);
  });

  it('concurrent reserves on one user never overdraw the balance', async () => {
    const user = await makeUser(ctx.db, 100);
    const jobs = await Promise.all(Array.from({ length: 8 }, () => makeJob(ctx.db, user.id)));
    const outcomes = await Promise.allSettled(
      jobs.map((job) =>
        reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 30, idempotencyKey: `cr-${job.id}` }),
      ),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof InsufficientCreditsError);
    }
    assert.deepEqual(await assertLedgerConsistent(ctx.db, user.id), { balance: 10, held: 90 });
  });

  it('concurrent mixed operations across one user’s jobs neither deadlock nor break the ledger', async () => {
    const user = await makeUser(ctx.db, 10_000);
    const jobs = await Promise.all(Array.from({ length: 6 }, () => makeJob(ctx.db, user.id)));
    await Promise.all(
      jobs.map((job) =>
        reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 500, idempotencyKey: `mx-${job.id}:reserve` }),
      ),
    );
    for (const job of jobs.slice(0, 3)) await completeJob(ctx.db, job.id, 250_000);
    const work = jobs.flatMap((job, i) => [
      () => settleCredits(ctx.db, { jobId: job.id, amount: 100 * (i + 1), idempotencyKey: `mx-${job.id}:settle` }),
      () => releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: `mx-${job.id}:release` }),
      () =>
        chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: `mx-${job.id}:download` }).catch(
          (error: unknown) => {
            if (!(error instanceof JobNotCompletedError)) throw error;
          },
        ),
      () => grantCredits(ctx.db, { userId: user.id, amount: 7, kind: 'grant', idempotencyKey: `mx-${job.id}:grant` }),
    ]);
    // Twice each, in an interleaved order, so every operation also races its own retry.
    await Promise.all([...work, ...work.reverse()].map((run) => run()));
    const { balance } = await assertLedgerConsistent(ctx.db, user.id);
    const charges = (await listLedger(ctx.db, user.id, 1000)).filter((e) => e.kind === 'charge');
    assert.equal(charges.length, 3);
    assert.ok(balance <= 10_000 + 6 * 7 - 3 * 250);
  });

  it('an idempotency key reused for another operation is rejected', async () => {
    const user = await makeUser(ctx.db, 100);
    const job = await makeJob(ctx.db, user.id);
    const key = `k-${job.id}`;
    await reserveCredits(ctx.db, { userId: user.id, jobId: job.id, amount: 10, idempotencyKey: key });
    const before = await creditSnapshot(ctx.db, user.id);
    const isConflict = (error: unknown) =>
      error instanceof IdempotencyKeyConflictError && error.code === 'IDEMPOTENCY_KEY_CONFLICT';
    await assert.rejects(releaseCredits(ctx.db, { jobId: job.id, idempotencyKey: key }), isConflict);
    await assert.rejects(
      grantCredits(ctx.db, { userId: user.id, amount: 10, kind: 'grant', idempotencyKey: key }),
      isConflict,
    );
    await completeJob(ctx.db, job.id, 1000);
    await assert.rejects(
      chargeJobDownload(ctx.db, { jobId: job.id, userId: user.id, idempotencyKey: key }),
      isConflict,
    );
    assert.deepEqual(await creditSnapshot(ctx.db, user.id), before);
  });

  it('an unknown user is reported as UserNotFoundError', async () => {
    const isUserNotFound = (error: unknown) => error instanceof UserNotFoundError && error.code === 'USER_NOT_FOUND';
    await assert.rejects(getCreditSummary(ctx.db, randomUUID()), isUserNotFound);
    await assert.rejects(
      grantCredits(ctx.db, {
        userId: randomUUID(),
        amount: 1,
        kind: 'grant',
        idempotencyKey: `nobody-${randomUUID()}`,
      }),
      isUserNotFound,
    );
  });

  it('a negative adjustment cannot take the balance below zero', async () => {
    const user = await makeUser(ctx.db, 30);
    await assert.rejects(
      grantCredits(ctx.db, { userId: user.id, amount: -31, kind: 'adjustment', idempotencyKey: `adj-${user.id}:1` }),
      isInsufficient(31, 30),
    );
    assert.equal(
      (
        await grantCredits(ctx.db, {
          userId: user.id,
          amount: -30,
          kind: 'adjustment',
          idempotencyKey: `adj-${user.id}:2`,
        })
      ).balance,
      0,
    );
    await assert.rejects(
      grantCredits(ctx.db, { userId: user.id, amount: -1, kind: 'grant', idempotencyKey: `adj-${user.id}:3` }),
      RangeError,
    );
    await assert.rejects(
      grantCredits(ctx.db, { userId: user.id, amount: 1.5, kind: 'grant', idempotencyKey: `adj-${user.id}:4` }),
      RangeError,
    );
    await assertLedgerConsistent(ctx.db, user.id);
  });

  it('a randomized sequence keeps ledger sum = balance ≥ 0 and matches a reference model after every step', async () => {
    const seed = Number(process.env.CREDITS_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => {
      const item = items[Math.floor(random() * items.length)];
      if (item === undefined) throw new Error('empty choice');
      return item;
    };
    const int = (max: number) => Math.floor(random() * (max + 1));

    const user = await makeUser(ctx.db, 200);
    type ModelJob = {
      id: string;
      held: number;
      status: 'running' | 'completed' | 'failed' | 'cancelled';
      outputMs: number;
      charged: boolean;
    };
    const model = { balance: 200, jobs: [] as ModelJob[] };
    const replays: Array<{ run: () => Promise<unknown>; expected: unknown }> = [];
    let step = 0;
    const key = (what: string) => `rnd-${user.id}:${step}:${what}`;

    const newJob = async (): Promise<ModelJob> => {
      const job = await makeJob(ctx.db, user.id);
      await markJobRunning(ctx.db, job.id, new Date());
      const entry: ModelJob = { id: job.id, held: 0, status: 'running', outputMs: 0, charged: false };
      model.jobs.push(entry);
      return entry;
    };
    const dead = (job: ModelJob) => job.charged || job.status === 'failed' || job.status === 'cancelled';
    const anyJob = async () => (model.jobs.length === 0 || random() < 0.15 ? newJob() : pick(model.jobs));

    for (step = 0; step < 150; step++) {
      const op = pick([
        'grant',
        'reserve',
        'reserve',
        'settle',
        'settle',
        'release',
        'finish',
        'charge',
        'replay',
      ] as const);
      const context = `seed ${seed}, step ${step}, ${op}`;
      switch (op) {
        case 'grant': {
          const args = { userId: user.id, amount: int(150), kind: 'purchase' as const, idempotencyKey: key('grant') };
          const result = await grantCredits(ctx.db, args);
          model.balance += args.amount;
          replays.push({ run: () => grantCredits(ctx.db, args), expected: { ...result, replayed: true } });
          break;
        }
        case 'reserve': {
          const job = await anyJob();
          const args = { userId: user.id, jobId: job.id, amount: int(120), idempotencyKey: key('reserve') };
          if (dead(job)) {
            await assert.rejects(reserveCredits(ctx.db, args), JobNotActiveError, context);
          } else if (model.balance < args.amount) {
            await assert.rejects(reserveCredits(ctx.db, args), isInsufficient(args.amount, model.balance), context);
          } else {
            const result = await reserveCredits(ctx.db, args);
            model.balance -= args.amount;
            job.held += args.amount;
            replays.push({ run: () => reserveCredits(ctx.db, args), expected: { ...result, replayed: true } });
          }
          break;
        }
        case 'settle': {
          const job = await anyJob();
          const args = { jobId: job.id, amount: int(200), idempotencyKey: key('settle') };
          const target = dead(job) ? 0 : args.amount;
          const increase = target - job.held;
          const delta = increase < 0 ? increase : Math.min(increase, model.balance);
          const result = await settleCredits(ctx.db, args);
          model.balance -= delta;
          job.held += delta;
          assert.deepEqual(result, { held: job.held, shortfall: args.amount - job.held, replayed: false }, context);
          replays.push({ run: () => settleCredits(ctx.db, args), expected: { ...result, replayed: true } });
          break;
        }
        case 'release': {
          const job = await anyJob();
          const args = { jobId: job.id, idempotencyKey: key('release') };
          const result = await releaseCredits(ctx.db, args);
          assert.equal(result.released, job.held, context);
          model.balance += job.held;
          job.held = 0;
          replays.push({ run: () => releaseCredits(ctx.db, args), expected: { ...result, replayed: true } });
          break;
        }
        case 'finish': {
          const job = await anyJob();
          const outcome = pick(['completed', 'completed', 'failed', 'cancelled'] as const);
          const outputMs = int(180_000);
          const at = new Date();
          const applied =
            outcome === 'completed'
              ? await markJobCompleted(ctx.db, job.id, {
                  outputKey: 'o',
                  outputDurationMs: outputMs,
                  result: sampleJobResult(),
                  at,
                })
              : outcome === 'failed'
                ? await markJobFailed(ctx.db, job.id, 'failed', at)
                : await markJobCancelled(ctx.db, job.id, at);
          assert.equal(applied, job.status === 'running', context);
          if (applied) {
            job.status = outcome;
            if (outcome === 'completed') job.outputMs = outputMs;
          }
          break;
        }
        case 'charge': {
          const job = await anyJob();
          const args = { jobId: job.id, userId: user.id, idempotencyKey: key('charge') };
          const charge = Math.ceil(job.outputMs / 1000);
          if (job.status !== 'completed') {
            await assert.rejects(chargeJobDownload(ctx.db, args), JobNotCompletedError, context);
          } else if (job.charged) {
            assert.deepEqual(
              await chargeJobDownload(ctx.db, args),
              { creditsCharged: charge, alreadyCharged: true },
              context,
            );
          } else if (model.balance + job.held < charge) {
            await assert.rejects(
              chargeJobDownload(ctx.db, args),
              isInsufficient(charge, model.balance + job.held),
              context,
            );
          } else {
            assert.deepEqual(
              await chargeJobDownload(ctx.db, args),
              { creditsCharged: charge, alreadyCharged: false },
              context,
            );
            model.balance += job.held - charge;
            job.held = 0;
            job.charged = true;
            replays.push({
              run: () => chargeJobDownload(ctx.db, args),
              expected: { creditsCharged: charge, alreadyCharged: true },
            });
          }
          break;
        }
        case 'replay': {
          if (replays.length === 0) break;
          const before = await creditSnapshot(ctx.db, user.id);
          const replay = pick(replays);
          assert.deepEqual(await replay.run(), replay.expected, `${context}: a replay returned a different outcome`);
          assert.deepEqual(await creditSnapshot(ctx.db, user.id), before, `${context}: a replay changed state`);
          break;
        }
      }
      const actual = await assertLedgerConsistent(ctx.db, user.id);
      const expectedHeld = model.jobs.reduce((sum, job) => sum + job.held, 0);
      assert.deepEqual(actual, { balance: model.balance, held: expectedHeld }, context);
    }
  });
});
