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

  it('listJobsForUser filters by status and by step, chains included, and counts the total under the filter', async () => {
    const user = await makeUser(ctx.db);
    const other = await makeUser(ctx.db);
    const base = Date.parse('2032-01-01T00:00:00Z');
    const specs: Array<[string, 'pending' | 'running' | 'completed' | 'failed' | 'cancelled']> = [
      ['denoise', 'completed'],
      ['denoise+dub', 'failed'],
      ['tts+voice_clone', 'completed'],
      ['voice_clone', 'cancelled'],
      ['stt', 'running'],
      ['tts', 'completed'],
      ['edit+denoise+normalize', 'pending'],
    ];
    const ids = new Map<string, string>();
    for (const [index, [jobType, status]] of specs.entries()) {
      const job = await makeJob(ctx.db, user.id, { jobType, status, createdAt: new Date(base + index * 1000) });
      ids.set(jobType, job.id);
    }
    // Another user's matching jobs never leak into the page or the count.
    await makeJob(ctx.db, other.id, { jobType: 'denoise', status: 'completed' });

    const typesOf = async (options: Parameters<typeof listJobsForUser>[2]) => {
      const page = await listJobsForUser(ctx.db, user.id, options);
      return { types: page.items.map((job) => job.jobType), total: page.total };
    };
    assert.deepEqual(await typesOf({ limit: 10, step: 'denoise' }), {
      types: ['edit+denoise+normalize', 'denoise+dub', 'denoise'],
      total: 3,
    });
    // `tts` is a whole op: it matches `tts` and `tts+voice_clone`, never a longer op that merely starts with it.
    assert.deepEqual(await typesOf({ limit: 10, step: 'tts' }), { types: ['tts', 'tts+voice_clone'], total: 2 });
    // `_` in an op is a literal, not a LIKE wildcard.
    assert.deepEqual(await typesOf({ limit: 10, step: 'voice_clone' }), {
      types: ['voice_clone', 'tts+voice_clone'],
      total: 2,
    });
    assert.deepEqual(await typesOf({ limit: 10, step: 'normalize' }), { types: ['edit+denoise+normalize'], total: 1 });
    assert.deepEqual(await typesOf({ limit: 10, step: 'generate_music' }), { types: [], total: 0 });
    assert.deepEqual(await typesOf({ limit: 10, status: 'completed' }), {
      types: ['tts', 'tts+voice_clone', 'denoise'],
      total: 3,
    });
    assert.deepEqual(await typesOf({ limit: 10, status: 'completed', step: 'voice_clone' }), {
      types: ['tts+voice_clone'],
      total: 1,
    });

    // The total counts the whole filtered list while the page holds one row of it; the cursor keeps the filter.
    const first = await listJobsForUser(ctx.db, user.id, { limit: 1, status: 'completed' });
    assert.equal(first.total, 3);
    assert.deepEqual(
      first.items.map((job) => job.id),
      [ids.get('tts')],
    );
    const second = await listJobsForUser(ctx.db, user.id, { limit: 1, offset: 1, status: 'completed' });
    assert.deepEqual(
      second.items.map((job) => job.id),
      [ids.get('tts+voice_clone')],
    );
    assert.ok(first.nextCursor);
    const byCursor = await listJobsForUser(ctx.db, user.id, {
      limit: 5,
      cursor: first.nextCursor,
      status: 'completed',
    });
    assert.deepEqual(
      byCursor.items.map((job) => job.jobType),
      ['tts+voice_clone', 'denoise'],
    );
    assert.equal((await listJobsForUser(ctx.db, user.id, { limit: 10 })).total, specs.length, 'unfiltered total');
  });
});
