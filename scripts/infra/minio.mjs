// MinIO (a real S3 server) for tests and local development. There is no reachable binary download, so it is
// built from its pinned Go module through the Go proxy and cached in .cache/bin.
import { chmod, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { join } from 'node:path';
import {
  defaultCacheBinDir,
  defaultLog,
  isExecutable,
  makeTempDir,
  repoRoot,
  resolvePort,
  run,
  startDaemon,
  waitUntil,
  which,
} from './common.mjs';

/** Pinned MinIO module version (a pseudo-version: MinIO no longer tags releases as Go modules). */
export const MINIO_MODULE_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
/** Go toolchain fetched from the Go proxy when no usable `go` is installed; MinIO's go.mod asks for 1.24. */
export const GO_TOOLCHAIN_VERSION = '1.24.8';

function parseGoVersion(output) {
  const match = /go(\d+)\.(\d+)/.exec(output);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

let goLookup;

/**
 * Returns a `go` binary able to build MinIO. Go >= 1.21 is enough: it switches to the toolchain go.mod asks for
 * (GOTOOLCHAIN=auto). Otherwise the pinned toolchain is fetched as the `golang.org/toolchain` module — the same
 * artifact `go` itself downloads — from the Go proxy into `<repo>/.cache/go`.
 */
export function ensureGo({ log = defaultLog } = {}) {
  // One lookup per process: MinIO and Mailpit build concurrently, and two toolchain fetches would race on .cache/go.
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
 * Returns the path of a MinIO server binary: $MINIO_PATH, then `minio` on PATH, then `<cacheDir>/minio`,
 * else builds the pinned version with `go install` (several minutes on two cores; modules land in GOMODCACHE).
 */
export async function ensureMinio({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  const fromEnv = process.env.MINIO_PATH;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`MINIO_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const onPath = await which('minio');
  if (onPath) return onPath;

  // `minio --version` of a `go install` build says DEVELOPMENT.GOGET, so a stamp file records what we built.
  // A binary without a stamp was put there by hand and is trusted.
  const cached = join(cacheDir, 'minio');
  const stampFile = join(cacheDir, 'minio.version');
  const stamp = await readFile(stampFile, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if ((await isExecutable(cached)) && (stamp === undefined || stamp === MINIO_MODULE_VERSION)) return cached;

  const go = await ensureGo({ log });
  await mkdir(cacheDir, { recursive: true });
  // GOBIN points at a private dir so a killed build never leaves a truncated binary at the cached path.
  const gobin = join(cacheDir, `.minio-build-${process.pid}`);
  const started = Date.now();
  log(`Building MinIO ${MINIO_MODULE_VERSION} with ${go} (takes a few minutes)…`);
  try {
    await run(go, ['install', `github.com/minio/minio@${MINIO_MODULE_VERSION}`], {
      // CGO off: a static binary and no C compiler needed on the CI machine.
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'auto' },
      inherit: true,
      timeoutMs: 40 * 60_000,
    });
    await chmod(join(gobin, 'minio'), 0o755);
    await rename(join(gobin, 'minio'), cached);
    await writeFile(stampFile, `${MINIO_MODULE_VERSION}\n`);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  log(`MinIO built in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return cached;
}

/**
 * Starts a single-drive MinIO server on 127.0.0.1 and resolves once /minio/health/ready answers 200.
 * Ports left at 0/undefined are picked free; without `dataDir` data goes to a fresh temp dir.
 */
export async function startMinio({
  minioPath,
  dataDir,
  port,
  consolePort,
  accessKey = 'minioadmin',
  secretKey = 'minioadmin',
  logFile,
  startTimeoutMs = 60_000,
} = {}) {
  if (accessKey.length < 3 || secretKey.length < 8) {
    throw new Error('MinIO requires an access key of >= 3 and a secret key of >= 8 characters');
  }
  const binary = minioPath ?? (await ensureMinio());
  const baseDir = dataDir && logFile ? undefined : await makeTempDir('minio-');
  const data = dataDir ?? join(baseDir, 'data');
  const log = logFile ?? join(baseDir, 'minio.log');
  await mkdir(data, { recursive: true });
  const apiPort = await resolvePort(port);
  const uiPort = await resolvePort(consolePort);

  const daemon = await startDaemon(
    binary,
    ['server', data, '--address', `127.0.0.1:${apiPort}`, '--console-address', `127.0.0.1:${uiPort}`, '--quiet'],
    {
      logFile: log,
      env: {
        ...process.env,
        MINIO_ROOT_USER: accessKey,
        MINIO_ROOT_PASSWORD: secretKey,
        // No phone-home update checks from test machines.
        MINIO_UPDATE: 'off',
      },
    },
  );
  const endpoint = `http://127.0.0.1:${apiPort}`;
  try {
    await waitUntil(
      async () => {
        const response = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
      },
      { timeoutMs: startTimeoutMs, what: 'MinIO', daemon },
    );
  } catch (error) {
    await daemon.stop();
    throw error;
  }

  return {
    endpoint,
    consoleUrl: `http://127.0.0.1:${uiPort}`,
    region: 'us-east-1',
    accessKey,
    secretKey,
    dataDir: data,
    pid: daemon.pid,
    logFile: log,
    stop: async () => {
      await daemon.stop();
      // Only remove what we created; a caller-supplied dataDir is theirs to keep.
      if (baseDir) await rm(baseDir, { recursive: true, force: true });
    },
  };
}
