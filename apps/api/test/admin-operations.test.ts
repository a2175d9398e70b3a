import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createJobWithHold, createUserWithGrant } from '@voice/db';
import { readSample, VoiceMetrics } from '@voice/metrics';
import { Secret, TOTP } from 'otpauth';

import {
  type AuthBody,
  type ErrorResponse,
  registerUser,
  request,
  startTestApi,
  type TestApi,
} from './helpers/test-api';

const ADMIN_PASSWORD = 'an admin passphrase for tests';
const TEMPORAL_UI = 'https://temporal.example.test/ui/';

interface OperationsBody {
  readAt: string;
  taskQueues: Array<{
    role: string;
    name: string;
    kinds: string[];
    backlog: number;
    backlogAgeSeconds: number;
    pollers: number;
    error?: string;
    temporalUrl: string | null;
  }>;
  credits: { held: number; holds: number; oldestAgeSeconds: number } | null;
  temporal: { namespace: string; uiUrl: string | null; workflowsUrl: string | null; schedulesUrl: string | null };
}

/** A code the server accepts now: waits out the end of a step, so the request lands in the step it was made for. */
async function currentCode(secret: string): Promise<string> {
  const remaining = 30_000 - (Date.now() % 30_000);
  if (remaining < 5_000) await sleep(remaining + 100);
  return TOTP.generate({ secret: Secret.fromBase32(secret) });
}

async function enrolledAdmin(api: TestApi, email: string): Promise<string> {
  const login = await request<AuthBody>(api, 'POST', '/api/auth/login', { body: { email, password: ADMIN_PASSWORD } });
  const enrol = await request<{ secret: string }>(api, 'POST', '/api/admin/mfa/enrol', {
    token: login.body.accessToken,
  });
  const confirm = await request<AuthBody>(api, 'POST', '/api/admin/mfa/confirm', {
    token: login.body.accessToken,
    body: { code: await currentCode(enrol.body.secret) },
  });
  assert.equal(confirm.status, 200);
  return confirm.body.accessToken;
}

describe('operations: GET /api/admin/operations and the API’s metrics come from one reading', () => {
  const adminEmail = `ops-admin-${process.pid}@example.com`;
  const queues = { cpu: `ops-cpu-${randomUUID()}`, media: `ops-media-${randomUUID()}`, gpu: `ops-gpu-${randomUUID()}` };
  const metrics = new VoiceMetrics({ defaultMetrics: false });
  let api: TestApi;
  let adminToken: string;
  let temporal: { client: Client; connection: Connection; native: NativeConnection } | undefined;

  before(async () => {
    const address = process.env['TEMPORAL_TEST_ADDRESS'];
    if (address) {
      const connection = await Connection.connect({ address });
      temporal = {
        connection,
        client: new Client({ connection, namespace: process.env['TEMPORAL_TEST_NAMESPACE'] ?? 'default' }),
        native: await NativeConnection.connect({ address }),
      };
    }
    api = await startTestApi({
      env: {
        ADMIN_EMAIL: adminEmail,
        ADMIN_PASSWORD,
        DATA_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
        TEMPORAL_UI_PUBLIC_URL: TEMPORAL_UI,
        TASK_QUEUE_CPU: queues.cpu,
        TASK_QUEUE_MEDIA: queues.media,
        TASK_QUEUE_GPU: queues.gpu,
        ...(process.env['TEMPORAL_TEST_NAMESPACE']
          ? { TEMPORAL_NAMESPACE: process.env['TEMPORAL_TEST_NAMESPACE'] }
          : {}),
      },
      deps: { metrics, ...(temporal ? { temporalClient: temporal.client } : {}) },
    });
    adminToken = await enrolledAdmin(api, adminEmail);
  });
  after(async () => {
    await api?.close();
    await temporal?.native.close();
    await temporal?.connection.close();
  });

  it('is for admins only: 403 FORBIDDEN_ROLE to a user, 401 without a token', async () => {
    const { accessToken } = await registerUser(api);
    const refused = await request<ErrorResponse>(api, 'GET', '/api/admin/operations', { token: accessToken });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'FORBIDDEN_ROLE');
    assert.equal((await request(api, 'GET', '/api/admin/operations')).status, 401);
  });

  it('reports each queue’s backlog, age and pollers and the held credits, exactly as the gauges export them', async (t) => {
    if (!temporal) return t.skip('TEMPORAL_TEST_ADDRESS is not set (run through scripts/test.mjs)');
    const user = await createUserWithGrant(api.database.db, {
      email: `ops-holder-${randomUUID()}@example.com`,
      passwordHash: 'x',
      name: 'Holder',
      grantSeconds: 600,
    });
    const jobId = randomUUID();
    await createJobWithHold(
      api.database.db,
      {
        id: jobId,
        userId: user.id,
        jobType: 'denoise',
        workflowId: `job-${jobId}`,
        parameters: { steps: [{ op: 'denoise', noise_level: 'moderate' }] },
      },
      90,
    );
    const identity = `ops-test-gpu@${process.pid}`;
    const worker = await Worker.create({
      connection: temporal.native,
      namespace: temporal.client.options.namespace,
      taskQueue: queues.gpu,
      identity,
      activities: { noop: async () => undefined },
    });
    const running = worker.run();
    // Three workflow tasks and no workflow worker: a backlog on the CPU queue that only grows older.
    const handles = await Promise.all(
      [1, 2, 3].map(() =>
        temporal!.client.workflow.start('pipelineWorkflow', {
          taskQueue: queues.cpu,
          workflowId: `ops-${randomUUID()}`,
        }),
      ),
    );
    try {
      let body: OperationsBody | undefined;
      const deadline = Date.now() + 30_000;
      // The server's view settles a moment after the worker and the starts; the figures are cached for 5 s.
      for (;;) {
        const response = await request<OperationsBody>(api, 'GET', '/api/admin/operations', { token: adminToken });
        assert.equal(response.status, 200, JSON.stringify(response.body));
        body = response.body;
        const cpu = body.taskQueues.find((queue) => queue.role === 'cpu');
        const gpu = body.taskQueues.find((queue) => queue.role === 'gpu');
        if ((cpu?.backlog ?? 0) >= 3 && (gpu?.pollers ?? 0) >= 1) break;
        assert.ok(Date.now() < deadline, `the backlog and the poller never showed: ${JSON.stringify(body)}`);
        await sleep(500);
      }
      assert.deepEqual(
        body.taskQueues.map((queue) => [queue.role, queue.name, queue.kinds, queue.error]),
        [
          ['cpu', queues.cpu, ['workflow', 'activity'], undefined],
          ['media', queues.media, ['activity'], undefined],
          ['gpu', queues.gpu, ['activity'], undefined],
        ],
      );
      const [cpu, media, gpu] = body.taskQueues;
      assert.ok(cpu && media && gpu);
      assert.equal(cpu.pollers, 0, 'no workflow worker polls the CPU queue here');
      assert.equal(gpu.pollers, 1, 'the GPU worker, counted once');
      assert.equal(media.backlog, 0);
      assert.deepEqual(body.credits, { held: 90, holds: 1, oldestAgeSeconds: body.credits?.oldestAgeSeconds });
      assert.ok((body.credits?.oldestAgeSeconds ?? -1) >= 0);
      const namespace = encodeURIComponent(temporal.client.options.namespace);
      assert.equal(
        gpu.temporalUrl,
        `${TEMPORAL_UI.replace(/\/$/, '')}/namespaces/${namespace}/task-queues/${queues.gpu}`,
      );
      assert.deepEqual(body.temporal, {
        namespace: temporal.client.options.namespace,
        uiUrl: TEMPORAL_UI,
        workflowsUrl: `https://temporal.example.test/ui/namespaces/${namespace}/workflows`,
        schedulesUrl: `https://temporal.example.test/ui/namespaces/${namespace}/schedules`,
      });

      // A scrape reads the same cached reading the page gets: one reading, two views. The gauges are compared with a
      // page from that very reading (the same readAt before and after the scrape), not a later one.
      let exported: { page: OperationsBody; gauges: Array<number | undefined> } | undefined;
      const gaugesOf = async (page: OperationsBody) => [
        ...(
          await Promise.all(
            page.taskQueues.map((queue) =>
              Promise.all([
                readSample(metrics.registry, 'voice_task_queue_backlog', { task_queue: queue.name }),
                readSample(metrics.registry, 'voice_task_queue_backlog_age_seconds', { task_queue: queue.name }),
                readSample(metrics.registry, 'voice_task_queue_pollers', { task_queue: queue.name }),
              ]),
            ),
          )
        ).flat(),
        await readSample(metrics.registry, 'voice_credits_held'),
        await readSample(metrics.registry, 'voice_credits_held_oldest_age_seconds'),
      ];
      for (let attempt = 0; attempt < 5 && !exported; attempt++) {
        const page = (await request<OperationsBody>(api, 'GET', '/api/admin/operations', { token: adminToken })).body;
        const gauges = await gaugesOf(page);
        const again = (await request<OperationsBody>(api, 'GET', '/api/admin/operations', { token: adminToken })).body;
        if (again.readAt === page.readAt) exported = { page, gauges };
      }
      assert.ok(exported, 'a scrape and two page loads within one 5 s reading');
      assert.deepEqual(exported.gauges, [
        ...exported.page.taskQueues.flatMap((queue) => [queue.backlog, queue.backlogAgeSeconds, queue.pollers]),
        90,
        exported.page.credits?.oldestAgeSeconds,
      ]);
    } finally {
      await Promise.all(handles.map((handle) => handle.terminate('test over').catch(() => undefined)));
      worker.shutdown();
      await running;
    }
  });

  it('counts HTTP requests by route template, method and status, unknown paths as "unmatched"', async () => {
    const { accessToken } = await registerUser(api);
    const jobId = randomUUID();
    await request(api, 'GET', `/api/jobs/${jobId}/status`, { token: accessToken });
    await request(api, 'GET', `/api/no-such-route/${jobId}`, { token: accessToken });

    assert.equal(
      await readSample(metrics.registry, 'voice_http_requests_total', {
        method: 'GET',
        route: '/api/jobs/:id/status',
        status: '404',
      }),
      1,
    );
    assert.ok(
      ((await readSample(metrics.registry, 'voice_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      })) ?? 0) >= 1,
    );
    // Refused by the role guard before the handler ran: still labelled with its route.
    assert.ok(
      ((await readSample(metrics.registry, 'voice_http_requests_total', {
        method: 'GET',
        route: '/api/admin/operations',
        status: '403',
      })) ?? 0) >= 1,
    );
    assert.ok(
      ((await readSample(metrics.registry, 'voice_http_request_duration_seconds_count', {
        route: '/api/auth/login',
      })) ?? 0) >= 1,
    );
    assert.doesNotMatch(await metrics.registry.metrics(), new RegExp(jobId), 'no raw path in any label');
  });
});
