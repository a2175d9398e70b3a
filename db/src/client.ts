import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite, type PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { Pool } from 'pg';
import { PgliteThreadClient } from './pglite-thread-client';
import * as schema from './schema';

/** The drizzle database every query function takes; both drivers (and their transactions) satisfy it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database plus its lifecycle; create one per process and close it on shutdown. */
export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: 'pglite' | 'pg';
  /** Releases the pool or PGlite instance. */
  close(): Promise<void>;
  /** Round-trips `select 1`; for readiness probes. */
  ping(): Promise<void>;
}

/** How to reach the database: `url` selects PostgreSQL, otherwise PGlite (persisted in `dataDir`, or in memory). */
export interface CreateDatabaseOptions {
  url?: string;
  dataDir?: string;
  /** Pool size for PostgreSQL; ignored by PGlite, which has a single connection. */
  poolMax?: number;
  /**
   * Called when an idle pooled connection fails (for example the server restarted). The pool already
   * discarded that connection; without a listener node-postgres would crash the process instead.
   */
  onPoolError?: (error: Error) => void;
  /**
   * PGlite only: run it in a worker thread (`PgliteThreadClient`) so its queries execute off this thread's event
   * loop. The platform does this; tests that want a quick in-memory database leave it off.
   */
  thread?: boolean;
}

// The migrators are typed per driver, so the driver-specific database stays here, off the public handle.
type DriverDatabase =
  { kind: 'pglite'; db: PgliteDatabase<typeof schema> } | { kind: 'pg'; db: NodePgDatabase<typeof schema>; pool: Pool };
const drivers = new WeakMap<DatabaseHandle, DriverDatabase>();

/**
 * Opens PostgreSQL (node-postgres pool) when `url` is given, else PGlite. The pool connects lazily, so call
 * `ping()` to fail fast at start. PGlite is in-process: only one process may open a given `dataDir`.
 */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new Pool({ connectionString: options.url, max: options.poolMax ?? 10 });
    const onPoolError = options.onPoolError ?? ((error: Error) => console.error('postgres pool error', error));
    pool.on('error', onPoolError);
    const db = drizzleNodePg(pool, { schema });
    const handle: DatabaseHandle = {
      db,
      kind: 'pg',
      close: () => pool.end(),
      ping: async () => {
        await db.execute(sql`select 1`);
      },
    };
    drivers.set(handle, { kind: 'pg', db, pool });
    return handle;
  }

  let client: { close(): Promise<void> };
  let db: PgliteDatabase<typeof schema>;
  if (options.thread) {
    const threadClient = await PgliteThreadClient.open({ dataDir: options.dataDir });
    client = threadClient;
    // drizzle's pglite driver calls only query() and transaction(), which the thread client implements.
    db = drizzlePglite(threadClient as unknown as PGlite, { schema });
  } else {
    const pglite = options.dataDir ? new PGlite(options.dataDir) : new PGlite();
    await pglite.waitReady;
    client = pglite;
    db = drizzlePglite(pglite, { schema });
  }
  const handle: DatabaseHandle = {
    db,
    kind: 'pglite',
    close: () => client.close(),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
  };
  drivers.set(handle, { kind: 'pglite', db });
  return handle;
}

/**
 * Committed drizzle-kit output, found from the package root: `__dirname` is db/dist/src when compiled
 * and db/src under ts tooling.
 */
export const MIGRATIONS_FOLDER =
  path.basename(path.dirname(__dirname)) === 'dist'
    ? path.join(__dirname, '..', '..', 'migrations')
    : path.join(__dirname, '..', 'migrations');

/** Any 64-bit constant works; it only has to be the same in every process that migrates this database. */
const MIGRATION_LOCK_KEY = 7_401_529_113;

/**
 * Applies the committed migrations that are not yet applied. Idempotent, so call it at every start.
 * On PostgreSQL a session advisory lock serializes concurrent starts: drizzle's `create ... if not exists`
 * bookkeeping races otherwise.
 */
export async function runMigrations(
  handle: DatabaseHandle,
  options: { migrationsFolder?: string } = {},
): Promise<void> {
  const driver = drivers.get(handle);
  if (!driver) throw new Error('runMigrations needs a handle returned by createDatabase');
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;

  if (driver.kind === 'pglite') {
    await migratePglite(driver.db, { migrationsFolder });
    return;
  }

  // Lock and migrate on one dedicated connection: advisory locks belong to the session that took them.
  const client = await driver.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder });
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    client.release();
  } catch (error) {
    // Closing the session is what reliably drops the lock when the connection may be broken.
    client.release(true);
    throw error;
  }
}
