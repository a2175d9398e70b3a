// Throwaway PostgreSQL clusters for tests: initdb into a temp dir, run `postgres` in the foreground as our child
// (no pg_ctl daemonising, so stop() owns the whole process group), trust auth on 127.0.0.1 only.
import { access, chown, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  defaultLog,
  isExecutable,
  isRoot,
  lookupUser,
  makeTempDir,
  resolvePort,
  run,
  startDaemon,
  waitUntil,
  which,
} from './common.mjs';

const REQUIRED_TOOLS = ['initdb', 'pg_ctl', 'postgres', 'pg_isready', 'createdb'];

async function hasAllTools(binDir) {
  for (const tool of REQUIRED_TOOLS) if (!(await isExecutable(join(binDir, tool)))) return false;
  return true;
}

async function findBinDir() {
  // PATH often holds only symlinks (e.g. /usr/local/bin/initdb); the real bin dir has pg_isready and createdb too.
  const initdb = await which('initdb');
  if (initdb) {
    const binDir = dirname(await realpath(initdb));
    if (await hasAllTools(binDir)) return binDir;
  }
  // Debian/Ubuntu keep server binaries off PATH, one dir per major version; prefer the newest.
  const versions = await readdir('/usr/lib/postgresql').catch(() => []);
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const binDir = join('/usr/lib/postgresql', version, 'bin');
    if (await hasAllTools(binDir)) return binDir;
  }
  return undefined;
}

/**
 * Locates the PostgreSQL server binaries (PATH, then /usr/lib/postgresql/<v>/bin). When missing and we are root
 * with apt, installs the distribution's `postgresql` package. Returns `{ binDir, version }`.
 */
export async function ensurePostgres({ log = defaultLog } = {}) {
  let binDir = await findBinDir();
  if (!binDir) {
    if (!isRoot() || !(await which('apt-get'))) {
      throw new Error('PostgreSQL server binaries (initdb, postgres) not found; install the `postgresql` package');
    }
    log('PostgreSQL not found; installing it with apt-get…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update'], { env, inherit: true });
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], { env, inherit: true });
    binDir = await findBinDir();
    if (!binDir) throw new Error('apt-get installed postgresql but its binaries were not found');
  }
  const { stdout } = await run(join(binDir, 'postgres'), ['--version']);
  return { binDir, version: stdout.trim() };
}

/** Environment for PostgreSQL tools without any PG* variable of the caller leaking in. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PG')));
}

/**
 * Initialises (unless `dataDir` already holds a cluster) and starts PostgreSQL on 127.0.0.1, then creates
 * `database`. As root, everything runs as the `postgres` OS user because initdb refuses to run as root.
 * Durability is switched off (fsync, synchronous_commit, full_page_writes): this cluster is disposable.
 */
export async function startPostgres({
  binDir,
  dataDir,
  port,
  database = 'voice_test',
  logFile,
  startTimeoutMs = 60_000,
} = {}) {
  const bin = binDir ?? (await ensurePostgres()).binDir;
  const owner = isRoot() ? await lookupUser('postgres').catch(() => undefined) : undefined;
  if (isRoot() && !owner) throw new Error('Running as root but there is no `postgres` OS user to run the server');

  const baseDir = dataDir ? undefined : await makeTempDir('postgres-');
  const data = dataDir ?? join(baseDir, 'data');
  const log = logFile ?? join(baseDir ?? dirname(data), 'postgres.log');
  await mkdir(data, { recursive: true, mode: 0o700 });
  if (owner) {
    // mkdtemp dirs are 0700 root-owned; hand the base dir over so the postgres user can traverse into it.
    if (baseDir) await chown(baseDir, owner.uid, owner.gid);
    await run('chown', ['-R', `${owner.uid}:${owner.gid}`, data]);
    try {
      await run('test', ['-x', data], { uid: owner.uid, gid: owner.gid });
    } catch {
      throw new Error(`The postgres user cannot reach ${data}; put the data dir under a world-traversable path`);
    }
  }
  const asOwner = { uid: owner?.uid, gid: owner?.gid, cwd: dirname(data), env: cleanEnv() };

  const initialised = await access(join(data, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!initialised) {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      asOwner,
    );
  }

  const pgPort = await resolvePort(port);
  const settings = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    // Parallel test files each open a pool; the default of 100 runs out.
    max_connections: '300',
  };
  const daemon = await startDaemon(
    join(bin, 'postgres'),
    [
      ...['-D', data, '-p', String(pgPort)],
      // Socket in the data dir: the default /var/run/postgresql may not exist or belong to another cluster.
      ...['-k', data],
      ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    // SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients instead of waiting for them (SIGTERM).
    { ...asOwner, logFile: log, stopSignal: 'SIGINT' },
  );

  const connection = ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres'];
  try {
    await waitUntil(
      async () => {
        await run(join(bin, 'pg_isready'), [...connection, '-d', 'postgres'], { env: cleanEnv(), timeoutMs: 5000 });
        return true;
      },
      { timeoutMs: startTimeoutMs, what: 'PostgreSQL', daemon },
    );
    await run(join(bin, 'createdb'), [...connection, database], { env: cleanEnv() }).catch((error) => {
      if (!String(error.message).includes('already exists')) throw error;
    });
  } catch (error) {
    await daemon.stop();
    throw error;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${pgPort}/${database}`,
    host: '127.0.0.1',
    port: pgPort,
    database,
    dataDir: data,
    pid: daemon.pid,
    logFile: log,
    stop: async () => {
      await daemon.stop();
      if (baseDir) await rm(baseDir, { recursive: true, force: true });
    },
  };
}
