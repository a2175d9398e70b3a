// MinIO (a real S3 server) for tests and local development. There is no reachable binary download, so it is
// built from its pinned Go module through the Go proxy and cached in .cache/bin.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultCacheBinDir,
  defaultLog,
  ensureGoTool,
  makeTempDir,
  resolvePort,
  startDaemon,
  waitUntil,
} from './common.mjs';

// ensureGo moved to common.mjs with the shared `go install` step; re-exported for existing importers.
export { ensureGo, GO_TOOLCHAIN_VERSION } from './common.mjs';

/** Pinned MinIO module version (a pseudo-version: MinIO no longer tags releases as Go modules). */
export const MINIO_MODULE_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

/**
 * Returns the path of a MinIO server binary: $MINIO_PATH, then `minio` on PATH, then `<cacheDir>/minio`,
 * else builds the pinned version with `go install` (several minutes on two cores; modules land in GOMODCACHE).
 */
export async function ensureMinio({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  // `minio --version` of a `go install` build says DEVELOPMENT.GOGET, hence goInstallCached's stamp file.
  return ensureGoTool({
    envVar: 'MINIO_PATH',
    module: 'github.com/minio/minio',
    version: MINIO_MODULE_VERSION,
    binary: 'minio',
    label: 'MinIO',
    cacheDir,
    log,
    timeoutMs: 40 * 60_000,
  });
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
