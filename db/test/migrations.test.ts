import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_FOLDER, createDatabase, findUserByEmail, runMigrations, users } from '../src';
import { describeEachDriver, makeUser, testDrivers } from './support';

/** Entries in the committed drizzle journal: one row per migration must end up in the bookkeeping table. */
function committedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

describeEachDriver('migrations', (ctx) => {
  it('apply again without error and without touching data', async () => {
    const user = await makeUser(ctx.db, 5);
    await runMigrations(ctx.testDb.handle);
    await runMigrations(ctx.testDb.handle);
    assert.equal((await findUserByEmail(ctx.db, user.email))?.id, user.id);
  });

  it('record each committed migration exactly once', async () => {
    const rows = await ctx.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(sql`drizzle.__drizzle_migrations`);
    assert.equal(rows[0]?.n, committedMigrationCount());
  });

  it('create the constraints the ledger relies on', async () => {
    const user = await makeUser(ctx.db);
    await assert.rejects(
      ctx.db
        .update(users)
        .set({ creditsBalance: -1 })
        .where(sql`${users.id} = ${user.id}`),
      'a negative balance violates the check constraint',
    );
  });

  it('are applied again safely by concurrent starts', async () => {
    const { openAnother } = ctx.testDb;
    const others = openAnother ? await Promise.all([1, 2, 3].map(() => openAnother())) : [];
    await Promise.all([ctx.testDb.handle, ...others].map((handle) => runMigrations(handle)));
  });
});

it('PGlite persisted in dataDir keeps data across reopen and re-migration', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-db-'));
  try {
    const first = await createDatabase({ dataDir });
    await runMigrations(first);
    const user = await makeUser(first.db, 1);
    await first.close();

    const second = await createDatabase({ dataDir });
    try {
      assert.equal(second.kind, 'pglite');
      await runMigrations(second);
      await second.ping();
      assert.equal((await findUserByEmail(second.db, user.email))?.id, user.id);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

it('first-time migrations from concurrent starts on one PostgreSQL database apply exactly once', async (t) => {
  const pg = testDrivers().find((driver) => driver.kind === 'pg');
  if (!pg) return t.skip('set TEST_DATABASE_URL to run against PostgreSQL');
  const fresh = await pg.open();
  try {
    const openAnother = fresh.openAnother;
    assert.ok(openAnother);
    const handles = [fresh.handle, ...(await Promise.all([1, 2, 3, 4].map(() => openAnother())))];
    // Without the advisory lock, drizzle's create-if-not-exists bookkeeping races and statements collide.
    await Promise.all(handles.map((handle) => runMigrations(handle)));
    const rows = await fresh.handle.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(sql`drizzle.__drizzle_migrations`);
    assert.equal(rows[0]?.n, committedMigrationCount());
    await makeUser(fresh.handle.db, 1);
  } finally {
    await fresh.dispose();
  }
});
