import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import {
  getJobById,
  getJobForUser,
  listJobsForUser,
  markJobCancelled,
  markJobCompleted,
  markJobFailed,
  markJobRunning,
  recordJobInput,
  updateJobProgress,
} from '../src';
import { describeEachDriver, makeJob, makeUser, sampleJobResult } from './support';

describeEachDriver('jobs', (ctx) => {
  it('createJob is idempotent per id and getJobForUser hides other users’ jobs', async () => {
    const owner = await makeUser(ctx.db);
    const stranger = await makeUser(ctx.db);
    const job = await makeJob(ctx.db, owner.id);
    const again = await makeJob(ctx.db, owner.id, { id: job.id, inputKey: 'ignored' });
    assert.equal(again.inputKey, job.inputKey, 'a retried create returns the stored job unchanged');
    assert.equal((await getJobForUser(ctx.db, job.id, owner.id))?.id, job.id);
    assert.equal(await getJobForUser(ctx.db, job.id, stranger.id), undefined);
    assert.equal(await getJobById(ctx.db, randomUUID()), undefined);
  });

  it('runs pending → running → completed and keeps the first start time on retry', async () => {
    const user = await makeUser(ctx.db);
    const job = await makeJob(ctx.db, user.id);
    const startedAt = new Date('2030-01-01T00:00:00Z');
    assert.equal(await markJobRunning(ctx.db, job.id, startedAt), true);
    assert.equal(await markJobRunning(ctx.db, job.id, new Date('2030-01-01T00:05:00Z')), true);
    assert.equal(await recordJobInput(ctx.db, job.id, { inputDurationMs: 12_345, inputFormat: 'wav' }), true);
    const doneAt = new Date('2030-01-01T00:10:00Z');
    const sampleResult = sampleJobResult({ output: { words: 42 } });
    const completed = await markJobCompleted(ctx.db, job.id, {
      outputKey: 'out/x.wav',
      outputDurationMs: 12_300,
      result: sampleResult,
      at: doneAt,
    });
    assert.equal(completed, true);
    const stored = await getJobById(ctx.db, job.id);
    assert.equal(stored?.status, 'completed');
    assert.equal(stored?.progress, 100);
    assert.equal(stored?.startedAt?.toISOString(), startedAt.toISOString());
    assert.equal(stored?.completedAt?.toISOString(), doneAt.toISOString());
    assert.equal(stored?.inputDurationMs, 12_345);
    assert.deepEqual(stored?.result, sampleResult);
  });

  it('progress only moves forward and is clamped to 0–100', async () => {
    const user = await makeUser(ctx.db);
    const job = await makeJob(ctx.db, user.id);
    assert.equal(await updateJobProgress(ctx.db, job.id, 40), true);
    assert.equal(await updateJobProgress(ctx.db, job.id, 20), false);
    assert.equal(await updateJobProgress(ctx.db, job.id, 40), false);
    assert.equal((await getJobById(ctx.db, job.id))?.progress, 40);
    assert.equal(await updateJobProgress(ctx.db, job.id, 250), true);
    assert.equal((await getJobById(ctx.db, job.id))?.progress, 100);
  });

  for (const terminal of ['completed', 'failed', 'cancelled'] as const) {
    it(`a ${terminal} job is final: later status and progress writes are no-ops`, async () => {
      const user = await makeUser(ctx.db);
      const job = await makeJob(ctx.db, user.id);
      await markJobRunning(ctx.db, job.id, new Date());
      await updateJobProgress(ctx.db, job.id, 30);
      const at = new Date();
      const output = { outputKey: 'out/k', outputDurationMs: 1000, result: sampleJobResult(), at };
      const finish = {
        completed: () => markJobCompleted(ctx.db, job.id, output),
        failed: () => markJobFailed(ctx.db, job.id, 'boom', at),
        cancelled: () => markJobCancelled(ctx.db, job.id, at),
      };
      assert.equal(await finish[terminal](), true);
      const before = await getJobById(ctx.db, job.id);

      assert.equal(await finish[terminal](), false, 'the same terminal write again is a no-op');
      assert.equal(await markJobRunning(ctx.db, job.id, new Date()), false);
      assert.equal(await updateJobProgress(ctx.db, job.id, 99), false);
      assert.equal(await markJobCompleted(ctx.db, job.id, { ...output, outputKey: 'out/other' }), false);
      assert.equal(await markJobFailed(ctx.db, job.id, 'late failure', new Date()), false);
      assert.equal(await markJobCancelled(ctx.db, job.id, new Date()), false);
      assert.deepEqual(await getJobById(ctx.db, job.id), before);
    });
  }

  it('status writes on an unknown job report false', async () => {
    assert.equal(await markJobRunning(ctx.db, randomUUID(), new Date()), false);
    assert.equal(await markJobFailed(ctx.db, randomUUID(), 'x', new Date()), false);
  });

  it('listJobsForUser pages newest first by offset and by cursor, isolated per user', async () => {
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const base = Date.parse('2031-01-01T00:00:00Z');
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      // Pairs share a timestamp so the id tie-break is exercised.
      const job = await makeJob(ctx.db, user.id, { createdAt: new Date(base + Math.floor(i / 2) * 1000) });
      created.push(job.id);
      await makeJob(ctx.db, other.id);
    }
    const expected = (await listJobsForUser(ctx.db, user.id, { limit: 100 })).items.map((j) => j.id);
    assert.equal(expected.length, 23);
    assert.deepEqual([...expected].sort(), [...created].sort(), 'only this user’s jobs');
    const times = (await listJobsForUser(ctx.db, user.id, { limit: 100 })).items.map((j) => j.createdAt.getTime());
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );

    const byOffset: string[] = [];
    for (let offset = 0; ; offset += 10) {
      const page = await listJobsForUser(ctx.db, user.id, { limit: 10, offset });
      assert.equal(page.total, 23);
      byOffset.push(...page.items.map((j) => j.id));
      if (page.items.length < 10) break;
    }
    assert.deepEqual(byOffset, expected);

    const byCursor: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listJobsForUser>> = await listJobsForUser(
        ctx.db,
        user.id,
        cursor === null ? { limit: 10 } : { limit: 10, cursor },
      );
      byCursor.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(byCursor, expected);

    const foreignCursor = (await listJobsForUser(ctx.db, other.id, { limit: 1 })).items[0]?.id;
    assert.ok(foreignCursor);
    const leaked = await listJobsForUser(ctx.db, user.id, { limit: 10, cursor: foreignCursor });
    assert.deepEqual(leaked.items, [], 'another user’s job id is not a usable cursor');
  });
});
