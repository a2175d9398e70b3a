import { randomBytes } from 'node:crypto';

import { createDatabase, type DatabaseHandle, runMigrations } from '@voice/db';
import { sql } from 'drizzle-orm';

export interface TestDatabase {
  label: 'pglite' | 'pg';
  handle: DatabaseHandle;
  /** PostgreSQL only: where other processes can reach this database. */
  url?: string;
  dispose(): Promise<void>;
}

/** A migrated in-memory PGlite of its own. */
export async function freshPglite(): Promise<TestDatabase> {
  const handle = await createDatabase({});
  await runMigrations(handle);
  return { label: 'pglite', handle, dispose: () => handle.close() };
}

/**
 * A freshly created, migrated PostgreSQL database on the test runner's server (TEST_DATABASE_URL), dropped by
 * `dispose`; undefined when the runner has no PostgreSQL.
 */
export async function freshPostgres(): Promise<TestDatabase | undefined> {
  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (!adminUrl) return undefined;
  const name = `voice_api_test_${randomBytes(6).toString('hex')}`;
  const admin = await createDatabase({ url: adminUrl, poolMax: 1 });
  try {
    await admin.db.execute(sql.raw(`create database "${name}"`));
  } catch (error) {
    await admin.close();
    throw error;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ url: url.toString(), poolMax: 5 });
  await runMigrations(handle);
  return {
    label: 'pg',
    handle,
    url: url.toString(),
    async dispose() {
      await handle.close();
      try {
        await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      } finally {
        await admin.close();
      }
    },
  };
}

/** PGlite always, plus PostgreSQL when the runner provides it: suites declare themselves once per entry. */
export const TEST_DATABASES: ReadonlyArray<{ label: 'pglite' | 'pg'; open(): Promise<TestDatabase | undefined> }> = [
  { label: 'pglite', open: freshPglite },
  { label: 'pg', open: freshPostgres },
];
