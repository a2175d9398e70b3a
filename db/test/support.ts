/**
 * Test support: runs a suite once on in-memory PGlite and, when TEST_DATABASE_URL is set, once more on a
 * freshly created PostgreSQL database that is dropped afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { Client } from 'pg';
import {
  createDatabase,
  createJob,
  createUserWithGrant,
  creditLedger,
  getCreditSummary,
  processingJobs,
  runMigrations,
  type Database,
  type DatabaseHandle,
  type NewProcessingJob,
  type ProcessingJob,
  type User,
} from '../src';
import { eq, sql } from 'drizzle-orm';
import type { JobResult } from '@voice/shared';

export interface TestDatabase {
  kind: 'pglite' | 'pg';
  handle: DatabaseHandle;
  /** Another handle on the same database (pg only: PGlite is one in-process connection). */
  openAnother?: () => Promise<DatabaseHandle>;
  dispose(): Promise<void>;
}

interface Driver {
  kind: 'pglite' | 'pg';
  /** Names the variant in test titles. */
  label: string;
  open(): Promise<TestDatabase>;
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a uniquely named database so parallel test files never share state. */
async function openFreshPostgres(adminUrl: string): Promise<TestDatabase> {
  const name = `voice_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const others: DatabaseHandle[] = [];
  const handle = await createDatabase({ url: url.toString(), poolMax: 10 });
  return {
    kind: 'pg',
    handle,
    openAnother: async () => {
      const another = await createDatabase({ url: url.toString(), poolMax: 4 });
      others.push(another);
      return another;
    },
    dispose: async () => {
      await Promise.all([handle, ...others].map((h) => h.close()));
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

export function testDrivers(): Driver[] {
  const drivers: Driver[] = [
    {
      kind: 'pglite',
      label: 'pglite',
      open: async () => {
        const handle = await createDatabase({});
        return { kind: 'pglite', handle, dispose: () => handle.close() };
      },
    },
    {
      // The platform's setup: PGlite behind its worker thread (transactions, locks and errors cross a message port).
      kind: 'pglite',
      label: 'pglite in a thread',
      open: async () => {
        const handle = await createDatabase({ thread: true });
        return { kind: 'pglite', handle, dispose: () => handle.close() };
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) drivers.push({ kind: 'pg', label: 'pg', open: () => openFreshPostgres(url) });
  return drivers;
}

export interface SuiteContext {
  readonly db: Database;
  readonly testDb: TestDatabase;
}

/** Declares `body` once per driver, on a migrated, empty database shared by that suite's tests. */
export function describeEachDriver(title: string, body: (ctx: SuiteContext) => void): void {
  for (const driver of testDrivers()) {
    describe(`${title} [${driver.label}]`, () => {
      let opened: TestDatabase | undefined;
      before(async () => {
        opened = await driver.open();
        await runMigrations(opened.handle);
      });
      after(async () => {
        await opened?.dispose();
      });
      const ctx: SuiteContext = {
        get testDb() {
          if (!opened) throw new Error('database not open yet');
          return opened;
        },
        get db() {
          return ctx.testDb.handle.db;
        },
      };
      body(ctx);
    });
  }
}

export async function makeUser(db: Database, grantSeconds = 0): Promise<User> {
  return createUserWithGrant(db, {
    email: `user-${randomUUID()}@example.test`,
    passwordHash: 'x',
    name: 'Test User',
    grantSeconds,
  });
}

/** A denoise job's row as the API would write it, not yet written. */
export function jobDraft(userId: string, overrides: Partial<NewProcessingJob> = {}): NewProcessingJob {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    userId,
    jobType: 'denoise',
    workflowId: `job-${id}`,
    parameters: { steps: [{ op: 'denoise', noise_level: 'moderate' }] },
    inputKey: `uploads/${id}`,
    ...overrides,
  };
}

export async function makeJob(
  db: Database,
  userId: string,
  overrides: Partial<NewProcessingJob> = {},
): Promise<ProcessingJob> {
  return createJob(db, jobDraft(userId, overrides));
}

/** Everything a credit operation could touch for one user, to prove "nothing changed". */
export async function creditSnapshot(db: Database, userId: string) {
  const ledger = await db
    .select({ key: creditLedger.idempotencyKey, amount: creditLedger.amount, kind: creditLedger.kind })
    .from(creditLedger)
    .where(eq(creditLedger.userId, userId))
    .orderBy(creditLedger.idempotencyKey);
  const jobs = await db
    .select({
      id: processingJobs.id,
      held: processingJobs.creditsHeld,
      charged: processingJobs.creditsCharged,
      chargedAt: processingJobs.chargedAt,
    })
    .from(processingJobs)
    .where(eq(processingJobs.userId, userId))
    .orderBy(processingJobs.id);
  return { summary: await getCreditSummary(db, userId), ledger, jobs };
}

/**
 * The ledger invariants: balance = ledger sum, balance ≥ 0, and what the jobs hold equals the hold entries
 * not yet released.
 */
export async function assertLedgerConsistent(db: Database, userId: string): Promise<{ balance: number; held: number }> {
  const summary = await getCreditSummary(db, userId);
  assert.ok(summary, 'user exists');
  assert.equal(summary.ledgerSum, summary.balance, 'balance equals ledger sum');
  assert.ok(summary.balance >= 0, 'balance is never negative');
  const [holds] = await db
    .select({ outstanding: sql<number>`coalesce(-sum(${creditLedger.amount}), 0)`.mapWith(Number) })
    .from(creditLedger)
    .where(sql`${creditLedger.userId} = ${userId} and ${creditLedger.kind} in ('hold', 'hold_release')`);
  assert.equal(summary.held, holds?.outstanding ?? 0, 'job holds equal outstanding hold entries');
  return { balance: summary.balance, held: summary.held };
}

/** Small deterministic PRNG so a failing randomized run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A minimal completed job's record, as the workflow writes it. */
export function sampleJobResult(overrides: Partial<JobResult> = {}): JobResult {
  return {
    models: [{ op: 'denoise', model: 'rnnoise' }],
    input: { source: 'none' },
    output: { words: 0 },
    steps: [],
    ...overrides,
  };
}
