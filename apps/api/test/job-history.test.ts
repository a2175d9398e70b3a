import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createJob, type ProcessingJob } from '@voice/db';
import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { type ErrorResponse, registerUser, request, startTestApi, type TestApi } from './helpers/test-api';

interface HistoryPage {
  items: Array<{ jobId: string; jobType: string; status: string }>;
  total: number;
  limit: number;
  offset: number;
}

/** GET /api/jobs/history over real HTTP and a real (PGlite) database; jobs are written as the pipeline would. */
describe('GET /api/jobs/history filters', () => {
  let api: TestApi;
  let token: string;

  before(async () => {
    api = await startTestApi({ deps: { pipelineClient: new FakePipelineClient() } });
    const user = await registerUser(api);
    token = user.accessToken;
    const userId = user.response.body.user.id;
    const jobs: Array<[string, ProcessingJob['status']]> = [
      ['denoise', 'completed'],
      ['denoise+dub', 'failed'],
      ['tts+voice_clone', 'completed'],
      ['stt', 'running'],
      ['generate_sfx', 'cancelled'],
    ];
    const base = Date.parse('2033-05-01T00:00:00Z');
    for (const [index, [jobType, status]] of jobs.entries()) {
      const id = randomUUID();
      await createJob(api.database.db, {
        id,
        userId,
        jobType,
        status,
        workflowId: `job-${id}`,
        parameters: { steps: [] },
        createdAt: new Date(base + index * 1000),
      });
    }
    // Someone else's denoise job: never in this user's pages or totals.
    const other = await registerUser(api);
    const id = randomUUID();
    await createJob(api.database.db, {
      id,
      userId: other.response.body.user.id,
      jobType: 'denoise',
      workflowId: `job-${id}`,
      parameters: { steps: [] },
    });
  });
  after(async () => {
    await api?.close();
  });

  const history = (query: string) => request<HistoryPage>(api, 'GET', `/api/jobs/history${query}`, { token });

  test('type matches every job that ran the step, chains included, and total counts the filtered list', async () => {
    const denoise = await history('?type=denoise');
    assert.equal(denoise.status, 200, JSON.stringify(denoise.body));
    assert.deepEqual(
      denoise.body.items.map((job) => job.jobType),
      ['denoise+dub', 'denoise'],
    );
    assert.equal(denoise.body.total, 2);

    const voiceClone = await history('?type=voice_clone');
    assert.deepEqual(
      voiceClone.body.items.map((job) => job.jobType),
      ['tts+voice_clone'],
    );
  });

  test('status and type combine, and limit/offset page through the filtered jobs only', async () => {
    const completed = await history('?status=completed');
    assert.deepEqual(
      completed.body.items.map((job) => job.status),
      ['completed', 'completed'],
    );
    assert.equal(completed.body.total, 2);
    const both = await history('?status=completed&type=tts');
    assert.deepEqual(
      both.body.items.map((job) => job.jobType),
      ['tts+voice_clone'],
    );
    assert.equal(both.body.total, 1);

    const secondPage = await history('?status=completed&limit=1&offset=1');
    assert.deepEqual(
      { types: secondPage.body.items.map((job) => job.jobType), total: secondPage.body.total },
      { types: ['denoise'], total: 2 },
    );
    assert.equal(secondPage.body.limit, 1);
    assert.equal(secondPage.body.offset, 1);
    assert.equal((await history('')).body.total, 5, 'no filter: all five of this user’s jobs');
  });

  test('an unknown status or type is a 400 that lists what is accepted', async () => {
    const badStatus = await request<ErrorResponse>(api, 'GET', '/api/jobs/history?status=done', { token });
    assert.equal(badStatus.status, 400);
    assert.equal(badStatus.body.error.code, 'VALIDATION_FAILED');
    assert.match(badStatus.body.error.message, /status: must be one of pending, running, completed, failed, cancelled/);

    const badType = await request<ErrorResponse>(api, 'GET', '/api/jobs/history?type=karaoke', { token });
    assert.equal(badType.status, 400);
    assert.match(badType.body.error.message, /type: must be one step type .*denoise.*voice_clone/);
    // A whole chain is not a step: the message says how chains are matched.
    const chain = await request<ErrorResponse>(api, 'GET', '/api/jobs/history?type=denoise%2Bdub', { token });
    assert.equal(chain.status, 400);
    assert.match(chain.body.error.message, /a chain matches each of its steps/);
  });
});
