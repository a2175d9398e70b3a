// Mailpit (a real SMTP server with an HTTP API to read what it received) for tests and local development.
// Built from its Go module through the Go proxy, like MinIO, and cached in .cache/bin.
import { rm } from 'node:fs/promises';
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

/** Pinned Mailpit release (tagged as a Go module). */
export const MAILPIT_MODULE_VERSION = 'v1.33.1';

/**
 * Returns the path of a Mailpit binary: $MAILPIT_PATH, then `mailpit` on PATH, then `<cacheDir>/mailpit`,
 * else builds the pinned version with `go install` (modules land in GOMODCACHE).
 */
export async function ensureMailpit({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  // Its SQLite is pure Go, so the CGO-free build goInstallCached makes is complete.
  return ensureGoTool({
    envVar: 'MAILPIT_PATH',
    module: 'github.com/axllent/mailpit',
    version: MAILPIT_MODULE_VERSION,
    binary: 'mailpit',
    label: 'Mailpit',
    cacheDir,
    log,
  });
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
