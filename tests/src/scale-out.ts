import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Client as PgClient } from 'pg';
import { freePort, loadSearchAttributeConfig } from '@voice/runtime';
import { createStorage } from '@voice/storage';
import { encodeWavPcm16, type Mailbox, MailpitMailbox, synthesizeSpeech } from '@voice/testkit';
import { ApiClient } from './api-client';
import { makeNoisySpeech } from './fixtures';
import { createScratchDatabase } from './platform-harness';

// resolution-mode: this CommonJS file may type-import the infra ES modules because it loads them with import().
type PostgresModule = typeof import('../../scripts/infra/postgres.mjs', { with: { 'resolution-mode': 'import' } });
type TemporalModule = typeof import('../../scripts/infra/temporal.mjs', { with: { 'resolution-mode': 'import' } });
type MinioModule = typeof import('../../scripts/infra/minio.mjs', { with: { 'resolution-mode': 'import' } });
type DebianModule = typeof import('../../scripts/infra/debian.mjs', { with: { 'resolution-mode': 'import' } });

/** Compiled to tests/dist/src: the repository is three levels up. */
const REPO_ROOT = path.resolve(__dirname, '../../..');
const ENTRY_POINTS = {
  api: 'apps/api/dist/src/main.js',
  cpu: 'apps/worker/dist/src/main.js',
  gpu: 'apps/gpu-worker/dist/src/main.js',
} as const;
/** Per process: enough of its output to explain a failure, bounded so a chatty child cannot grow the test. */
const MAX_LOG_CHARS = 512 * 1024;
const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;

/** The shared servers every process of the deployment talks to, as a real multi-node setup would. */
export interface ScaleOutInfra {
  temporalAddress: string;
  namespace: string;
  /** A PostgreSQL URL with CREATE DATABASE rights: the deployment gets a scratch database on that server. */
  adminDatabaseUrl: string;
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string; bucketPrefix: string };
  /** Mail over real SMTP (verification links); without it accounts stay unverified and cannot download. */
  smtpUrl?: string;
  mailpitApi?: string;
  /** Server pids when this process started them (the bench), for CPU accounting. */
  pids?: { postgres?: number; temporal?: number };
}

/** The suite's servers from scripts/test.mjs, or why the scale-out test cannot run without them. */
export function scaleOutInfraFromEnv(env: NodeJS.ProcessEnv = process.env): ScaleOutInfra | { skip: string } {
  const missing = [
    ['TEMPORAL_TEST_ADDRESS', 'TEMPORAL_TEST_UNAVAILABLE'],
    ['TEST_DATABASE_URL', 'TEST_DATABASE_UNAVAILABLE'],
    ['TEST_S3_ENDPOINT', 'TEST_S3_UNAVAILABLE'],
  ]
    .filter(([name]) => !env[name ?? ''])
    .map(([name, why]) => `${name ?? ''}${env[why ?? ''] ? ` (${env[why ?? '']})` : ''}`);
  if (missing.length > 0)
    return { skip: `needs the suite's servers (run through scripts/test.mjs): ${missing.join(', ')}` };
  return {
    temporalAddress: env['TEMPORAL_TEST_ADDRESS'] ?? '',
    namespace: env['TEMPORAL_TEST_NAMESPACE'] ?? 'default',
    adminDatabaseUrl: env['TEST_DATABASE_URL'] ?? '',
    s3: {
      endpoint: env['TEST_S3_ENDPOINT'] ?? '',
      region: env['TEST_S3_REGION'] ?? 'us-east-1',
      accessKey: env['TEST_S3_ACCESS_KEY'] ?? 'minioadmin',
      secretKey: env['TEST_S3_SECRET_KEY'] ?? 'minioadmin',
      bucketPrefix: env['TEST_S3_BUCKET_PREFIX'] ?? 'voice-test-',
    },
    ...(env['TEST_SMTP_URL'] && env['TEST_MAILPIT_API']
      ? { smtpUrl: env['TEST_SMTP_URL'], mailpitApi: env['TEST_MAILPIT_API'] }
      : {}),
  };
}

const importInfra = <T>(file: string): Promise<T> =>
  import(pathToFileURL(path.join(REPO_ROOT, 'scripts/infra', file)).href) as Promise<T>;

/**
 * PostgreSQL, a Temporal dev server and MinIO started here (the bench runs outside scripts/test.mjs), through the
 * same scripts/infra helpers the test runner uses. No mail server: bench accounts never download.
 */
export async function startOwnInfra(logDir: string): Promise<{ infra: ScaleOutInfra; stop(): Promise<void> }> {
  const [postgres, temporalInfra, minio] = await Promise.all([
    importInfra<PostgresModule>('postgres.mjs'),
    importInfra<TemporalModule>('temporal.mjs'),
    importInfra<MinioModule>('minio.mjs'),
  ]);
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  try {
    const [pg, dev, s3] = await Promise.all([
      postgres.startPostgres({ database: 'voice_bench', logFile: path.join(logDir, 'postgres.log') }),
      temporalInfra.startTemporalDevServer({
        namespace: 'default',
        headless: true,
        searchAttributes: loadSearchAttributeConfig(),
        logFile: path.join(logDir, 'temporal.log'),
      }),
      minio.startMinio({ logFile: path.join(logDir, 'minio.log') }),
    ]);
    started.push(pg, dev, s3);
    return {
      infra: {
        temporalAddress: dev.address,
        namespace: dev.namespace,
        adminDatabaseUrl: pg.url,
        s3: {
          endpoint: s3.endpoint,
          region: s3.region,
          accessKey: s3.accessKey,
          secretKey: s3.secretKey,
          bucketPrefix: 'voice-bench-',
        },
        pids: { postgres: pg.pid, temporal: dev.pid },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type ServiceRole = 'api' | 'cpu' | 'gpu';

/** One platform process (an API instance or a worker), started from its real entry point. */
export class ServiceProcess {
  private readonly output: string[] = [];
  private outputChars = 0;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly role: ServiceRole,
    readonly child: ChildProcess,
    /** The API's HTTP port; 0 for workers. */
    readonly port: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      this.outputChars += chunk.length;
      while (this.outputChars > MAX_LOG_CHARS && this.output.length > 1) {
        this.outputChars -= this.output.shift()?.length ?? 0;
      }
    };
    // Both streams are piped, never inherited: the test runner reads this process's stdout as its report.
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the process wrote (stdout and stderr interleaved), for assertion messages. */
  get log(): string {
    return this.output.join('');
  }

  /** SIGKILL: the process gets no chance to finish anything, as when a node dies. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = new AbortController();
    const ended = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs, false, { signal: timer.signal }).catch(() => true),
    ]);
    timer.abort();
    if (!ended) await this.kill();
  }
}

export interface ScaleOutOptions {
  apis?: number;
  cpuWorkers?: number;
  gpuWorkers?: number;
  /** Added to (or overriding) every process's environment. */
  env?: Record<string, string>;
  /** `auto` (default): NGINX when it can be found or installed, else the harness's own Node proxy. */
  proxy?: 'auto' | 'nginx' | 'node';
}

/** The round-robin front door: NGINX, or a Node fallback with the same behaviour. */
interface Proxy {
  kind: 'nginx' | 'node';
  url: string;
  /** Why NGINX is not the proxy, when it is not. */
  fallbackReason?: string;
  stop(): Promise<void>;
}

/**
 * The platform as a multi-node deployment on one machine: API instances, CPU workers and GPU workers, each its own
 * OS process started from its production entry point, all on one PostgreSQL database, one Temporal namespace (with
 * task queues of their own) and one S3 bucket, with one JWT_SECRET and DATA_ENCRYPTION_KEY, behind a round-robin
 * proxy. Each process has a DATA_DIR of its own, as separate machines would: nothing is shared through the disk.
 */
export class ScaleOutPlatform {
  readonly processes: ServiceProcess[] = [];
  private proxy: Proxy | undefined;
  private temporalConnection: Connection | undefined;
  private pg: PgClient | undefined;
  private started = 0;
  /** Temporal client on the deployment's namespace, for readiness and for looking at workflows. */
  client!: Client;

  private constructor(
    readonly infra: ScaleOutInfra,
    /** Every process's environment (before its own DATA_DIR and API_PORT). */
    readonly env: Readonly<Record<string, string>>,
    readonly rootDir: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  static async start(infra: ScaleOutInfra, options: ScaleOutOptions = {}): Promise<ScaleOutPlatform> {
    const rootDir = await mkdtemp(path.join(tmpdir(), 'voice-scaleout-'));
    const suffix = randomUUID().slice(0, 8);
    const database = await createScratchDatabase(infra.adminDatabaseUrl, 'scaleout');
    const bucket = `${infra.s3.bucketPrefix}scaleout-${suffix}`;
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      API_HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '5',
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_NAMESPACE: infra.namespace,
      TASK_QUEUE_CPU: `scaleout-cpu-${suffix}`,
      TASK_QUEUE_GPU: `scaleout-gpu-${suffix}`,
      TASK_QUEUE_MEDIA: `scaleout-media-${suffix}`,
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: infra.s3.endpoint,
      S3_REGION: infra.s3.region,
      S3_ACCESS_KEY_ID: infra.s3.accessKey,
      S3_SECRET_ACCESS_KEY: infra.s3.secretKey,
      S3_BUCKET: bucket,
      S3_FORCE_PATH_STYLE: 'true',
      // One secret and one key ring for every process: a session signed by one API is valid on the other, and
      // a secret sealed by one process opens in all.
      JWT_SECRET: randomBytes(32).toString('base64url'),
      DATA_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
      // Every client of this test comes from 127.0.0.1 through the proxy: per-address auth limits would be shared.
      AUTH_RATE_LIMIT: '1000',
      AUTH_LOGIN_IP_RATE_LIMIT: '1000',
      ...(infra.smtpUrl ? { SMTP_URL: infra.smtpUrl } : {}),
      ...options.env,
    };
    const platform = new ScaleOutPlatform(infra, env, rootDir, database.drop);
    try {
      // Standalone processes never create the bucket (operators provision it, as for compose's MinIO).
      const storage = createStorage({
        driver: 's3',
        endpoint: infra.s3.endpoint,
        region: infra.s3.region,
        bucket,
        accessKeyId: infra.s3.accessKey,
        secretAccessKey: infra.s3.secretKey,
        forcePathStyle: true,
        defaultTtlSeconds: 900,
      });
      await storage.ensureBucket();
      await storage.close();
      platform.temporalConnection = await Connection.connect({ address: infra.temporalAddress });
      platform.client = new Client({ connection: platform.temporalConnection, namespace: infra.namespace });
      platform.pg = new PgClient({ connectionString: database.url });
      await platform.pg.connect();

      // Order: one API first, which migrates the empty database (the workers migrate too; both hold an advisory
      // lock, but starting them together would only make them wait on each other on two cores). Then the
      // workers, then the other APIs, then the proxy in front of all the APIs.
      const apis = options.apis ?? 2;
      await platform.startApi();
      await Promise.all([
        ...Array.from({ length: options.cpuWorkers ?? 2 }, () => platform.startWorker('cpu')),
        ...Array.from({ length: options.gpuWorkers ?? 2 }, () => platform.startWorker('gpu')),
        ...Array.from({ length: apis - 1 }, () => platform.startApi()),
      ]);
      platform.proxy = await startProxy(
        options.proxy ?? 'auto',
        platform.apis.map((api) => api.port),
        rootDir,
      );
      return platform;
    } catch (error) {
      await platform.close();
      throw error;
    }
  }

  get apis(): ServiceProcess[] {
    return this.processes.filter((process) => process.role === 'api');
  }

  get cpuWorkers(): ServiceProcess[] {
    return this.processes.filter((process) => process.role === 'cpu');
  }

  get gpuWorkers(): ServiceProcess[] {
    return this.processes.filter((process) => process.role === 'gpu');
  }

  /** The proxy's base URL: where every client request goes. */
  get url(): string {
    if (!this.proxy) throw new Error('the proxy is not running');
    return this.proxy.url;
  }

  get proxyKind(): { kind: 'nginx' | 'node'; fallbackReason?: string } {
    if (!this.proxy) throw new Error('the proxy is not running');
    return {
      kind: this.proxy.kind,
      ...(this.proxy.fallbackReason ? { fallbackReason: this.proxy.fallbackReason } : {}),
    };
  }

  get mailbox(): Mailbox | undefined {
    return this.infra.mailpitApi ? new MailpitMailbox(this.infra.mailpitApi) : undefined;
  }

  /** A client of the proxy; register() verifies the email when the deployment has a mail server. */
  api(): ApiClient {
    return new ApiClient(this.url, this.mailbox);
  }

  /** A query on the deployment's database (assertions read the ledger and the jobs directly). */
  async query<Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> {
    if (!this.pg) throw new Error('not connected to the database');
    return (await this.pg.query<Row>(text, values)).rows;
  }

  /** Every process's output, labelled, for a failure message. */
  logs(roles: ServiceRole[] = ['api', 'cpu', 'gpu'], tailChars = 4000): string {
    return this.processes
      .filter((process) => roles.includes(process.role))
      .map(
        (process) =>
          `--- ${process.name} (pid ${process.pid}${process.alive ? '' : ', ended'}) ---\n${process.log.slice(-tailChars)}`,
      )
      .join('\n');
  }

  /** Starts one more API instance and waits until /api/health answers 200 (not added to a running proxy). */
  async startApi(): Promise<ServiceProcess> {
    const port = await freePort();
    const service = await this.spawnService('api', { API_PORT: String(port) }, port);
    await this.waitUntil(service, async () => {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
      return response?.status === 200;
    });
    return service;
  }

  /**
   * Starts one more worker and waits until the Temporal server has seen it poll every queue it serves: a CPU worker
   * polls the CPU queue for workflow and activity tasks and the media queue for activities; a GPU worker the GPU queue.
   */
  async startWorker(role: 'cpu' | 'gpu', env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await this.spawnService(role, env, 0);
    const queues: Array<[string, 'workflow' | 'activity']> =
      role === 'cpu'
        ? [
            [this.taskQueues.cpu, 'workflow'],
            [this.taskQueues.cpu, 'activity'],
            [this.taskQueues.media, 'activity'],
          ]
        : [[this.taskQueues.gpu, 'activity']];
    await this.waitUntil(service, async () => {
      for (const [queue, kind] of queues) {
        if (!(await this.pollerIdentities(queue, kind)).some((identity) => identity.startsWith(`${service.pid}@`))) {
          return false;
        }
      }
      return true;
    });
    return service;
  }

  get taskQueues(): { cpu: string; gpu: string; media: string } {
    return {
      cpu: this.env['TASK_QUEUE_CPU'] ?? '',
      gpu: this.env['TASK_QUEUE_GPU'] ?? '',
      media: this.env['TASK_QUEUE_MEDIA'] ?? '',
    };
  }

  /** Identities (`pid@host`, the SDK's default) of the workers the server saw polling a queue lately. */
  async pollerIdentities(taskQueue: string, kind: 'workflow' | 'activity'): Promise<string[]> {
    const response = await this.client.workflowService.describeTaskQueue({
      namespace: this.infra.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType:
        kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (response.pollers ?? []).map((poller) => poller.identity ?? '');
  }

  /** CPU seconds (user + system) used so far by a process and all its descendants, from /proc. */
  static cpuSeconds(pid: number): number {
    return processTreeCpuSeconds(pid);
  }

  async close(): Promise<void> {
    await this.proxy?.stop().catch(() => undefined);
    // APIs first, so nothing new is submitted while the workers wind down.
    await Promise.all(this.apis.map((process) => process.stop()));
    await Promise.all(this.processes.map((process) => process.stop()));
    await this.pg?.end().catch(() => undefined);
    await this.temporalConnection?.close().catch(() => undefined);
    await this.dropDatabase().catch(() => undefined);
    await rm(this.rootDir, { recursive: true, force: true });
  }

  private async spawnService(role: ServiceRole, extra: Record<string, string>, port: number): Promise<ServiceProcess> {
    const name = `${role}-${++this.started}`;
    const dataDir = path.join(this.rootDir, name);
    await mkdir(dataDir, { recursive: true });
    const child = spawn(process.execPath, [path.join(REPO_ROOT, ENTRY_POINTS[role])], {
      // PATH and the like from the test process; the deployment's settings on top. Nothing else leaks in.
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        // The AWS SDK's once-per-process notice about Node 20 would fill every log.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...this.env,
        DATA_DIR: dataDir,
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(name, role, child, port);
    this.processes.push(service);
    return service;
  }

  /** Polls `ready` until it is true; fails with the process's output if it exits or takes longer than 3 minutes. */
  private async waitUntil(service: ServiceProcess, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (!service.alive) throw new Error(`${service.name} exited while starting:\n${service.log.slice(-4000)}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(`${service.name} not ready after 3 minutes:\n${service.log.slice(-4000)}`);
      await sleep(250);
    }
  }
}

async function startProxy(kind: 'auto' | 'nginx' | 'node', upstreams: number[], rootDir: string): Promise<Proxy> {
  if (kind === 'node') return startNodeProxy(upstreams);
  try {
    return await startNginx(upstreams, path.join(rootDir, 'nginx'));
  } catch (error) {
    if (kind === 'nginx') throw error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ...(await startNodeProxy(upstreams)), fallbackReason: `NGINX could not run: ${reason}` };
  }
}

/**
 * Real NGINX as the round-robin front door, configured like the gateway (request bodies streamed, not buffered;
 * responses unbuffered for SSE) and run entirely from a temp prefix: its own pid file, logs and temp paths, so
 * nothing under /etc or /var is read or written. Each response names the instance that served it in X-Upstream.
 */
async function startNginx(upstreams: number[], prefix: string): Promise<Proxy> {
  const debian = await importInfra<DebianModule>('debian.mjs');
  const nginx = await debian.ensureNginx();
  await mkdir(path.join(prefix, 'logs'), { recursive: true });
  // As root, NGINX's workers drop to `nobody`, which must be able to reach the temp paths under the prefix.
  await chmod(path.dirname(prefix), 0o755);
  await chmod(prefix, 0o755);
  const port = await freePort();
  const servers = upstreams.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=1 fail_timeout=10s;`);
  const conf = `# Written by tests/src/scale-out.ts for one run.
daemon off;
master_process on;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream voice_api {
${servers.join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://voice_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      # Uploads stream through to the API as they arrive; responses (SSE) stream back the same way.
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 300s;
      # A refused connection moves on to the next instance; a request already sent to one that died is answered
      # 502 (NGINX never resends a POST), and the client retries it with its Idempotency-Key.
      proxy_next_upstream error timeout;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  const confFile = path.join(prefix, 'nginx.conf');
  await writeFile(confFile, conf);
  const args = ['-p', prefix, '-c', confFile];
  const check = spawn(nginx, [...args, '-t', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let checkOutput = '';
  check.stderr?.on('data', (chunk: Buffer) => (checkOutput += chunk.toString()));
  const checkCode = await new Promise<number | null>((resolve) => check.once('exit', resolve));
  if (checkCode !== 0) throw new Error(`nginx -t failed: ${checkOutput}`);
  const child = spawn(nginx, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`nginx exited: ${output}${readTail(path.join(prefix, 'logs/error.log'))}`);
    const health = await fetch(`${url}/api/health`).catch(() => undefined);
    if (health?.headers.get('x-upstream')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not answer on ${url}: ${output}`);
    }
    await sleep(100);
  }
  return {
    kind: 'nginx',
    url,
    async stop() {
      if (child.exitCode !== null) return;
      // SIGQUIT is NGINX's graceful stop; its workers follow the master.
      child.kill('SIGQUIT');
      const timer = new AbortController();
      const ended = await Promise.race([
        exited.then(() => true),
        sleep(10_000, false, { signal: timer.signal }).catch(() => true),
      ]);
      timer.abort();
      if (!ended) child.kill('SIGKILL');
    },
  };
}

function readTail(file: string): string {
  return existsSync(file) ? `\n${readFileSync(file, 'utf8').slice(-2000)}` : '';
}

/**
 * The fallback front door where NGINX cannot run: round robin per request, the next instance on a refused
 * connection (nothing was sent yet), 502 when an instance dies mid-request, bodies streamed both ways.
 */
async function startNodeProxy(upstreams: number[]): Promise<Proxy> {
  let next = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const attempt = (tries: number) => {
      const upstream = upstreams[next++ % upstreams.length] ?? 0;
      const forward = httpRequest(
        { host: '127.0.0.1', port: upstream, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer: IncomingMessage) => {
          outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-upstream': `127.0.0.1:${upstream}` });
          answer.pipe(outgoing);
        },
      );
      forward.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ECONNREFUSED' && tries < upstreams.length) return attempt(tries + 1);
        if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end('bad gateway');
      });
      incoming.pipe(forward);
    };
    attempt(1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return {
    kind: 'node',
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const CLOCK_TICKS = 100;

/** utime + stime + cutime + cstime of `pid` and every live descendant: reaped children are in their parent's c*time. */
function processTreeCpuSeconds(pid: number): number {
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, … utime is field 14 overall.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
      stats.set(Number(entry), { parent: Number(fields[1]), ticks });
    } catch {
      // The process ended while we read.
    }
  }
  const inTree = (candidate: number): boolean => {
    for (let current = candidate, hops = 0; current > 1 && hops < 64; hops++) {
      if (current === pid) return true;
      current = stats.get(current)?.parent ?? 0;
    }
    return false;
  };
  let ticks = 0;
  for (const [candidate, stat] of stats) if (inTree(candidate)) ticks += stat.ticks;
  return ticks / CLOCK_TICKS;
}

/** One kind of job in the scale-out mix: how a client submits it, under an Idempotency-Key. */
export interface JobMixEntry {
  kind: string;
  submit(api: ApiClient, idempotencyKey: string): ReturnType<ApiClient['request']>;
}

/** Two sentences: the TTS quality gate (transcribed back, word error rate ≤ 20%) is reliable on these. */
const MIX_TTS_TEXT = 'The weather is nice today. We will walk to the park after lunch.';

/** A multipart body with the audio as `audio_file`, as the upload routes take it. */
export function multipart(wav: Buffer, filename: string, fields: Record<string, string> = {}): FormData {
  const body = new FormData();
  body.append('audio_file', new Blob([wav]), filename);
  for (const [field, value] of Object.entries(fields)) body.append(field, value);
  return body;
}

/**
 * The short mixed jobs of the scale-out test and bench, each touching every tier (API, CPU worker, media and GPU
 * queues, database, S3): a denoise of 5 s of noisy speech, a two-sentence TTS (transcribed back by its quality gate),
 * an STT of 4 s of speech, and a three-step chain (denoise → trim silence → normalize).
 */
export async function makeJobMix(): Promise<JobMixEntry[]> {
  const [noisy, speech] = await Promise.all([
    makeNoisySpeech({ snrDb: 10, seed: 7 }),
    synthesizeSpeech('Open the window before the meeting starts, then close the door.', {
      voice: 'kal16',
      sampleRate: 16_000,
    }),
  ]);
  const speechWav = encodeWavPcm16(speech.samples, speech.sampleRate);
  const key = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });
  return [
    {
      kind: 'denoise',
      submit: (api, id) => api.request('POST', '/api/audio/denoise', multipart(noisy.wav, 'noisy.wav'), key(id)),
    },
    {
      kind: 'tts',
      submit: (api, id) => api.request('POST', '/api/audio/tts', { text: MIX_TTS_TEXT }, key(id)),
    },
    {
      kind: 'stt',
      submit: (api, id) =>
        api.request(
          'POST',
          '/api/audio/stt',
          multipart(speechWav, 'speech.wav', { language: 'en', model: 'whisper-tiny-en' }),
          key(id),
        ),
    },
    {
      kind: 'denoise → trim silence → normalize',
      submit: (api, id) =>
        api.request(
          'POST',
          '/api/jobs',
          multipart(noisy.wav, 'chain.wav', {
            steps: JSON.stringify([
              { op: 'denoise', noise_level: 'moderate' },
              { op: 'edit', operations: [{ type: 'trim_silence' }] },
              { op: 'normalize', target_lufs: -19 },
            ]),
          }),
          key(id),
        ),
    },
  ];
}
