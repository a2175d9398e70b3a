#!/usr/bin/env node
// Test entry point (`npm test` builds, then runs this). Starts the real infrastructure ONCE — Temporal dev server,
// PostgreSQL, MinIO, Mailpit (SMTP), stripe-mock — hands its coordinates to every test process through env vars, runs
// all compiled `dist/test/**/*.test.js` files with `node --test`, and tears everything down however the run ends.
//
//   node scripts/test.mjs                 all tests
//   node scripts/test.mjs storage e2e     only files whose repo-relative path contains "storage" or "e2e"
//
// Env knobs: TEST_CONCURRENCY (default 2 files at once; `*-load.e2e.test.js` files run afterwards, alone), TEST_TIMEOUT_MS (per test, default 15 min), CI (any
// infra failure is fatal; locally it is a warning and TEST_*_UNAVAILABLE tells the affected tests to skip).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { repoRoot } from './infra/common.mjs';
import { startMailpit } from './infra/mailpit.mjs';
import { startMinio } from './infra/minio.mjs';
import { startPostgres } from './infra/postgres.mjs';
import { startStripeMock } from './infra/stripe-mock.mjs';
import { ensureTemporalCli, startTemporalDevServer } from './infra/temporal.mjs';

const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);
const testTimeoutMs = Number(process.env.TEST_TIMEOUT_MS ?? 15 * 60_000);
const logDir = join(repoRoot, '.data', 'test-logs');
const DEFAULT_SEARCH_ATTRIBUTES = { JobId: 'Keyword', UserId: 'Keyword', JobType: 'Keyword', JobStatus: 'Keyword' };

const say = (message) => process.stderr.write(`[test] ${message}\n`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Workspace folders from the root package.json (`dir/*` patterns expanded one level). */
function workspaceDirs() {
  const { workspaces = [] } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of workspaces) {
    if (!pattern.endsWith('/*')) {
      dirs.push(join(repoRoot, pattern));
      continue;
    }
    const parent = join(repoRoot, pattern.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules') dirs.push(join(parent, entry.name));
    }
  }
  return dirs.filter((dir) => existsSync(dir));
}

async function collectTestFiles() {
  const files = [];
  for (const workspace of workspaceDirs()) {
    const distTest = join(workspace, 'dist', 'test');
    if (!existsSync(distTest)) continue;
    for (const entry of await readdir(distTest, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.test.js')) continue;
      const file = join(entry.parentPath ?? entry.path, entry.name);
      if (file.split(sep).includes('node_modules')) continue;
      // tsc -b never deletes outputs, so a compiled test whose source was removed would still run: skip it.
      const source = join(workspace, relative(join(workspace, 'dist'), file)).replace(/\.js$/, '');
      if (!existsSync(`${source}.ts`) && !existsSync(`${source}.tsx`)) continue;
      files.push(file);
    }
  }
  files.sort();
  return filters.length === 0
    ? files
    : files.filter((file) => filters.some((filter) => relative(repoRoot, file).includes(filter)));
}

function searchAttributes() {
  const file = join(repoRoot, 'temporal-config', 'search-attributes.json');
  if (!existsSync(file)) return DEFAULT_SEARCH_ATTRIBUTES;
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} must be an object like { "JobId": "Keyword" }`);
  }
  return parsed;
}

/** Every server started so far, so teardown also works after a partial startup. */
const running = [];
let tearingDown;
function teardown() {
  tearingDown ??= (async () => {
    const started = Date.now();
    const results = await Promise.allSettled(running.map((service) => service.stop()));
    for (const [index, result] of results.entries()) {
      if (result.status === 'rejected') say(`stopping ${running[index]?.name} failed: ${result.reason}`);
    }
    if (running.length > 0) say(`infra stopped in ${seconds(started)}`);
  })();
  return tearingDown;
}

const services = {
  temporal: async (env) => {
    const cliPath = await ensureTemporalCli();
    const server = await startTemporalDevServer({
      cliPath,
      namespace: 'default',
      searchAttributes: searchAttributes(),
      logFile: join(logDir, 'temporal.log'),
    });
    running.push({ name: 'temporal', stop: server.stop });
    Object.assign(env, {
      TEMPORAL_TEST_ADDRESS: server.address,
      TEMPORAL_TEST_NAMESPACE: server.namespace,
      TEST_TEMPORAL_CLI: cliPath,
      // The admin pages link each job to its run in this UI (as TEMPORAL_UI_PUBLIC_URL).
      ...(server.uiUrl ? { TEST_TEMPORAL_UI_URL: server.uiUrl } : {}),
    });
    return `${server.address} (UI ${server.uiUrl})`;
  },
  postgres: async (env) => {
    const server = await startPostgres({ database: 'voice_test', logFile: join(logDir, 'postgres.log') });
    running.push({ name: 'postgres', stop: server.stop });
    env.TEST_DATABASE_URL = server.url;
    return server.url;
  },
  minio: async (env) => {
    const server = await startMinio({ logFile: join(logDir, 'minio.log') });
    running.push({ name: 'minio', stop: server.stop });
    Object.assign(env, {
      TEST_S3_ENDPOINT: server.endpoint,
      TEST_S3_REGION: server.region,
      TEST_S3_ACCESS_KEY: server.accessKey,
      TEST_S3_SECRET_KEY: server.secretKey,
      // Buckets are per test file: the prefix plus the file's own suffix.
      TEST_S3_BUCKET_PREFIX: 'voice-test-',
    });
    return server.endpoint;
  },
  mailpit: async (env) => {
    const server = await startMailpit({ logFile: join(logDir, 'mailpit.log') });
    running.push({ name: 'mailpit', stop: server.stop });
    Object.assign(env, {
      // Shared by every test file: tests find their mails by unique recipient (Mailpit's `to:` search).
      TEST_SMTP_URL: server.smtpUrl,
      TEST_MAILPIT_API: server.apiUrl,
    });
    return `${server.smtpUrl} (API ${server.apiUrl})`;
  },
  stripeMock: async (env) => {
    const server = await startStripeMock({ logFile: join(logDir, 'stripe-mock.log') });
    running.push({ name: 'stripe-mock', stop: server.stop });
    // Stateless, so one server serves every test file; the key it accepts is STRIPE_MOCK_API_KEY (sk_test_…).
    env.TEST_STRIPE_API_BASE = server.url;
    return server.url;
  },
};
const unavailableVar = {
  temporal: 'TEMPORAL_TEST_UNAVAILABLE',
  postgres: 'TEST_DATABASE_UNAVAILABLE',
  minio: 'TEST_S3_UNAVAILABLE',
  mailpit: 'TEST_SMTP_UNAVAILABLE',
  stripeMock: 'TEST_STRIPE_UNAVAILABLE',
};

let testRunner;
let exitSignal;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (exitSignal || !testRunner) {
      // Second signal, or still starting infra: exit now; common.mjs SIGKILLs every live server on exit.
      process.exit(130);
    }
    exitSignal = signal;
    say(`${signal}: stopping tests, then infra…`);
    testRunner.kill(signal);
  });
}

/**
 * The web app's component tests (Vitest + Testing Library on jsdom, no browser and no infra), run first: they
 * take seconds. Selected like the other files, by `apps/web` in a filter; the browser suite is under tests/.
 */
async function runWebComponentTests() {
  const webDir = join(repoRoot, 'apps', 'web');
  if (!existsSync(join(webDir, 'vitest.config.ts'))) return 0;
  if (
    filters.length > 0 &&
    !filters.some((filter) => 'apps/web/test'.includes(filter) || filter.startsWith('apps/web'))
  ) {
    return 0;
  }
  const started = Date.now();
  say('web component tests (vitest)…');
  const vitest = spawn(join(repoRoot, 'node_modules', '.bin', 'vitest'), ['run'], { stdio: 'inherit', cwd: webDir });
  const code = await new Promise((resolveExit) => {
    vitest.once('error', (error) => {
      say(`could not start vitest: ${error.message}`);
      resolveExit(1);
    });
    vitest.once('exit', (exitCode) => resolveExit(exitCode ?? 1));
  });
  say(`web component tests finished in ${seconds(started)} with exit code ${code}`);
  return code;
}

async function main() {
  const webCode = await runWebComponentTests();
  const code = await runNodeTests();
  return webCode !== 0 && code === 0 ? webCode : code;
}

async function runNodeTests() {
  const files = await collectTestFiles();
  if (files.length === 0) {
    if (filters.length > 0 && filters.some((filter) => filter.startsWith('apps/web'))) return 0;
    say(
      filters.length > 0
        ? `no compiled test file matches ${filters.map((f) => JSON.stringify(f)).join(' or ')} (did you build?)`
        : 'no compiled test files found under */dist/test (did you build?)',
    );
    return 1;
  }
  say(
    `${files.length} test file(s); starting Temporal, PostgreSQL, MinIO, Mailpit and stripe-mock${inCi ? ' (CI: all required)' : ''}…`,
  );

  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const env = {
    ...process.env,
    // The AWS SDK warns once per process about Node 20 support ending; it is noise in every test file's output.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const name of Object.values(unavailableVar)) delete env[name];

  const infraStarted = Date.now();
  const names = Object.keys(services);
  const results = await Promise.allSettled(names.map((name) => services[name](env)));
  let fatal = false;
  for (const [index, result] of results.entries()) {
    const name = names[index];
    if (result.status === 'fulfilled') {
      say(`${name}: ${result.value}`);
      continue;
    }
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    if (inCi) {
      fatal = true;
      say(`${name} FAILED (fatal in CI): ${reason}`);
    } else {
      env[unavailableVar[name]] = reason.split('\n')[0];
      say(`WARNING: ${name} unavailable, tests that need it will skip: ${reason}`);
    }
  }
  if (fatal) return 1;
  say(`infra ready in ${seconds(infraStarted)}; logs in ${relative(process.cwd(), logDir) || '.'}`);

  // Timing-sensitive files (`*-load.e2e.test.js`: latency budgets under load they make themselves) run after the
  // rest, one at a time, so another file's CPU use cannot fail them; everything else runs `concurrency` at once.
  const alone = files.filter((file) => file.endsWith('-load.e2e.test.js'));
  const together = files.filter((file) => !alone.includes(file));
  const testsStarted = Date.now();
  let code = 0;
  for (const [batch, batchConcurrency] of [
    [together, concurrency],
    [alone, 1],
  ]) {
    if (batch.length === 0 || exitSignal) continue;
    const batchCode = await runNodeTestProcess(batch, batchConcurrency, env);
    if (code === 0) code = batchCode;
  }
  say(`tests finished in ${seconds(testsStarted)} with exit code ${code}`);
  return exitSignal ? 130 : code;
}

/** One `node --test` run over `batch`; resolves with its exit code. */
function runNodeTestProcess(batch, batchConcurrency, env) {
  const args = [
    '--test',
    `--test-concurrency=${batchConcurrency}`,
    `--test-timeout=${testTimeoutMs}`,
    '--test-reporter=spec',
    ...batch,
  ];
  testRunner = spawn(process.execPath, args, { stdio: 'inherit', env, cwd: repoRoot });
  return new Promise((resolveExit) => {
    testRunner.once('error', (error) => {
      say(`could not start node --test: ${error.message}`);
      resolveExit(1);
    });
    testRunner.once('exit', (exitCode) => resolveExit(exitCode ?? 1));
  });
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  say(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await teardown();
}
process.exit(exitCode);
