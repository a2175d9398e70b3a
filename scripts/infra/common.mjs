// Shared plumbing for the infra scripts: locating binaries, building Go tools into the cache, free ports, readiness
// polling and process-group lifecycle. Node built-ins only, so it runs before `npm ci`.
import { spawn } from 'node:child_process';
import { constants as fsConstants, closeSync, openSync, readFileSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { arch, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (scripts/infra/../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where downloaded or built tool binaries are cached; git-ignored. */
export function defaultCacheBinDir() {
  return join(repoRoot, '.cache', 'bin');
}

export async function isExecutable(path) {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable on PATH, like `command -v`. */
export async function which(name, pathEnv = process.env.PATH ?? '') {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function makeTempDir(prefix) {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Asks the kernel for a free port. Racy in theory; the servers fail loudly if it gets taken. */
export async function getFreePort(host = '127.0.0.1') {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('no port assigned')) : resolvePort(port)));
    });
  });
}

export async function resolvePort(port, host = '127.0.0.1') {
  return port === undefined || port === 0 ? getFreePort(host) : port;
}

/**
 * Whether `port` on `host` can be bound right now. Unlike `canConnect`, this also catches a listener on
 * another address of the same port (0.0.0.0, ::), which would make a server bound to `host` fail.
 */
export function portIsFree(port, host = '127.0.0.1') {
  return new Promise((resolveFree, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => (error.code === 'EADDRINUSE' ? resolveFree(false) : reject(error)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

export function canConnect(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolveConnect) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Last lines of a log file, for error messages when a server fails to start. */
export function tailFile(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Runs a command to completion. Output is captured (and included in the error) unless `inherit` is set,
 * in which case it streams to our stderr so long downloads and builds show progress in CI logs.
 */
export function run(command, args, { env, cwd, uid, gid, inherit = false, timeoutMs } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      env: env ?? process.env,
      cwd,
      uid,
      gid,
      stdio: inherit ? ['ignore', process.stderr, process.stderr] : ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.once('error', (error) => reject(new Error(`${command}: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolveRun({ stdout, stderr });
      else {
        const output = `${stdout}${stderr}`.trim();
        reject(
          new Error(
            `${command} ${args.join(' ')} exited with ${code ?? signal}${output ? `:\n${output.slice(-4000)}` : ''}`,
          ),
        );
      }
    });
  });
}

/**
 * Polls `check` until it returns true. Fails early, with the log tail, if the server process died,
 * because waiting out the timeout on a crashed process just hides the reason.
 */
export async function waitUntil(check, { timeoutMs, intervalMs = 200, what, daemon }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    if (daemon?.exitStatus !== undefined) {
      throw new Error(
        `${what}: process exited (${daemon.exitStatus}) before becoming ready. Log ${daemon.logFile}:\n${tailFile(daemon.logFile)}`,
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` Last error: ${lastError.message}` : '';
      const log = daemon ? ` Log ${daemon.logFile}:\n${tailFile(daemon.logFile)}` : '';
      throw new Error(`${what}: not ready after ${timeoutMs} ms.${reason}${log}`);
    }
    await sleep(intervalMs);
  }
}

// Every daemon still running when this process exits gets SIGKILLed, so a crashed test run or launcher does not
// leave servers behind holding ports. `exit` handlers must be synchronous; process.kill is.
const liveDaemons = new Set();
process.on('exit', () => {
  for (const daemon of liveDaemons) killGroup(daemon.pid, 'SIGKILL');
});

function killGroup(pid, signal) {
  try {
    // Negative pid: the whole process group (the daemon is its leader because it was spawned detached).
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a long-running server in its own process group with output appended to `logFile`.
 * `stop()` signals the group, waits, then SIGKILLs whatever is left, so children (postgres backends) die too.
 */
export async function startDaemon(command, args, { env, cwd, uid, gid, logFile, stopSignal = 'SIGTERM' }) {
  await mkdir(dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(command, args, {
      env: env ?? process.env,
      cwd,
      uid,
      gid,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const daemon = {
    pid: child.pid,
    logFile,
    exitStatus: undefined,
    exited: undefined,
    stop: undefined,
  };
  daemon.exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      daemon.exitStatus = signal ?? code ?? 'unknown';
      resolveExit(daemon.exitStatus);
    });
    child.once('error', (error) => {
      daemon.exitStatus = `spawn error: ${error.message}`;
      resolveExit(daemon.exitStatus);
    });
  });
  if (child.pid === undefined) {
    await daemon.exited;
    throw new Error(`${command}: could not start (${daemon.exitStatus})`);
  }
  // The daemon must not keep our event loop alive; stop() and the exit hook own its lifetime.
  child.unref();
  liveDaemons.add(daemon);

  let stopping;
  daemon.stop = ({ timeoutMs = 15_000 } = {}) => {
    stopping ??= (async () => {
      if (daemon.exitStatus === undefined) {
        // Keep the loop alive until the exit event arrives (the handle was unref'd at start).
        child.ref();
        killGroup(daemon.pid, stopSignal);
        const timer = new AbortController();
        const timedOut = await Promise.race([
          daemon.exited.then(() => false),
          sleep(timeoutMs, true, { signal: timer.signal }).catch(() => false),
        ]);
        timer.abort();
        if (timedOut) killGroup(daemon.pid, 'SIGKILL');
        await daemon.exited;
      }
      // Stragglers that outlived the leader (e.g. a backend mid-shutdown) share its group id.
      killGroup(daemon.pid, 'SIGKILL');
      liveDaemons.delete(daemon);
    })();
    return stopping;
  };
  return daemon;
}

/** The uid/gid of an OS user, via `id` (no passwd parsing). */
export async function lookupUser(name) {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Logger used by the ensure* helpers: progress goes to stderr so stdout stays clean for callers. */
export function defaultLog(message) {
  process.stderr.write(`[infra] ${message}\n`);
}

/** Go toolchain fetched from the Go proxy when no usable `go` is installed; MinIO's go.mod asks for 1.24. */
export const GO_TOOLCHAIN_VERSION = '1.24.8';

function parseGoVersion(output) {
  const match = /go(\d+)\.(\d+)/.exec(output);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

let goLookup;

/**
 * Returns a `go` binary able to build the pinned tools. Go >= 1.21 is enough: it switches to the toolchain go.mod
 * asks for (GOTOOLCHAIN=auto). Otherwise the pinned toolchain is fetched as the `golang.org/toolchain` module — the
 * same artifact `go` itself downloads — from the Go proxy into `<repo>/.cache/go`.
 */
export function ensureGo({ log = defaultLog } = {}) {
  // One lookup per process: the Go tools build concurrently, and two toolchain fetches would race on .cache/go.
  goLookup ??= findOrFetchGo(log).catch((error) => {
    goLookup = undefined;
    throw error;
  });
  return goLookup;
}

async function findOrFetchGo(log) {
  const candidates = [await which('go'), '/usr/local/go/bin/go', join(repoRoot, '.cache', 'go', 'bin', 'go')];
  for (const candidate of candidates) {
    if (!candidate || !(await isExecutable(candidate))) continue;
    const { stdout } = await run(candidate, ['env', 'GOVERSION']).catch(() => ({ stdout: '' }));
    const version = parseGoVersion(stdout);
    if (version && (version.major > 1 || version.minor >= 21)) return candidate;
  }

  const goArch = { x64: 'amd64', arm64: 'arm64' }[arch()];
  if (!goArch) throw new Error(`No Go toolchain available for ${arch()}`);
  const proxy = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(/[,|]/)[0];
  if (!proxy?.startsWith('http')) throw new Error(`Cannot fetch Go: GOPROXY=${process.env.GOPROXY} has no HTTP proxy`);
  const url = `${proxy}/golang.org/toolchain/@v/v0.0.1-go${GO_TOOLCHAIN_VERSION}.linux-${goArch}.zip`;
  log(`No Go >= 1.21 found; fetching ${url}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  const workDir = await makeTempDir('go-toolchain-');
  try {
    const zipPath = join(workDir, 'go.zip');
    await writeFile(zipPath, Buffer.from(await response.arrayBuffer()));
    await run('python3', ['-m', 'zipfile', '-e', zipPath, join(workDir, 'x')]);
    // Module zips nest everything under `<module>@<version>/` and carry no file modes.
    const [top] = await readdir(join(workDir, 'x', 'golang.org'));
    if (!top) throw new Error(`Unexpected layout in ${url}`);
    const goRoot = join(workDir, 'x', 'golang.org', top);
    await run('sh', ['-c', 'chmod +x bin/* pkg/tool/*/*', 'chmod'], { cwd: goRoot });
    const target = join(repoRoot, '.cache', 'go');
    await rm(target, { recursive: true, force: true });
    await mkdir(join(repoRoot, '.cache'), { recursive: true });
    await rename(goRoot, target);
    return join(target, 'bin', 'go');
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Finds a Go-built tool the way every script here does: `$<envVar>` (must be executable), then `<binary>` on PATH,
 * then the cached build of the pinned module (goInstallCached).
 */
export async function ensureGoTool({ envVar, binary, ...install }) {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`${envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  return (await which(binary)) ?? goInstallCached({ binary, ...install });
}

/**
 * Returns `<cacheDir>/<binary>`, building `<module>@<version>` with `go install` first unless it is already there.
 * A stamp file (`<binary>.version`) records what was built, so bumping the pin rebuilds; a binary without a stamp
 * was put there by hand and is trusted. `env` adds to the build's environment; modules land in GOMODCACHE.
 */
export async function goInstallCached({
  module,
  version,
  binary,
  cacheDir = defaultCacheBinDir(),
  log = defaultLog,
  env = {},
  label = binary,
  timeoutMs = 30 * 60_000,
}) {
  const cached = join(cacheDir, binary);
  const stampFile = join(cacheDir, `${binary}.version`);
  const stamp = await readFile(stampFile, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if ((await isExecutable(cached)) && (stamp === undefined || stamp === version)) return cached;

  const go = await ensureGo({ log });
  await mkdir(cacheDir, { recursive: true });
  // GOBIN points at a private dir so a killed build never leaves a truncated binary at the cached path.
  const gobin = join(cacheDir, `.${binary}-build-${process.pid}`);
  const started = Date.now();
  log(`Building ${label} ${version} with ${go}…`);
  try {
    await run(go, ['install', `${module}@${version}`], {
      // CGO off: a static binary and no C compiler needed on the CI machine.
      env: {
        ...process.env,
        GOBIN: gobin,
        CGO_ENABLED: '0',
        GOFLAGS: '-buildvcs=false',
        GOTOOLCHAIN: 'auto',
        ...env,
      },
      inherit: true,
      timeoutMs,
    });
    await chmod(join(gobin, binary), 0o755);
    await rename(join(gobin, binary), cached);
    await writeFile(stampFile, `${version}\n`);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  log(`${label} built in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return cached;
}
