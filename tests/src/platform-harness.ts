import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { parseEnv, type Env } from '@voice/config';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '@voice/platform';
import { installWorkerRuntime } from '@voice/runtime';
import { retentionScheduleId } from '@voice/shared';
import { type Mailbox, MailpitMailbox, OutboxMailbox } from '@voice/testkit';
import { ApiClient } from './api-client';

export interface TestPlatform extends RunningPlatform {
  dataDir: string;
  /** Where the platform's mail lands: the test Mailpit when there is one, else DATA_DIR/outbox. */
  mailbox: Mailbox;
  /** A client whose register() verifies the email through `mailbox`. */
  api(): ApiClient;
  /** Stops the platform and removes its data dir and database. */
  close(): Promise<void>;
}

/** Env of the shared test infrastructure started by scripts/test.mjs. */
export function testInfra() {
  const temporalAddress = process.env['TEMPORAL_TEST_ADDRESS'];
  if (!temporalAddress) {
    throw new Error(
      'TEMPORAL_TEST_ADDRESS is not set: run the suite with `npm test` (scripts/test.mjs starts the servers)',
    );
  }
  return {
    temporalAddress,
    namespace: process.env['TEMPORAL_TEST_NAMESPACE'] ?? 'default',
    databaseUrl: process.env['TEST_DATABASE_URL'],
    temporalCli: process.env['TEST_TEMPORAL_CLI'],
    smtpUrl: process.env['TEST_SMTP_URL'],
    mailpitApi: process.env['TEST_MAILPIT_API'],
  };
}

/**
 * A fresh PostgreSQL database on the test server, so suites never see each other's rows; `drop()` removes it with
 * its connections.
 */
export async function createScratchDatabase(
  adminUrl: string,
  prefix = 'e2e',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new PgClient({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The whole platform in this process, wired to the shared Temporal dev server, with its own task queues
 * (so parallel suites never steal each other's tasks), data dir and database: real PostgreSQL when the
 * suite has one, else embedded PGlite.
 */
export async function startTestPlatform(
  overrides: Record<string, string> = {},
  options: PlatformOptions & { database?: 'pg' | 'pglite' } = {},
): Promise<TestPlatform> {
  const infra = testInfra();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-e2e-'));
  const suffix = randomUUID().slice(0, 8);
  const usePg = (options.database ?? 'pg') === 'pg' && infra.databaseUrl !== undefined;
  const scratch = usePg && infra.databaseUrl ? await createScratchDatabase(infra.databaseUrl) : undefined;
  // Mail goes over real SMTP to the shared Mailpit (suites tell their mails apart by recipient); without it, or
  // when the suite sets SMTP_URL itself, the platform's own default (the outbox under DATA_DIR) or that server.
  const useMailpit = infra.smtpUrl !== undefined && infra.mailpitApi !== undefined && !('SMTP_URL' in overrides);
  const env: Env = parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_NAMESPACE: infra.namespace,
    TASK_QUEUE_CPU: `test-cpu-${suffix}`,
    TASK_QUEUE_GPU: `test-gpu-${suffix}`,
    TASK_QUEUE_MEDIA: `test-media-${suffix}`,
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...(useMailpit ? { SMTP_URL: infra.smtpUrl } : {}),
    // Suites submit jobs (bad uploads included) faster than a person would; the limit has its own API tests.
    JOB_SUBMIT_RATE_LIMIT: '1000',
    ...overrides,
  });
  const mailbox: Mailbox =
    useMailpit && infra.mailpitApi
      ? new MailpitMailbox(infra.mailpitApi)
      : new OutboxMailbox(path.join(env.DATA_DIR, 'outbox'));
  installWorkerRuntime(env, options.logDestination ? { destination: options.logDestination } : {});
  const platform = await startPlatform(env, {
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
    ...(options.embeddedGpuWorker !== undefined ? { embeddedGpuWorker: options.embeddedGpuWorker } : {}),
    ...(options.embeddedMediaWorker !== undefined ? { embeddedMediaWorker: options.embeddedMediaWorker } : {}),
    ...(options.embeddedCpuWorker !== undefined ? { embeddedCpuWorker: options.embeddedCpuWorker } : {}),
  });
  return {
    ...platform,
    dataDir,
    mailbox,
    api: () => new ApiClient(platform.apiUrl, mailbox),
    async close() {
      // The shared dev server outlives this platform: take its retention schedule along (none without a CPU worker).
      await platform.client.schedule
        .getHandle(retentionScheduleId(env.TASK_QUEUE_CPU))
        .delete()
        .catch(() => undefined);
      await platform.stop();
      await scratch?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
