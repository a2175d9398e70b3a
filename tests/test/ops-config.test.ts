import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { envSchema } from '@voice/config';
import { VoiceMetrics } from '@voice/metrics';

// resolution-mode: a CommonJS file may only type-import an ES module when it says it will load it with import().
type DebianModule = typeof import('../../scripts/infra/debian.mjs', { with: { 'resolution-mode': 'import' } });

/**
 * The operations files as CI can check them without Docker: Prometheus config and alert rules through promtool
 * (with unit tests of the alerts), the Grafana dashboards' queries, the NGINX gateway under a real nginx, the
 * compose files against the Compose Specification schema, and the Temporal namespace script against the dev server.
 */

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';
const repoFile = (relativePath: string): string => path.join(repoRoot, relativePath);
const readRepoFile = (relativePath: string): string => readFileSync(repoFile(relativePath), 'utf8');

/**
 * Every metric the platform registers, with its type, read from a real registry of @voice/metrics with each
 * scrape-time gauge observed once: the dashboards and alerts may use only what the code exports.
 */
async function platformMetricTypes(): Promise<Record<string, 'counter' | 'gauge' | 'histogram'>> {
  const metrics = new VoiceMetrics({ defaultMetrics: false });
  metrics.observeTaskQueues(async () => [{ taskQueue: 'voice-gpu', backlog: 0, backlogAgeSeconds: 0, pollers: 1 }]);
  metrics.observeHeldCredits(async () => ({ held: 0, oldestAgeSeconds: 0 }));
  metrics.observeWorkerSlots({ taskQueue: 'voice-gpu', total: 1, used: () => 0 });
  const types: Record<string, 'counter' | 'gauge' | 'histogram'> = {};
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'counter' || type === 'gauge' || type === 'histogram') types[metric.name] = type;
  }
  return types;
}
/** prom-client's default metrics that the dashboards use, and Prometheus's own `up`. */
const DEFAULT_METRICS = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'up',
];
/** Temporal SDK core metrics all carry this prefix (served on TEMPORAL_METRICS_PORT). */
const TEMPORAL_SDK_PREFIX = 'temporal_';
const CONTRACT_ALERTS = [
  'VoiceJobFailureRateHigh',
  'VoiceQueueBacklogOld',
  'VoiceGpuWorkerNoPollers',
  'VoiceApiLatencyHigh',
  'VoiceCreditsHeldTooLong',
];
const CONTRACT_SCRAPE_JOBS = ['voice-api', 'voice-worker', 'voice-gpu-worker', 'temporal-sdk'];

const allowedMetricNames = new Set<string>(DEFAULT_METRICS);
before(async () => {
  for (const [name, type] of Object.entries(await platformMetricTypes())) {
    for (const series of type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name]) {
      allowedMetricNames.add(series);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Small helpers: narrowing parsed YAML/JSON, running tools.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function record(value: unknown, what: string): Record<string, unknown> {
  assert.ok(isRecord(value), `${what} is a mapping`);
  return value;
}
function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is a list`);
  return value;
}
function text(value: unknown, what: string): string {
  assert.equal(typeof value, 'string', `${what} is a string`);
  return value as string;
}
function yamlFile(relativePath: string): Record<string, unknown> {
  // merge: YAML 1.1 `<<: *anchor` keys, which docker-compose.yml uses for the shared app environment.
  return record(parseYaml(readRepoFile(relativePath), { merge: true }), relativePath);
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function assertSucceeded(result: RunResult, what: string): void {
  assert.equal(result.code, 0, `${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

let debian: Promise<DebianModule> | undefined;
function debianTools(): Promise<DebianModule> {
  debian ??= import(pathToFileURL(repoFile('scripts/infra/debian.mjs')).href) as Promise<DebianModule>;
  return debian;
}

/** A Debian tool, or a skip outside CI when it is missing (CI installs it as root through scripts/infra). */
async function requireTool<T>(t: TestContext, find: (tools: DebianModule) => Promise<T>): Promise<T | undefined> {
  try {
    return await find(await debianTools());
  } catch (error) {
    if (inCi) throw error;
    t.skip(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/**
 * Metric names in a PromQL expression: every identifier that is not a function, keyword, label or duration.
 * Strings, label matchers, range selectors and `by (...)`-style label lists are removed first.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const keywords = new Set(['by', 'without', 'on', 'ignoring', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const start = match.index;
    const previous = stripped[start - 1] ?? ' ';
    if (/[0-9.$]/.test(previous)) continue; // 1e3's "e3", Grafana's $__vars
    if (/^\s*\(/.test(stripped.slice(start + name.length))) continue; // a function call
    if (keywords.has(name.toLowerCase())) continue;
    names.push(name);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// The compose files, parsed, interpolated and merged the way `docker compose -f a -f b config` would.

interface EnvExample {
  values: Map<string, string>;
  composeSection: Set<string>;
}

function readEnvExample(): EnvExample {
  const values = new Map<string, string>();
  const composeSection = new Set<string>();
  let inComposeSection = false;
  for (const line of readRepoFile('.env.example').split('\n')) {
    if (line.startsWith('# ---')) inComposeSection = line.startsWith('# --- docker-compose only');
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match?.[1]) continue;
    // Compose's .env parser drops an unquoted value's trailing ` # comment`.
    values.set(match[1], (match[2] ?? '').replace(/\s+#.*$/, '').trim());
    if (inComposeSection) composeSection.add(match[1]);
  }
  return { values, composeSection };
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$VAR`; `$$` is a literal `$`. */
const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function interpolatedNames(value: unknown): string[] {
  if (typeof value === 'string') {
    return [...value.matchAll(INTERPOLATION)].flatMap((match) => {
      const name = match[1] ?? match[4];
      return name ? [name] : [];
    });
  }
  if (Array.isArray(value)) return value.flatMap(interpolatedNames);
  if (isRecord(value)) return Object.values(value).flatMap(interpolatedNames);
  return [];
}

function interpolate(value: unknown, env: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      INTERPOLATION,
      (whole, braced?: string, operator?: string, argument?: string, bare?: string) => {
        if (whole === '$$') return '$';
        const name = (braced ?? bare) as string;
        const current = env.get(name);
        const unset = current === undefined || (operator?.startsWith(':') === true && current === '');
        if (operator?.endsWith('?') && unset) throw new Error(`required variable ${name} is unset: ${argument}`);
        if (operator?.endsWith('-') && unset) return argument ?? '';
        return current ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

/** Compose's merge for what these files need: mappings merge key by key, anything else is replaced by the override. */
function mergeCompose(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override))
    merged[key] = key in base ? mergeCompose(base[key], value) : value;
  return merged;
}

function services(compose: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const all = record(compose.services, 'services');
  return Object.fromEntries(Object.entries(all).map(([name, service]) => [name, record(service, `service ${name}`)]));
}

/** A service's environment as a plain mapping (the list form `KEY=value` converted). */
function environment(service: Record<string, unknown>): Record<string, unknown> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => String(entry).split(/=(.*)/s).slice(0, 2)));
  }
  return env === undefined ? {} : record(env, 'environment');
}

interface Mount {
  source: string;
  target: string;
}

/** Short (`src:dst[:mode]`) and long (`{ type, source, target }`) volume entries. */
function mounts(service: Record<string, unknown>): Mount[] {
  return (Array.isArray(service.volumes) ? service.volumes : []).map((entry) => {
    if (typeof entry === 'string') {
      const [source = '', target = ''] = entry.split(':');
      return { source, target };
    }
    const long = record(entry, 'volume');
    return { source: text(long.source, 'volume source'), target: text(long.target, 'volume target') };
  });
}

const isBindSource = (source: string): boolean => /^(\.{1,2}\/|\/)/.test(source);

function composeEnv(): Map<string, string> {
  // Every variable .env.example lists, with a stand-in for the secrets it leaves empty (compose requires them).
  const env = new Map<string, string>();
  for (const [key, value] of readEnvExample().values) env.set(key, value === '' ? `test-${key.toLowerCase()}` : value);
  // These two keep their `:-` defaults in compose when empty, which is what a copied .env.example gives.
  for (const key of ['PUBLIC_BASE_URL', 'TEMPORAL_UI_PUBLIC_URL']) env.set(key, '');
  return env;
}

function loadComposeFiles(): {
  base: Record<string, unknown>;
  gpu: Record<string, unknown>;
  merged: Record<string, unknown>;
} {
  const env = composeEnv();
  const base = record(interpolate(yamlFile('docker-compose.yml'), env), 'docker-compose.yml');
  const gpu = record(interpolate(yamlFile('docker-compose.gpu.yml'), env), 'docker-compose.gpu.yml');
  return { base, gpu, merged: record(mergeCompose(base, gpu), 'merged compose') };
}

// ---------------------------------------------------------------------------------------------------------------

describe('Prometheus config and alert rules (promtool)', () => {
  test('prometheus.yml is a valid config and loads the alert rules file', async (t) => {
    const tools = await requireTool(t, (d) => d.ensurePrometheus());
    if (!tools) return;
    const result = await run(tools.promtool, ['check', 'config', repoFile('ops/prometheus/prometheus.yml')]);
    assertSucceeded(result, 'promtool check config');
    assert.match(result.stdout + result.stderr, /1 rule files found/);
  });

  test('alerts.yml has the five contract alerts, each with for:, a severity, a summary and a description', async (t) => {
    const rules = list(yamlFile('ops/prometheus/alerts.yml').groups, 'groups').flatMap((group) =>
      list(record(group, 'group').rules, 'rules').map((rule) => record(rule, 'rule')),
    );
    assert.deepEqual(rules.map((rule) => rule.alert).sort(), [...CONTRACT_ALERTS].sort());
    for (const rule of rules) {
      const name = text(rule.alert, 'alert');
      assert.match(text(rule.for, `${name} for`), /^\d+[smh]$/, `${name} waits before firing`);
      assert.ok(['warning', 'critical'].includes(text(record(rule.labels, `${name} labels`).severity, 'severity')));
      const annotations = record(rule.annotations, `${name} annotations`);
      assert.ok(text(annotations.summary, `${name} summary`).length > 10);
      assert.ok(text(annotations.description, `${name} description`).length > 40);
      const metrics = metricNames(text(rule.expr, `${name} expr`));
      assert.ok(metrics.length > 0, `${name} reads a metric`);
      for (const metric of metrics)
        assert.ok(allowedMetricNames.has(metric), `${name} uses ${metric}, not in the contract`);
    }

    const tools = await requireTool(t, (d) => d.ensurePrometheus());
    if (!tools) return;
    const result = await run(tools.promtool, ['check', 'rules', repoFile('ops/prometheus/alerts.yml')]);
    assertSucceeded(result, 'promtool check rules');
    assert.match(result.stdout, /SUCCESS: 5 rules found/);
  });

  test('the promtool unit tests pass and show every alert both firing and quiet', async (t) => {
    const testsDir = repoFile('ops/prometheus/tests');
    const files = readdirSync(testsDir).filter((name) => name.endsWith('.yml'));
    assert.ok(files.length > 0, 'ops/prometheus/tests has rule tests');
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of files) {
      for (const testCase of list(yamlFile(`ops/prometheus/tests/${file}`).tests, `${file} tests`)) {
        for (const check of list(record(testCase, 'test').alert_rule_test, 'alert_rule_test')) {
          const { alertname, exp_alerts: expected } = record(check, 'alert_rule_test entry');
          (list(expected, 'exp_alerts').length > 0 ? firing : quiet).add(text(alertname, 'alertname'));
        }
      }
    }
    assert.deepEqual([...firing].sort(), [...CONTRACT_ALERTS].sort(), 'every alert has a firing case');
    assert.deepEqual([...quiet].sort(), [...CONTRACT_ALERTS].sort(), 'every alert has a quiet case');

    const tools = await requireTool(t, (d) => d.ensurePrometheus());
    if (!tools) return;
    // promtool resolves rule_files relative to each test file.
    const result = await run(tools.promtool, ['test', 'rules', ...files], { cwd: testsDir });
    assertSucceeded(result, 'promtool test rules');
    assert.match(result.stdout, /SUCCESS/);
  });

  test("the scrape jobs are the contract's, on compose service names and the ports compose gives them", () => {
    const config = yamlFile('ops/prometheus/prometheus.yml');
    const compose = services(loadComposeFiles().merged);
    const jobs = new Map(
      list(config.scrape_configs, 'scrape_configs').map((job) => {
        const entry = record(job, 'scrape config');
        return [text(entry.job_name, 'job_name'), entry] as const;
      }),
    );
    for (const name of CONTRACT_SCRAPE_JOBS) assert.ok(jobs.has(name), `scrape job ${name}`);

    for (const [jobName, job] of jobs) {
      const targets: Array<{ host: string; port: number }> = [];
      for (const sd of Array.isArray(job.dns_sd_configs) ? job.dns_sd_configs : []) {
        const dns = record(sd, `${jobName} dns_sd_config`);
        for (const host of list(dns.names, `${jobName} names`))
          targets.push({ host: text(host, 'name'), port: Number(dns.port) });
      }
      for (const sc of Array.isArray(job.static_configs) ? job.static_configs : []) {
        for (const target of list(record(sc, 'static_config').targets, `${jobName} targets`)) {
          const [host = '', port = ''] = text(target, 'target').split(':');
          targets.push({ host, port: Number(port) });
        }
      }
      assert.ok(targets.length > 0, `${jobName} has targets`);
      for (const { host, port } of targets) {
        const service = compose[host];
        assert.ok(service, `${jobName} scrapes ${host}, a compose service`);
        const env = environment(service);
        if (jobName.startsWith('voice-')) assert.equal(Number(env.METRICS_PORT), port, `${host} METRICS_PORT`);
        if (jobName === 'temporal-sdk')
          assert.equal(Number(env.TEMPORAL_METRICS_PORT), port, `${host} TEMPORAL_METRICS_PORT`);
        if (jobName === 'temporal-server')
          assert.equal(text(env.PROMETHEUS_ENDPOINT, 'PROMETHEUS_ENDPOINT'), `0.0.0.0:${port}`);
      }
    }
    const rulesFile = text(list(config.rule_files, 'rule_files')[0], 'rule file');
    assert.ok(existsSync(repoFile(path.join('ops/prometheus', rulesFile))));
  });
});

// ---------------------------------------------------------------------------------------------------------------

interface DashboardTarget {
  dashboard: string;
  panel: string;
  expr: string;
}

function dashboards(): Array<{ file: string; json: Record<string, unknown> }> {
  const dir = repoFile('ops/grafana/dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, json: record(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), file) }));
}

function dashboardTargets(): DashboardTarget[] {
  return dashboards().flatMap(({ file, json }) =>
    list(json.panels, `${file} panels`).flatMap((panel) => {
      const p = record(panel, `${file} panel`);
      return (Array.isArray(p.targets) ? p.targets : []).map((target) => ({
        dashboard: file,
        panel: text(p.title, 'panel title'),
        expr: text(record(target, 'target').expr, 'expr'),
      }));
    }),
  );
}

describe('Grafana dashboards (provisioned JSON)', () => {
  test('the metric-name extractor reads PromQL the way the checks below rely on', () => {
    assert.deepEqual(
      metricNames(
        'sum by (le, route) (rate(a_bucket{route!~"/x|/y",le="+Inf"}[$__rate_interval])) / on(job) b_total > 1e3',
      ),
      ['a_bucket', 'b_total'],
    );
    assert.deepEqual(metricNames('histogram_quantile(0.99, sum(rate(c_bucket[5m])) by (le)) and up offset 5m'), [
      'c_bucket',
      'up',
    ]);
  });

  test('every dashboard is Grafana dashboard JSON on the provisioned Prometheus datasource', () => {
    const datasources = list(
      yamlFile('ops/grafana/provisioning/datasources/prometheus.yml').datasources,
      'datasources',
    );
    const datasource = record(datasources[0], 'datasource');
    assert.equal(datasource.type, 'prometheus');
    const uid = text(datasource.uid, 'datasource uid');
    const provider = record(
      list(yamlFile('ops/grafana/provisioning/dashboards/dashboards.yml').providers, 'providers')[0],
      'provider',
    );
    const dashboardsPath = text(record(provider.options, 'provider options').path, 'provider path');

    // Grafana in compose mounts the files where the provider looks, and the datasource URL names the Prometheus service.
    const compose = services(loadComposeFiles().merged);
    const grafana = compose.grafana;
    assert.ok(grafana, 'compose has grafana');
    assert.ok(mounts(grafana).some((m) => m.source === './ops/grafana/dashboards' && m.target === dashboardsPath));
    assert.ok(
      mounts(grafana).some(
        (m) => m.source === './ops/grafana/provisioning' && m.target === '/etc/grafana/provisioning',
      ),
    );
    assert.ok(compose[new URL(text(datasource.url, 'datasource url')).hostname], 'datasource URL is a compose service');

    const found = dashboards();
    assert.deepEqual(found.map((d) => d.file).sort(), ['jobs.json', 'money.json', 'overview.json']);
    const uids = new Set<string>();
    for (const { file, json } of found) {
      const dashboardUid = text(json.uid, `${file} uid`);
      assert.ok(!uids.has(dashboardUid), `${file} uid is unique`);
      uids.add(dashboardUid);
      assert.ok(text(json.title, `${file} title`).length > 0);
      assert.equal(typeof json.schemaVersion, 'number', `${file} schemaVersion`);
      assert.ok(Number(json.schemaVersion) >= 36, `${file} uses the current panel model (no Angular panels)`);
      const panels = list(json.panels, `${file} panels`).map((panel) => record(panel, `${file} panel`));
      const ids = new Set<unknown>();
      const cells = new Set<string>();
      for (const panel of panels) {
        const title = text(panel.title, `${file} panel title`);
        assert.ok(!ids.has(panel.id), `${file}: panel ids are unique`);
        ids.add(panel.id);
        const grid = record(panel.gridPos, `${title} gridPos`);
        const [x, y, w, h] = [grid.x, grid.y, grid.w, grid.h].map(Number) as [number, number, number, number];
        assert.ok(w > 0 && h > 0 && x >= 0 && x + w <= 24, `${file} "${title}" fits the 24-column grid`);
        for (let col = x; col < x + w; col++) {
          for (let row = y; row < y + h; row++) {
            assert.ok(!cells.has(`${col},${row}`), `${file} "${title}" overlaps another panel`);
            cells.add(`${col},${row}`);
          }
        }
        if (panel.type === 'row') continue;
        assert.ok(['timeseries', 'stat'].includes(text(panel.type, 'type')), `${file} "${title}" is a core panel type`);
        assert.equal(record(panel.datasource, `${title} datasource`).uid, uid);
        const targets = list(panel.targets, `${title} targets`).map((target) => record(target, 'target'));
        assert.ok(targets.length > 0, `${file} "${title}" has a query`);
        assert.equal(new Set(targets.map((target) => target.refId)).size, targets.length, `${title} refIds are unique`);
        for (const target of targets) assert.equal(record(target.datasource, 'target datasource').uid, uid);
      }
    }
  });

  test("panel queries use only the contract's metric names, and each dashboard shows what the issue asks for", () => {
    const used = new Map<string, Set<string>>();
    for (const { dashboard, panel, expr } of dashboardTargets()) {
      const names = metricNames(expr);
      assert.ok(names.length > 0, `${dashboard} "${panel}" reads a metric`);
      for (const name of names) {
        assert.ok(
          allowedMetricNames.has(name) || name.startsWith(TEMPORAL_SDK_PREFIX),
          `${dashboard} "${panel}" uses ${name}, which is not in the metrics contract`,
        );
        used.set(dashboard, (used.get(dashboard) ?? new Set()).add(name));
      }
    }
    const expect = (dashboard: string, names: string[]): void => {
      for (const name of names) assert.ok(used.get(dashboard)?.has(name), `${dashboard} shows ${name}`);
    };
    // overview: rps, error rate, p99. jobs: throughput, failures, duration by step and model, backlog. money: credits
    // held and charged, payments.
    expect('overview.json', ['voice_http_requests_total', 'voice_http_request_duration_seconds_bucket']);
    expect('jobs.json', [
      'voice_jobs_finished_total',
      'voice_jobs_submitted_total',
      'voice_step_duration_seconds_bucket',
      'voice_task_queue_backlog',
    ]);
    expect('money.json', ['voice_credits_held', 'voice_credits_charged_total', 'voice_payments_total']);
  });

  test('every panel query is valid PromQL (promtool checks them as recording rules)', async (t) => {
    const tools = await requireTool(t, (d) => d.ensurePrometheus());
    if (!tools) return;
    const targets = dashboardTargets();
    const rules = targets.map((target, index) => ({
      record: `dashboard:${path.basename(target.dashboard, '.json')}:query_${index}`,
      // Grafana's interval variables become fixed durations; everything else is the query as written.
      expr: target.expr
        .replaceAll('$__rate_interval', '1m')
        .replaceAll('$__interval', '1m')
        .replaceAll('$__range', '1h'),
    }));
    const dir = await mkdtemp(path.join(tmpdir(), 'voice-dashboards-'));
    try {
      const file = path.join(dir, 'dashboard-queries.yml');
      await writeFile(file, stringifyYaml({ groups: [{ name: 'dashboards', rules }] }));
      const result = await run(tools.promtool, ['check', 'rules', file]);
      assertSucceeded(result, 'promtool check rules on the dashboard queries');
      assert.match(result.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * Stands in for the API behind the gateway: records what arrives, and holds streams open until told to finish, so
 * a test can tell whether NGINX passed a chunk on at once or sat on it.
 */
class FakeApi {
  readonly seen: SeenRequest[] = [];
  private readonly openStreams = new Set<http.ServerResponse>();
  private readonly uploadChunks: Array<(chunk: string) => void> = [];
  private readonly server = http.createServer((request, response) => this.handle(request, response));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    assert.ok(address && typeof address === 'object');
    this.port = address.port;
  }

  /** The next upload chunk the API receives. */
  nextUploadChunk(): Promise<string> {
    return new Promise((resolve) => this.uploadChunks.push(resolve));
  }

  finishStreams(): void {
    for (const response of this.openStreams) response.end('data: last\n\n');
    this.openStreams.clear();
  }

  async stop(): Promise<void> {
    this.finishStreams();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const url = request.url ?? '';
    if (url === '/api/jobs/job-1/events' || url === '/v1/audio/speech') {
      // No X-Accel-Buffering header on purpose: the gateway's own config must switch buffering off.
      response.writeHead(200, { 'content-type': url.startsWith('/v1') ? 'audio/mpeg' : 'text/event-stream' });
      response.write('data: first\n\n');
      this.openStreams.add(response);
      return;
    }
    if (url === '/api/audio/denoise') {
      let received = 0;
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        received += chunk.length;
        this.uploadChunks.shift()?.(chunk);
      });
      request.on('end', () =>
        response.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ received })),
      );
      return;
    }
    if (url === '/api/voices/upload') {
      // As the API does past MAX_UPLOAD_BYTES: its own JSON 413 before reading the body.
      response.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify({ code: 'payload_too_large' }));
      request.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  }
}

interface GatewayResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('NGINX api-gateway (ops/nginx/gateway.conf under a real nginx)', () => {
  const api = new FakeApi();
  let dir = '';
  let nginxPath: string | undefined;
  let nginxConf = '';
  let nginx: ChildProcess | undefined;
  let httpPort = 0;
  let httpsPort = 0;
  let unavailable: string | undefined;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: false });
  const gateway = readRepoFile('ops/nginx/gateway.conf');

  const prefixArgs = (): string[] => ['-c', nginxConf, '-p', `${dir}/`, '-e', path.join(dir, 'error.log')];

  before(async () => {
    let openssl: string;
    try {
      const tools = await debianTools();
      nginxPath = await tools.ensureNginx();
      // node:crypto cannot write X.509 certificates; the openssl CLI (Debian `openssl`) can.
      openssl = await tools.ensureDebianTool({ binary: 'openssl', pkg: 'openssl' });
    } catch (error) {
      if (inCi) throw error;
      unavailable = error instanceof Error ? error.message : String(error);
      return;
    }
    dir = await mkdtemp(path.join(tmpdir(), 'voice-gateway-'));
    // As root, NGINX's workers run as nobody and must reach the temp paths below.
    await chmod(dir, 0o755);
    const certs = path.join(dir, 'certs');
    await mkdir(certs);
    // A throwaway self-signed pair, valid for two days (P-256: generated in milliseconds, unlike RSA).
    const certificate = await run(openssl, [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
      ...['-subj', '/CN=localhost', '-keyout', path.join(certs, 'tls.key'), '-out', path.join(certs, 'tls.crt')],
    ]);
    assertSucceeded(certificate, 'openssl req -x509');
    await api.start();
    [httpPort, httpsPort] = [await freePort(), await freePort()];

    // The only substitutions: the certificate folder, the API's address, and unprivileged loopback ports (so the
    // test also runs as a normal user). Each must match, or the test is no longer testing the shipped file.
    const substitutions: Array<[string, string]> = [
      ['/etc/nginx/certs/', `${certs}/`],
      ['server api:3000 ', `server 127.0.0.1:${api.port} `],
      ['listen 80;', `listen 127.0.0.1:${httpPort};`],
      ['listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`],
    ];
    let config = gateway;
    for (const [from, to] of substitutions) {
      assert.ok(config.includes(from), `gateway.conf contains "${from}"`);
      config = config.replaceAll(from, to);
    }
    await writeFile(path.join(dir, 'gateway.conf'), config);
    nginxConf = path.join(dir, 'nginx.conf');
    // What the nginx image's own nginx.conf provides around conf.d/, with every path inside the temp prefix.
    await writeFile(
      nginxConf,
      [
        `pid ${dir}/nginx.pid;`,
        'worker_processes 1;',
        'events { worker_connections 256; }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
          (kind) => `  ${kind}_temp_path ${dir}/${kind}_temp;`,
        ),
        `  include ${dir}/gateway.conf;`,
        '}',
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    agent.destroy();
    if (nginx?.pid !== undefined && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      await Promise.race([exited, sleep(5000, undefined, { ref: false }).then(() => nginx?.kill('SIGKILL'))]);
    }
    if (api.port) await api.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const request = (
    options: {
      path: string;
      method?: string;
      headers?: http.OutgoingHttpHeaders;
      scheme?: 'http' | 'https';
      /** A connection of its own, for requests whose body is never sent. */
      ownConnection?: boolean;
    },
    body?: (req: http.ClientRequest) => void,
  ): Promise<GatewayResponse> =>
    new Promise((resolve, reject) => {
      const secure = (options.scheme ?? 'https') === 'https';
      const req = (secure ? https : http).request(
        {
          host: '127.0.0.1',
          port: secure ? httpsPort : httpPort,
          path: options.path,
          method: options.method ?? 'GET',
          headers: options.headers,
          ...(secure ? (options.ownConnection ? { agent: false, rejectUnauthorized: false } : { agent }) : {}),
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body) body(req);
      else req.end();
    });

  test('nginx -t accepts gateway.conf', async (t) => {
    if (unavailable || !nginxPath) return t.skip(unavailable);
    const result = await run(nginxPath, ['-t', ...prefixArgs()]);
    assertSucceeded(result, 'nginx -t');
    assert.match(result.stderr, /test is successful/);
  });

  test("serves the API behind TLS with the client's address and scheme, streams unbuffered, limits bodies and rates", async (t) => {
    if (unavailable || !nginxPath) return t.skip(unavailable);
    const logs: string[] = [];
    nginx = spawn(nginxPath, [...prefixArgs(), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stderr?.setEncoding('utf8').on('data', (chunk: string) => logs.push(chunk));
    // Ready when the TLS port accepts connections (bounded: 10 s).
    for (let attempt = 0; ; attempt++) {
      assert.equal(nginx.exitCode, null, `nginx exited: ${logs.join('')}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(httpsPort, '127.0.0.1', () => socket.end(() => resolve(true)));
        socket.on('error', () => resolve(false));
      });
      if (open) break;
      assert.ok(attempt < 100, 'nginx listens within 10 s');
      await sleep(100);
    }

    await t.test('plain HTTP redirects to HTTPS, keeping the path and query', async () => {
      const response = await request({ scheme: 'http', path: '/api/jobs?page=2' });
      assert.equal(response.status, 301);
      assert.equal(response.headers.location, 'https://127.0.0.1/api/jobs?page=2');
    });

    await t.test('proxies to the API with X-Forwarded-For (a forged one replaced), -Proto and Host', async () => {
      const response = await request({
        path: '/api/health',
        headers: { 'x-forwarded-for': '203.0.113.9', host: 'voice.example' },
      });
      assert.equal(response.status, 200);
      const seen = api.seen.at(-1);
      assert.equal(seen?.url, '/api/health');
      assert.equal(seen?.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(seen?.headers['x-forwarded-proto'], 'https');
      assert.equal(seen?.headers.host, 'voice.example');
      assert.match(String(seen?.headers['x-request-id']), /^[0-9a-f]{32}$/);
    });

    for (const streamPath of ['/api/jobs/job-1/events', '/v1/audio/speech']) {
      await t.test(`${streamPath}: each chunk reaches the client while the API's response is still open`, async () => {
        const first = await new Promise<string>((resolve, reject) => {
          const req = https.request(
            {
              host: '127.0.0.1',
              port: httpsPort,
              path: streamPath,
              method: streamPath.startsWith('/v1') ? 'POST' : 'GET',
              agent,
            },
            (res) => {
              res.setEncoding('utf8');
              res.once('data', (chunk: string) => resolve(chunk));
              res.on('end', () => reject(new Error('the stream ended before its first chunk arrived')));
            },
          );
          req.on('error', reject);
          req.end();
          // Buffered, the first chunk would only come with the end: give up after 5 s instead of finishing the stream.
          setTimeout(() => reject(new Error('no chunk within 5 s: the gateway buffers this stream')), 5000).unref();
        });
        assert.equal(first, 'data: first\n\n');
        api.finishStreams();
      });
    }

    await t.test('an upload reaches the API while the client is still sending it', async () => {
      const firstChunk = api.nextUploadChunk();
      let forwardedEarly: string | undefined;
      const response = await request(
        { path: '/api/audio/denoise', method: 'POST', headers: { 'content-type': 'application/octet-stream' } },
        (req) => {
          req.write('part-one|');
          // With request buffering on, NGINX holds the body until it is complete: the API would see nothing for 5 s.
          void Promise.race([firstChunk, sleep(5000, undefined, { ref: false }).then(() => undefined)]).then(
            (chunk) => {
              forwardedEarly = chunk;
              req.end('part-two');
            },
          );
        },
      );
      assert.equal(forwardedEarly, 'part-one|', 'the API had the first part before the client sent the rest');
      assert.equal(response.status, 202);
      assert.deepEqual(JSON.parse(response.body), { received: 'part-one|part-two'.length });
    });

    await t.test(
      "bodies: a file just over MAX_UPLOAD_BYTES gets the API's 413, a far larger body the gateway's",
      async () => {
        const maxUpload = envSchema.shape.MAX_UPLOAD_BYTES.parse(undefined);
        const configured = /client_max_body_size (\d+)m;/.exec(gateway)?.[1];
        assert.ok(configured, 'client_max_body_size is set in MiB');
        const limit = Number(configured) * 2 ** 20;
        // Above the file limit by a little multipart framing, never by more than a few MiB.
        assert.ok(
          limit > maxUpload && limit - maxUpload <= 8 * 2 ** 20,
          `${limit} follows MAX_UPLOAD_BYTES ${maxUpload}`,
        );

        // Only the headers go out: both answers come from the announced Content-Length, before any body is read.
        const announce = (length: number) => ({
          path: '/api/voices/upload',
          method: 'POST',
          headers: { 'content-length': length },
          ownConnection: true,
        });
        const sendHeadersOnly = (req: http.ClientRequest): void => req.flushHeaders();
        const justOver = await request(announce(maxUpload + 1), sendHeadersOnly);
        assert.equal(justOver.status, 413);
        assert.deepEqual(JSON.parse(justOver.body), { code: 'payload_too_large' }, 'the API answered, not NGINX');

        const seenBefore = api.seen.length;
        const farOver = await request(announce(limit + 1), sendHeadersOnly);
        assert.equal(farOver.status, 413);
        assert.match(farOver.body, /<html>/, 'NGINX answered');
        assert.equal(api.seen.length, seenBefore, 'the API never saw it');
      },
    );

    await t.test('a burst from one address beyond the per-IP allowance gets 429s', async () => {
      const zone = /rate=(\d+)r\/s/.exec(gateway)?.[1];
      const burst = /burst=(\d+)/.exec(gateway)?.[1];
      assert.ok(zone && burst);
      // Bounded: 600 requests to loopback, 32 connections at a time.
      const count = 600;
      const started = Date.now();
      const statuses = await Promise.all(
        Array.from({ length: count }, () => request({ path: '/api/ping' }).then((r) => r.status)),
      );
      const seconds = (Date.now() - started) / 1000;
      const refused = statuses.filter((status) => status === 429).length;
      const passed = statuses.filter((status) => status === 200).length;
      assert.equal(refused + passed, count, 'every answer is 200 or 429');
      // The bucket holds `burst` and refills at `rate`: at most that many pass, whatever the machine's speed.
      assert.ok(passed <= Number(burst) + Number(zone) * (seconds + 1), `${passed} passed in ${seconds.toFixed(1)} s`);
      assert.ok(refused > 0, `${count} requests in ${seconds.toFixed(1)} s all passed`);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('docker compose files (what `docker compose config` checks, without Docker)', () => {
  test('docker-compose.yml, alone and with docker-compose.gpu.yml, is valid against the Compose Specification', () => {
    // The official schema (compose-spec/compose-spec schema/compose-spec.json) as the dclint package ships it.
    const schemaPath = path.join(
      path.dirname(require.resolve('dclint/package.json')),
      'schemas',
      'compose.schema.json',
    );
    const { $schema: draft, ...schema } = record(JSON.parse(readFileSync(schemaPath, 'utf8')), 'compose schema');
    // Ajv knows draft-07 by its http:// id; the schema names it with https://.
    assert.match(text(draft, '$schema'), /draft-07/);
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
    const validate = ajv.compile(schema);
    const { base, gpu, merged } = loadComposeFiles();
    for (const [name, file] of [
      ['docker-compose.yml', base],
      ['docker-compose.gpu.yml', gpu],
      ['merged', merged],
    ] as const) {
      assert.ok(validate(file), `${name}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    }
    // The schema itself rejects what compose would: a typo'd key fails.
    assert.equal(validate(mergeCompose(base, { services: { api: { prots: ['1:1'] } } })), false);
  });

  test('every ${VAR} compose interpolates is in .env.example; those the platform does not read, in its compose section', () => {
    const { values, composeSection } = readEnvExample();
    const platformVars = new Set(Object.keys(envSchema.shape));
    const used = new Set([
      ...interpolatedNames(yamlFile('docker-compose.yml')),
      ...interpolatedNames(yamlFile('docker-compose.gpu.yml')),
    ]);
    assert.ok(used.has('GRAFANA_ADMIN_PASSWORD') && used.has('POSTGRES_PASSWORD'), 'the scan finds the variables');
    for (const name of used) {
      assert.ok(values.has(name), `${name} is documented in .env.example`);
      if (!platformVars.has(name)) assert.ok(composeSection.has(name), `${name} is in the docker-compose section`);
    }
    // And a missing required secret stops compose, as `${VAR:?}` does.
    const env = composeEnv();
    env.set('GRAFANA_ADMIN_PASSWORD', '');
    assert.throws(() => interpolate(yamlFile('docker-compose.yml'), env), /GRAFANA_ADMIN_PASSWORD/);
  });

  test('bind mounts exist in the repository, named volumes are declared, depends_on names services', () => {
    const { merged } = loadComposeFiles();
    const all = services(merged);
    const declaredVolumes = new Set(Object.keys(record(merged.volumes ?? {}, 'volumes')));
    for (const [name, service] of Object.entries(all)) {
      for (const { source } of mounts(service)) {
        if (isBindSource(source)) assert.ok(existsSync(repoFile(source)), `${name} mounts ${source}, which exists`);
        else assert.ok(declaredVolumes.has(source), `${name} uses volume ${source}, declared at the top`);
      }
      const dependsOn = service.depends_on;
      const deps = Array.isArray(dependsOn)
        ? dependsOn.map(String)
        : Object.keys(record(dependsOn ?? {}, 'depends_on'));
      for (const dependency of deps) {
        assert.ok(all[dependency], `${name} depends on ${dependency}, a service`);
        const condition = isRecord(dependsOn) ? record(dependsOn[dependency], 'condition').condition : undefined;
        if (condition === 'service_completed_successfully') {
          assert.ok(
            !['always', 'unless-stopped'].includes(String(all[dependency]?.restart)),
            `${dependency} is a one-shot job`,
          );
        }
        if (condition === 'service_healthy') assert.ok(all[dependency]?.healthcheck, `${dependency} has a healthcheck`);
      }
    }
  });

  test('images are pinned, Temporal runs on supported images, and the wiring matches ops/', () => {
    const { merged } = loadComposeFiles();
    const all = services(merged);
    for (const [name, service] of Object.entries(all)) {
      if (service.build !== undefined) continue;
      const image = text(service.image, `${name} image`);
      assert.match(image, /:[^:/]+$/, `${name} pins a tag`);
      assert.doesNotMatch(image, /:latest$/, `${name} does not float on latest`);
    }
    const images = Object.values(all).map((service) => String(service.image));
    assert.ok(
      !images.some((image) => image.startsWith('temporalio/auto-setup')),
      'temporalio/auto-setup is deprecated',
    );
    assert.ok(images.some((image) => image.startsWith('temporalio/server:')));
    assert.ok(images.some((image) => image.startsWith('temporalio/admin-tools:')));

    const gateway = all['api-gateway'];
    assert.ok(gateway && mounts(gateway).some((m) => m.source === './ops/nginx/gateway.conf'));
    assert.ok(
      mounts(gateway).some((m) => m.target === '/etc/nginx/certs'),
      'the certificates come from a volume',
    );
    const prometheus = all.prometheus;
    assert.ok(
      prometheus && mounts(prometheus).some((m) => m.source === './ops/prometheus' && m.target === '/etc/prometheus'),
    );
    assert.ok(list(prometheus.command, 'prometheus command').includes('--config.file=/etc/prometheus/prometheus.yml'));

    const devices = list(
      record(record(record(all['gpu-worker']?.deploy, 'deploy').resources, 'resources').reservations, 'reservations')
        .devices,
      'devices',
    ).map((device) => record(device, 'device'));
    assert.ok(devices.some((d) => d.driver === 'nvidia' && list(d.capabilities, 'capabilities').includes('gpu')));
    assert.equal(
      services(loadComposeFiles().base)['gpu-worker']?.deploy,
      undefined,
      'only the override asks for a GPU',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('Temporal setup scripts (ops/temporal)', () => {
  test('both scripts are valid POSIX sh', async () => {
    for (const script of ['setup-schema.sh', 'setup-namespace.sh']) {
      assertSucceeded(await run('sh', ['-n', repoFile(`ops/temporal/${script}`)]), `sh -n ${script}`);
    }
  });

  test('setup-namespace.sh creates the namespace and search attributes, and a second run changes nothing', async (t) => {
    const address = process.env.TEMPORAL_TEST_ADDRESS;
    const cli = process.env.TEST_TEMPORAL_CLI;
    if (!address || !cli) {
      if (inCi) throw new Error('TEMPORAL_TEST_ADDRESS / TEST_TEMPORAL_CLI are not set: run through scripts/test.mjs');
      return t.skip(process.env.TEMPORAL_TEST_UNAVAILABLE ?? 'no Temporal dev server (run through scripts/test.mjs)');
    }
    // A namespace of its own on the shared dev server, so the first run really creates everything.
    const namespace = `ops-setup-${randomUUID().slice(0, 8)}`;
    const env = {
      ...process.env,
      PATH: `${path.dirname(cli)}${path.delimiter}${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_CONFIG_DIR: repoFile('temporal-config'),
      SETUP_ATTEMPTS: '15',
    };
    const script = repoFile('ops/temporal/setup-namespace.sh');
    const wanted = record(JSON.parse(readRepoFile('temporal-config/search-attributes.json')), 'search attributes');
    const retentionDays = Number(
      record(JSON.parse(readRepoFile('temporal-config/namespace.json')), 'namespace').retentionDays,
    );

    const first = await run('sh', [script], { env, timeoutMs: 120_000 });
    assertSucceeded(first, 'setup-namespace.sh');
    assert.match(first.stdout, new RegExp(`namespace ${namespace} created`));

    const listed = await run(cli, [
      'operator',
      'search-attribute',
      'list',
      '--address',
      address,
      '--namespace',
      namespace,
      '-o',
      'json',
    ]);
    assertSucceeded(listed, 'search-attribute list');
    const custom = record(record(JSON.parse(listed.stdout), 'list').customAttributes, 'customAttributes');
    for (const [name, type] of Object.entries(wanted)) {
      assert.equal(custom[name], `INDEXED_VALUE_TYPE_${text(type, name).toUpperCase()}`, `${name} registered`);
    }
    const described = await run(cli, [
      'operator',
      'namespace',
      'describe',
      '--address',
      address,
      '--namespace',
      namespace,
      '-o',
      'json',
    ]);
    assertSucceeded(described, 'namespace describe');
    const config = record(record(JSON.parse(described.stdout), 'describe').config, 'namespace config');
    assert.equal(config.workflowExecutionRetentionTtl, `${retentionDays * 86400}s`);

    const second = await run('sh', [script], { env, timeoutMs: 120_000 });
    assertSucceeded(second, 'setup-namespace.sh, again');
    assert.match(second.stdout, new RegExp(`namespace ${namespace} exists`));
    assert.doesNotMatch(second.stdout, /registered/);
  });
});
