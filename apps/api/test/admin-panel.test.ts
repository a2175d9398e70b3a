import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { adminAuditLog, apiKeys, createJob, creditLedger, refreshTokens, users } from '@voice/db';
import { eq } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';

import { FakePipelineClient } from './helpers/fake-pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import { toneWav } from './helpers/tone';
import {
  type AuthBody,
  type ErrorResponse,
  refreshCookieOf,
  registerUser,
  request,
  startTestApi,
  type TestApi,
} from './helpers/test-api';

const ADMIN_PASSWORD = 'an admin passphrase for tests';
const PERIOD_MS = 30_000;
const TEMPORAL_UI = 'https://temporal.example.test/ui/';

interface AuditBody {
  items: Array<{
    id: number;
    adminId: string;
    adminEmail: string | null;
    action: string;
    targetUserId: string | null;
    targetEmail: string | null;
    details: Record<string, unknown>;
  }>;
  nextCursor: number | null;
}
interface AdminUser {
  id: string;
  email: string;
  tier: string;
  suspended: boolean;
  suspendedAt: string | null;
  creditsRemaining: number;
}
interface AdminJob {
  id: string;
  userEmail: string;
  jobType: string;
  status: string;
  workflowId: string;
  temporalUrl: string | null;
}

/** A code the server accepts now: waits out the end of a step, so the request lands in the step it was made for. */
async function currentCode(secret: string): Promise<string> {
  const remaining = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (remaining < 5_000) await sleep(remaining + 100);
  return TOTP.generate({ secret: Secret.fromBase32(secret) });
}

/** The bootstrap admin's first sign-in, enrolment and confirmation: an access token that passed MFA. */
async function enrolledAdmin(api: TestApi, email: string): Promise<{ id: string; token: string }> {
  const login = await request<AuthBody>(api, 'POST', '/api/auth/login', { body: { email, password: ADMIN_PASSWORD } });
  assert.equal(login.status, 200);
  const enrol = await request<{ secret: string }>(api, 'POST', '/api/admin/mfa/enrol', {
    token: login.body.accessToken,
  });
  const confirm = await request<AuthBody>(api, 'POST', '/api/admin/mfa/confirm', {
    token: login.body.accessToken,
    body: { code: await currentCode(enrol.body.secret) },
  });
  assert.equal(confirm.status, 200);
  return { id: confirm.body.user.id, token: confirm.body.accessToken };
}

describe('admin API: users, credits, tiers, jobs, system and the audit log', () => {
  const adminEmail = `panel-admin-${process.pid}@example.com`;
  let api: TestApi;
  let admin: { id: string; token: string };
  let temporal: { client: Client; connection: Connection; native: NativeConnection } | undefined;
  const queues = { cpu: `adm-cpu-${randomUUID()}`, media: `adm-media-${randomUUID()}`, gpu: `adm-gpu-${randomUUID()}` };

  const auditRows = (targetUserId: string) =>
    api.database.db.select().from(adminAuditLog).where(eq(adminAuditLog.targetUserId, targetUserId));
  const asAdmin = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(api, method, path, { token: admin.token, body, ...(headers ? { headers } : {}) });

  before(async () => {
    const address = process.env['TEMPORAL_TEST_ADDRESS'];
    if (address) {
      const connection = await Connection.connect({ address });
      const namespace = process.env['TEMPORAL_TEST_NAMESPACE'] ?? 'default';
      temporal = {
        connection,
        client: new Client({ connection, namespace }),
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
      deps: temporal ? { temporalClient: temporal.client } : {},
    });
    admin = await enrolledAdmin(api, adminEmail);
  });
  after(async () => {
    await api?.close();
    await temporal?.native.close();
    await temporal?.connection.close();
  });

  it('every admin route answers 403 FORBIDDEN_ROLE to a user and 401 without a token', async () => {
    const { accessToken } = await registerUser(api);
    const target = randomUUID();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/users'],
      ['GET', `/api/admin/users/${target}`],
      ['PATCH', `/api/admin/users/${target}`, { tier: 'premium' }],
      ['POST', `/api/admin/users/${target}/suspend`, { reason: 'x' }],
      ['POST', `/api/admin/users/${target}/unsuspend`, {}],
      ['POST', `/api/admin/users/${target}/credits`, { kind: 'grant', amount: 60, reason: 'x' }],
      ['GET', '/api/admin/jobs'],
      ['GET', '/api/admin/system'],
      ['GET', '/api/admin/audit'],
    ];
    for (const [method, path, body] of routes) {
      const response = await request<ErrorResponse>(api, method, path, { token: accessToken, body });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(response.body.error.code, 'FORBIDDEN_ROLE', `${method} ${path}`);
      assert.equal((await request(api, method, path, { body })).status, 401, `${method} ${path} without a token`);
    }
  });

  it('search finds users by part of their email, pages, and the user page shows balance, ledger and jobs', async () => {
    const marker = randomUUID().slice(0, 8);
    const { response } = await registerUser(api, {
      email: `findme-${marker}@example.com`,
      password: 'correct horse battery',
      name: 'Findable Person',
    });
    const userId = response.body.user.id;
    const jobId = randomUUID();
    await createJob(api.database.db, {
      id: jobId,
      userId,
      jobType: 'denoise',
      workflowId: `job-${jobId}`,
      parameters: { steps: [{ op: 'denoise', noise_level: 'moderate' }] },
    });

    const found = await asAdmin<{ items: AdminUser[]; total: number }>('GET', `/api/admin/users?q=FINDME-${marker}`);
    assert.equal(found.status, 200);
    assert.deepEqual(
      found.body.items.map((user) => user.id),
      [userId],
    );
    assert.equal(found.body.total, 1);
    const invalid = await asAdmin<ErrorResponse>('GET', '/api/admin/users?limit=0');
    assert.equal(invalid.status, 400);

    const detail = await asAdmin<{
      user: AdminUser;
      credits: { balance: number; held: number };
      ledger: Array<{ kind: string; amount: number }>;
      jobs: AdminJob[];
      jobsTotal: number;
    }>('GET', `/api/admin/users/${userId}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.user.email, `findme-${marker}@example.com`);
    assert.equal(detail.body.user.tier, 'free');
    assert.equal(detail.body.credits.balance, api.env.FREE_CREDIT_SECONDS);
    assert.deepEqual(
      detail.body.ledger.map((entry) => [entry.kind, entry.amount]),
      [['grant', api.env.FREE_CREDIT_SECONDS]],
    );
    assert.deepEqual(
      detail.body.jobs.map((job) => job.id),
      [jobId],
    );
    assert.equal(detail.body.jobsTotal, 1);
    assert.ok(!JSON.stringify(detail.body).includes('passwordHash'), 'no password hash leaves the API');
    const missing = await asAdmin<ErrorResponse>('GET', `/api/admin/users/${randomUUID()}`);
    assert.equal(missing.status, 404, 'an unknown target is a 404, not the 401 of a gone caller');
    assert.equal(missing.body.error.code, 'USER_NOT_FOUND');
  });

  it('suspension revokes refresh tokens, refuses the next request of a live access token and the sign-in; unsuspend restores sign-in', async () => {
    const { account, response, cookie, accessToken } = await registerUser(api);
    const userId = response.body.user.id;
    const created = await request<{ secret: string }>(api, 'POST', '/api/developer/api-keys', {
      token: accessToken,
      body: { name: 'their integration', scopes: ['credits:read'] },
    });
    assert.equal(created.status, 201);
    const withKey = () =>
      request<ErrorResponse>(api, 'GET', '/api/user/credits', { headers: { 'x-api-key': created.body.secret } });
    assert.equal((await withKey()).status, 200);
    const secondLogin = await request<AuthBody>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: account.password },
    });
    assert.equal((await request(api, 'GET', '/api/user/me', { token: accessToken })).status, 200);

    const noReason = await asAdmin<ErrorResponse>('POST', `/api/admin/users/${userId}/suspend`, { reason: '  ' });
    assert.equal(noReason.status, 400, 'a suspension needs a reason');

    const suspended = await asAdmin<{
      user: AdminUser;
      changed: boolean;
      revokedRefreshTokens: number;
      auditId: number;
    }>('POST', `/api/admin/users/${userId}/suspend`, { reason: 'abuse report #42' });
    assert.equal(suspended.status, 200);
    assert.equal(suspended.body.changed, true);
    assert.equal(suspended.body.user.suspended, true);
    assert.equal(suspended.body.revokedRefreshTokens, 2, 'both sign-ins');
    const live = await api.database.db.select().from(refreshTokens).where(eq(refreshTokens.userId, userId));
    assert.ok(live.every((token) => token.revokedAt !== null));

    // The access token is still validly signed and unexpired: only the per-request lookup can refuse it.
    for (const path of ['/api/user/me', '/api/user/credits', '/api/jobs/history']) {
      const refused = await request<ErrorResponse>(api, 'GET', path, { token: accessToken });
      assert.equal(refused.status, 403, path);
      assert.equal(refused.body.error.code, 'ACCOUNT_SUSPENDED', path);
    }
    assert.equal((await request(api, 'POST', '/api/auth/refresh', { cookie })).status, 401);
    assert.equal(
      (await request(api, 'POST', '/api/auth/refresh', { cookie: refreshCookieOf(secondLogin) })).status,
      401,
    );
    const signIn = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: account.password },
    });
    assert.equal(signIn.status, 403);
    assert.equal(signIn.body.error.code, 'ACCOUNT_SUSPENDED');
    const wrongPassword = await request<ErrorResponse>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: 'not the password at all' },
    });
    assert.equal(wrongPassword.status, 401, 'the suspension is revealed only to someone with the password');
    // Their API keys are revoked in the same transaction: the very next request with one is refused.
    const keyRefused = await withKey();
    assert.equal(keyRefused.status, 401);
    assert.equal(keyRefused.body.error.code, 'API_KEY_REVOKED');
    const keys = await api.database.db.select().from(apiKeys).where(eq(apiKeys.userId, userId));
    assert.ok(keys.length === 1 && keys.every((key) => key.revokedAt !== null));

    const again = await asAdmin<{ changed: boolean; auditId: number | null }>(
      'POST',
      `/api/admin/users/${userId}/suspend`,
      { reason: 'again' },
    );
    assert.equal(again.body.changed, false);
    assert.equal(again.body.auditId, null);

    const lifted = await asAdmin<{ user: AdminUser; changed: boolean }>(
      'POST',
      `/api/admin/users/${userId}/unsuspend`,
      {
        reason: 'appeal accepted',
      },
    );
    assert.equal(lifted.body.user.suspended, false);
    assert.equal((await request(api, 'GET', '/api/user/me', { token: accessToken })).status, 200);
    const back = await request<AuthBody>(api, 'POST', '/api/auth/login', {
      body: { email: account.email, password: account.password },
    });
    assert.equal(back.status, 200);
    assert.equal(
      (await request(api, 'POST', '/api/auth/refresh', { cookie })).status,
      401,
      'old sessions stay revoked',
    );

    const rows = await auditRows(userId);
    assert.deepEqual(
      rows.map((row) => [row.action, row.adminId, row.details.reason]),
      [
        ['user.suspend', admin.id, 'abuse report #42'],
        ['user.unsuspend', admin.id, 'appeal accepted'],
      ],
    );
    assert.equal(rows[0]?.id, suspended.body.auditId);
    assert.equal(rows[0]?.details['revokedApiKeys'], 1);
  });

  it('an admin cannot suspend their own account', async () => {
    const response = await asAdmin<ErrorResponse>('POST', `/api/admin/users/${admin.id}/suspend`, { reason: 'oops' });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'CANNOT_SUSPEND_SELF');
  });

  it('a grant is idempotent per Idempotency-Key and records the admin and the reason in the ledger and the log', async () => {
    const { response } = await registerUser(api);
    const userId = response.body.user.id;
    const start = response.body.user.creditsRemaining;
    const path = `/api/admin/users/${userId}/credits`;
    const body = { kind: 'grant', amount: 600, reason: 'outage compensation' };

    const withoutKey = await asAdmin<ErrorResponse>('POST', path, body);
    assert.equal(withoutKey.status, 400);
    assert.equal(withoutKey.body.error.code, 'IDEMPOTENCY_KEY_REQUIRED');
    const key = { 'idempotency-key': randomUUID() };
    for (const bad of [
      { ...body, reason: '' },
      { ...body, amount: -5 },
      { ...body, amount: 0 },
      { ...body, amount: 1.5 },
      { kind: 'gift', amount: 5, reason: 'x' },
    ]) {
      const refused = await asAdmin<ErrorResponse>('POST', path, bad, key);
      assert.equal(refused.status, 400, JSON.stringify(bad));
    }

    const [first, second] = await Promise.all([
      asAdmin<{ balance: number; replayed: boolean; auditId: number | null; entryId: string }>('POST', path, body, key),
      asAdmin<{ balance: number; replayed: boolean; auditId: number | null; entryId: string }>('POST', path, body, key),
    ]);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.deepEqual([first.body.replayed, second.body.replayed].sort(), [false, true], 'a double submit grants once');
    assert.equal(first.body.balance, start + 600);
    assert.equal(first.body.entryId, second.body.entryId);
    const changedAmount = await asAdmin<ErrorResponse>('POST', path, { ...body, amount: 700 }, key);
    assert.equal(changedAmount.status, 409, 'the same key with another amount is a client bug');

    const me = await request<{ creditsRemaining: number }>(api, 'GET', '/api/user/credits', {
      token: response.body.accessToken,
    });
    assert.equal(me.body.creditsRemaining, start + 600);
    const [entry] = await api.database.db.select().from(creditLedger).where(eq(creditLedger.id, first.body.entryId));
    assert.deepEqual(entry?.metadata, { adminId: admin.id, reason: 'outage compensation' });
    const rows = await auditRows(userId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.action, 'credits.grant');
    assert.equal(rows[0]?.adminId, admin.id);
    assert.deepEqual(rows[0]?.details, {
      reason: 'outage compensation',
      amount: 600,
      ledgerEntryId: first.body.entryId,
      balanceAfter: start + 600,
    });
  });

  it('a correction may be negative but never takes the balance below zero (409)', async () => {
    const { response } = await registerUser(api);
    const userId = response.body.user.id;
    const balance = response.body.user.creditsRemaining;
    const path = `/api/admin/users/${userId}/credits`;
    const tooMuch = await asAdmin<ErrorResponse>(
      'POST',
      path,
      { kind: 'correction', amount: -(balance + 1), reason: 'double grant' },
      { 'idempotency-key': randomUUID() },
    );
    assert.equal(tooMuch.status, 409);
    assert.equal(tooMuch.body.error.code, 'BALANCE_WOULD_BE_NEGATIVE');
    assert.deepEqual(tooMuch.body.error.details, { balance, amount: -(balance + 1) });
    assert.equal((await auditRows(userId)).length, 0, 'a refused correction leaves no trace');

    const corrected = await asAdmin<{ balance: number }>(
      'POST',
      path,
      { kind: 'correction', amount: -balance, reason: 'double grant' },
      { 'idempotency-key': randomUUID() },
    );
    assert.equal(corrected.status, 200);
    assert.equal(corrected.body.balance, 0);
    const [row] = await auditRows(userId);
    assert.equal(row?.action, 'credits.correct');
    assert.equal(row?.details['amount'], -balance);
    assert.equal(row?.details['reason'], 'double grant');
  });

  it('a tier change is audited and shows in GET /api/user/me', async () => {
    const { response } = await registerUser(api);
    const userId = response.body.user.id;
    const token = response.body.accessToken;
    const before = await request<{ tier: string }>(api, 'GET', '/api/user/me', { token });
    assert.equal(before.body.tier, 'free');
    const invalid = await asAdmin<ErrorResponse>('PATCH', `/api/admin/users/${userId}`, { tier: 'gold' });
    assert.equal(invalid.status, 400);
    const changed = await asAdmin<{ user: AdminUser; changed: boolean }>('PATCH', `/api/admin/users/${userId}`, {
      tier: 'premium',
      reason: 'annual plan',
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.user.tier, 'premium');
    const after = await request<{ tier: string }>(api, 'GET', '/api/user/me', { token });
    assert.equal(after.body.tier, 'premium');
    const rows = await auditRows(userId);
    assert.deepEqual(
      rows.map((row) => [row.action, row.adminId, row.details]),
      [['user.tier', admin.id, { reason: 'annual plan', from: 'free', to: 'premium' }]],
    );
  });

  it('all jobs filter by user, type, status and date, each with its run in the Temporal UI', async () => {
    const marker = randomUUID().slice(0, 8);
    const alice = await registerUser(api, {
      email: `alice-${marker}@example.com`,
      password: 'correct horse battery',
      name: 'A',
    });
    const bob = await registerUser(api, {
      email: `bob-${marker}@example.com`,
      password: 'correct horse battery',
      name: 'B',
    });
    const make = async (userId: string, jobType: string, status: 'completed' | 'failed', createdAt: Date) => {
      const id = randomUUID();
      await createJob(api.database.db, {
        id,
        userId,
        jobType,
        status,
        workflowId: `job-${id}`,
        parameters: { steps: [] },
        createdAt,
      });
      return id;
    };
    const aliceOld = await make(
      alice.response.body.user.id,
      'denoise+dub',
      'completed',
      new Date('2024-03-01T10:00:00Z'),
    );
    const aliceNew = await make(alice.response.body.user.id, 'stt', 'failed', new Date('2024-03-05T10:00:00Z'));
    const bobJob = await make(bob.response.body.user.id, 'denoise', 'completed', new Date('2024-03-03T10:00:00Z'));

    const ids = async (query: string) => {
      const response = await asAdmin<{ items: AdminJob[]; total: number }>('GET', `/api/admin/jobs?${query}`);
      assert.equal(response.status, 200, query);
      return response.body.items.map((job) => job.id);
    };
    assert.deepEqual(await ids(`user=alice-${marker}`), [aliceNew, aliceOld]);
    assert.deepEqual(await ids(`user=${bob.response.body.user.id}`), [bobJob]);
    assert.deepEqual(await ids(`user=${marker}&type=denoise`), [bobJob, aliceOld], 'a chain matches each step');
    assert.deepEqual(await ids(`user=${marker}&status=failed`), [aliceNew]);
    assert.deepEqual(await ids(`user=${marker}&from=2024-03-02&to=2024-03-04`), [bobJob]);
    assert.deepEqual(
      await ids(`user=${marker}&to=2024-03-03`),
      [bobJob, aliceOld],
      'a bare `to` date includes its day',
    );
    assert.deepEqual(await ids(`user=${marker}&limit=1&offset=2`), [aliceOld]);

    const [job] = (await asAdmin<{ items: AdminJob[] }>('GET', `/api/admin/jobs?user=${bob.response.body.user.id}`))
      .body.items;
    assert.equal(job?.userEmail, `bob-${marker}@example.com`);
    assert.equal(job?.workflowId, `job-${bobJob}`);
    assert.equal(
      job?.temporalUrl,
      `https://temporal.example.test/ui/namespaces/${api.env.TEMPORAL_NAMESPACE}/workflows/job-${bobJob}`,
    );
    for (const bad of ['status=done', 'type=karaoke', 'from=yesterday', 'limit=500']) {
      assert.equal((await asAdmin('GET', `/api/admin/jobs?${bad}`)).status, 400, bad);
    }
  });

  it('the audit log lists every action newest first, with admin and target emails, and filters', async () => {
    const { response } = await registerUser(api);
    const userId = response.body.user.id;
    await asAdmin('PATCH', `/api/admin/users/${userId}`, { tier: 'premium', reason: 'trial' });
    await asAdmin('PATCH', `/api/admin/users/${userId}`, { tier: 'free', reason: 'trial over' });
    const page = await asAdmin<AuditBody>('GET', `/api/admin/audit?userId=${userId}`);
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.items.map((row) => row.details['reason']),
      ['trial over', 'trial'],
    );
    assert.equal(page.body.items[0]?.adminEmail, adminEmail);
    assert.equal(page.body.items[0]?.targetEmail, response.body.user.email);
    const first = await asAdmin<AuditBody>('GET', `/api/admin/audit?userId=${userId}&limit=1`);
    assert.equal(first.body.items.length, 1);
    const next = await asAdmin<AuditBody>(
      'GET',
      `/api/admin/audit?userId=${userId}&limit=1&before=${first.body.nextCursor}`,
    );
    assert.equal(next.body.items[0]?.details['reason'], 'trial');
    const enrolled = await asAdmin<AuditBody>('GET', `/api/admin/audit?adminId=${admin.id}&action=mfa.enrol`);
    assert.equal(enrolled.body.items.length, 1, 'enrolling the second factor is an admin action too');
    assert.equal((await asAdmin('GET', '/api/admin/audit?action=user.delete')).status, 400);
  });

  it('a deleted account’s access token is refused at its next request (401)', async () => {
    const { response } = await registerUser(api);
    await api.database.db.delete(users).where(eq(users.id, response.body.user.id));
    const refused = await request<ErrorResponse>(api, 'GET', '/api/jobs/history', { token: response.body.accessToken });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'USER_NOT_FOUND');
  });

  it('the system page shows health, each task queue with its backlog and pollers, the workers and the models', async (t) => {
    if (!temporal) return t.skip('TEMPORAL_TEST_ADDRESS is not set (run through scripts/test.mjs)');
    const identity = `admin-panel-test-gpu@${process.pid}`;
    const worker = await Worker.create({
      connection: temporal.native,
      namespace: temporal.client.options.namespace,
      taskQueue: queues.gpu,
      identity,
      activities: { noop: async () => undefined },
    });
    const running = worker.run();
    // Two workflow tasks with no workflow worker: a backlog on the CPU queue.
    const handles = await Promise.all(
      [1, 2].map(() =>
        temporal!.client.workflow.start('pipelineWorkflow', {
          taskQueue: queues.cpu,
          workflowId: `adm-${randomUUID()}`,
        }),
      ),
    );
    try {
      interface SystemBody {
        health: { status: string; checks: Record<string, { status: string }> };
        temporal: { namespace: string; uiUrl: string | null; configured: boolean };
        taskQueues: Array<{
          role: string;
          name: string;
          kind: string;
          pollers: Array<{ identity: string }>;
          stats?: { approximateBacklogCount: number };
          error?: string;
        }>;
        workers: Array<{ identity: string; queues: Array<{ name: string; kind: string }> }>;
        models: { tasks: Record<string, unknown[]>; unavailable: unknown[] };
      }
      let system: SystemBody | undefined;
      // Pollers and backlog counts are the server's view a moment after the worker and the starts.
      for (let attempt = 0; attempt < 40; attempt++) {
        const response = await asAdmin<SystemBody>('GET', '/api/admin/system');
        assert.equal(response.status, 200);
        system = response.body;
        const gpu = system.taskQueues.find((queue) => queue.role === 'gpu');
        const cpu = system.taskQueues.find((queue) => queue.role === 'cpu' && queue.kind === 'workflow');
        if (gpu?.pollers.some((p) => p.identity === identity) && (cpu?.stats?.approximateBacklogCount ?? 0) >= 2) break;
        await sleep(250);
      }
      assert.ok(system);
      assert.equal(system.health.checks['database']?.status, 'up');
      assert.deepEqual(system.temporal, {
        namespace: temporal.client.options.namespace,
        uiUrl: TEMPORAL_UI,
        configured: true,
      });
      assert.deepEqual(
        system.taskQueues.map((queue) => [queue.role, queue.name, queue.kind]),
        [
          ['cpu', queues.cpu, 'workflow'],
          ['cpu', queues.cpu, 'activity'],
          ['media', queues.media, 'activity'],
          ['gpu', queues.gpu, 'activity'],
        ],
      );
      const gpu = system.taskQueues.find((queue) => queue.role === 'gpu');
      assert.ok(
        gpu?.pollers.some((poller) => poller.identity === identity),
        JSON.stringify(gpu),
      );
      const cpu = system.taskQueues.find((queue) => queue.role === 'cpu' && queue.kind === 'workflow');
      assert.ok((cpu?.stats?.approximateBacklogCount ?? 0) >= 2, JSON.stringify(cpu));
      assert.equal(cpu?.pollers.length, 0, 'no workflow worker polls the CPU queue in this test');
      assert.deepEqual(system.workers.find((entry) => entry.identity === identity)?.queues, [
        { name: queues.gpu, kind: 'activity' },
      ]);
      assert.ok(Array.isArray(system.models.unavailable));
      assert.ok('denoise' in system.models.tasks);
    } finally {
      await Promise.all(handles.map((handle) => handle.terminate('test over').catch(() => undefined)));
      worker.shutdown();
      await running;
    }
  });
});

describe('submitting a job passes the owner’s tier to the pipeline (it sets the GPU task priority)', () => {
  let api: TestApi;
  let storageDir: string;
  const pipeline = new FakePipelineClient();

  before(async () => {
    const local = await tempLocalStorage('admin-tier');
    storageDir = local.dir;
    api = await startTestApi({ deps: { storage: local.storage, pipelineClient: pipeline } });
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('free by default, premium once the tier is premium', async () => {
    const { accessToken, response } = await registerUser(api);
    const submit = async () => {
      const form = new FormData();
      form.append('audio_file', new Blob([toneWav()], { type: 'audio/wav' }), 'tone.wav');
      const accepted = await fetch(`${api.baseUrl}/api/audio/denoise`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
        body: form,
      });
      assert.equal(accepted.status, 202, await accepted.clone().text());
      return pipeline.started.at(-1)?.tier;
    };
    assert.equal(await submit(), 'free');
    await api.database.db.update(users).set({ subscriptionTier: 'premium' }).where(eq(users.id, response.body.user.id));
    assert.equal(await submit(), 'premium');
  });
});
