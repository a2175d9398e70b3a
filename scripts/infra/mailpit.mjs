// Mailpit (a real SMTP server with an HTTP API to read what it received) for tests and local development.
// Built from its Go module through the Go proxy, like MinIO, and cached in .cache/bin.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultCacheBinDir,
  defaultLog,
  isExecutable,
  makeTempDir,
  resolvePort,
  run,
  startDaemon,
  waitUntil,
  which,
} from './common.mjs';
import { ensureGo } from './minio.mjs';

/** Pinned Mailpit release (tagged as a Go module). */
export const MAILPIT_MODULE_VERSION = 'v1.33.1';

/**
 * Returns the path of a Mailpit binary: $MAILPIT_PATH, then `mailpit` on PATH, then `<cacheDir>/mailpit`,
 * else builds the pinned version with `go install` (modules land in GOMODCACHE).
 */
export async function ensureMailpit({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  const fromEnv = process.env.MAILPIT_PATH;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`MAILPIT_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const onPath = await which('mailpit');
  if (onPath) return onPath;

  // A stamp file records what we built, so bumping the pin rebuilds; a binary without a stamp was put there by hand.
  const cached = join(cacheDir, 'mailpit');
  const stampFile = join(cacheDir, 'mailpit.version');
  const stamp = await readFile(stampFile, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if ((await isExecutable(cached)) && (stamp === undefined || stamp === MAILPIT_MODULE_VERSION)) return cached;

  const go = await ensureGo({ log });
  await mkdir(cacheDir, { recursive: true });
  // GOBIN points at a private dir so a killed build never leaves a truncated binary at the cached path.
  const gobin = join(cacheDir, `.mailpit-build-${process.pid}`);
  const started = Date.now();
  log(`Building Mailpit ${MAILPIT_MODULE_VERSION} with ${go}…`);
  try {
    await run(go, ['install', `github.com/axllent/mailpit@${MAILPIT_MODULE_VERSION}`], {
      // CGO off: a static binary and no C compiler needed (its SQLite is pure Go).
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'auto' },
      inherit: true,
      timeoutMs: 30 * 60_000,
    });
    await chmod(join(gobin, 'mailpit'), 0o755);
    await rename(join(gobin, 'mailpit'), cached);
    await writeFile(stampFile, `${MAILPIT_MODULE_VERSION}\n`);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  log(`Mailpit built in ${Math.round((Date.now() - started) / 1000)} s: ${cached}`);
  return cached;
}

/**
 * Starts Mailpit on 127.0.0.1 (SMTP and HTTP API on free ports unless given) and resolves once /readyz answers 200 (its database is open).
 * Its database is a temp file Mailpit deletes itself (no `--database`), so every start begins with an empty mailbox.
 * SMTP accepts any credentials, also without TLS, so an `smtp://user:pass@…` URL exercises the AUTH path.
 */
export async function startMailpit({ mailpitPath, smtpPort, httpPort, logFile, startTimeoutMs = 30_000 } = {}) {
  const binary = mailpitPath ?? (await ensureMailpit());
  const baseDir = logFile ? undefined : await makeTempDir('mailpit-');
  const log = logFile ?? join(baseDir, 'mailpit.log');
  const smtp = await resolvePort(smtpPort);
  const http = await resolvePort(httpPort);

  const daemon = await startDaemon(
    binary,
    [
      '--smtp',
      `127.0.0.1:${smtp}`,
      '--listen',
      `127.0.0.1:${http}`,
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      // Tests send far fewer; the default 500 would silently prune mails a slow test still wants to read.
      '--max',
      '0',
      // No version check against GitHub from test machines.
      '--disable-version-check',
    ],
    { logFile: log },
  );
  const apiUrl = `http://127.0.0.1:${http}`;
  try {
    await waitUntil(
      async () => {
        const response = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
        return response.ok;
      },
      { timeoutMs: startTimeoutMs, what: 'Mailpit', daemon },
    );
  } catch (error) {
    await daemon.stop();
    throw error;
  }

  return {
    smtpUrl: `smtp://test:test@127.0.0.1:${smtp}`,
    smtpPort: smtp,
    apiUrl,
    pid: daemon.pid,
    logFile: log,
    stop: async () => {
      await daemon.stop();
      if (baseDir) await rm(baseDir, { recursive: true, force: true });
    },
  };
}
