// stripe-mock (Stripe's own mock of its API: requests are validated against the OpenAPI spec, answers are fixtures)
// for the payment tests. Stateless: it stores nothing and sends no webhooks, so tests sign their own events.
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

/** Pinned stripe-mock release (tagged as a Go module; it embeds the OpenAPI spec of its day). */
export const STRIPE_MOCK_MODULE_VERSION = 'v0.203.0';
/** stripe-mock accepts any key shaped like a test-mode secret key, and only such keys. */
export const STRIPE_MOCK_API_KEY = 'sk_test_123';

/**
 * Returns the path of a stripe-mock binary: $STRIPE_MOCK_PATH, then `stripe-mock` on PATH, then
 * `<cacheDir>/stripe-mock`, else builds the pinned version with `go install` (about a CPU-minute).
 */
export async function ensureStripeMock({ cacheDir = defaultCacheBinDir(), log = defaultLog } = {}) {
  return ensureGoTool({
    envVar: 'STRIPE_MOCK_PATH',
    module: 'github.com/stripe/stripe-mock',
    version: STRIPE_MOCK_MODULE_VERSION,
    binary: 'stripe-mock',
    label: 'stripe-mock',
    cacheDir,
    log,
  });
}

/**
 * Starts stripe-mock over plain HTTP on 127.0.0.1 (a free port unless given) and resolves once an authenticated
 * request answers 200 (the embedded spec takes a moment to load).
 */
export async function startStripeMock({ stripeMockPath, port, logFile, startTimeoutMs = 30_000 } = {}) {
  const binary = stripeMockPath ?? (await ensureStripeMock());
  const baseDir = logFile ? undefined : await makeTempDir('stripe-mock-');
  const log = logFile ?? join(baseDir, 'stripe-mock.log');
  const httpPort = await resolvePort(port);

  // -http-addr does not switch off its default HTTPS listener on :12112 (only -http-port does, but that binds every
  // interface), so a second server would die on that port: HTTPS goes to a loopback port the kernel picks, unused.
  const daemon = await startDaemon(binary, ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', '127.0.0.1:'], {
    logFile: log,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitUntil(
      async () => {
        const response = await fetch(`${url}/v1/payment_intents/pi_ready`, {
          headers: { authorization: `Bearer ${STRIPE_MOCK_API_KEY}` },
          signal: AbortSignal.timeout(2000),
        });
        return response.ok;
      },
      { timeoutMs: startTimeoutMs, what: 'stripe-mock', daemon },
    );
  } catch (error) {
    await daemon.stop();
    throw error;
  }

  return {
    url,
    apiKey: STRIPE_MOCK_API_KEY,
    pid: daemon.pid,
    logFile: log,
    stop: async () => {
      await daemon.stop();
      if (baseDir) await rm(baseDir, { recursive: true, force: true });
    },
  };
}
