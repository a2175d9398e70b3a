import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '@voice/runtime';
import { ApiClient, testInfra } from '../src';

// `npm start` exactly: the platform's main, as a process of its own that the tests can SIGKILL.
const MAIN = path.join(path.dirname(require.resolve('@voice/platform')), 'main.js');

interface Ports {
  api: number;
  grpc: number;
  ui: number;
}

const isAlive = (pid: number): boolean => {
  try {
    // A zombie still answers kill(0); it is dead for our purposes (and holds no port).
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

/** Every live `temporal server start-dev` using this db file, whoever its parent is (orphans included). */
function devServerPids(dbFile: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('start-dev') && argv.includes(dbFile)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls `check` every 100 ms until it holds, failing with `what` after `timeoutMs`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Health {
  status: number;
  temporal: string | undefined;
}

/** A platform started like `npm start`, on its own data dir and ports, with the embedded dev server. */
class PlatformProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly dataDir: string,
    readonly ports: Ports,
  ) {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      API_HOST: '127.0.0.1',
      API_PORT: String(ports.api),
      TEMPORAL_DEV_PORT: String(ports.grpc),
      TEMPORAL_UI_PORT: String(ports.ui),
      TEMPORAL_CLI_PATH: testInfra().temporalCli,
      TEMPORAL_NAMESPACE: 'default',
    };
    // The embedded dev server, PGlite and local files: nothing shared with the rest of the suite.
    for (const key of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'STORAGE_DRIVER']) delete env[key];
    // Never inherit stdout: the test runner reads this process's stdout as its report stream.
    this.child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  get pid(): number {
    assert.ok(this.child.pid !== undefined);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  async health(): Promise<Health | undefined> {
    const response = await fetch(`${this.apiUrl}/api/health`).catch(() => undefined);
    if (!response) return undefined;
    const body = (await response.json()) as { checks?: Record<string, { status: string }> };
    return { status: response.status, temporal: body.checks?.['temporal']?.status };
  }

  async waitHealthy(): Promise<void> {
    await eventually('the platform reports healthy', async () => {
      assert.ok(this.running, `the platform exited during start:\n${this.output.slice(-4000)}`);
      return (await this.health())?.status === 200;
    });
  }

  /** The dev server this platform spawned (its child). */
  devServerPid(): number | undefined {
    return devServerPids(dbFileOf(this.dataDir)).find((pid) => parentOf(pid) === this.pid);
  }

  async kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

const dbFileOf = (dataDir: string) => path.join(dataDir, 'temporal', 'dev-server.sqlite');

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

async function freePorts(): Promise<Ports> {
  return { api: await freePort(), grpc: await freePort(), ui: await freePort() };
}

/** A generated job needs no upload and crosses every queue: the CPU workflow, GPU synthesis, media metering. */
async function runJob(apiUrl: string): Promise<string> {
  const api = new ApiClient(apiUrl);
  await api.register(`devsrv-${Date.now()}@example.com`);
  const accepted = await api.request('POST', '/api/audio/generate-sfx', { description: 'rain', duration: 2, seed: 1 });
  assert.equal(accepted.status, 202, accepted.text);
  const final = await api.waitForJob(accepted.json['jobId'] as string, { timeoutMs: 180_000 });
  return final['status'] as string;
}

describe('the embedded Temporal dev server is owned and supervised by the platform', { timeout: 600_000 }, () => {
  let dataDir: string;
  let ports: Ports;
  let dbFile: string;
  const platforms: PlatformProcess[] = [];
  /** The platform the next test works on; each test leaves one running. */
  let current: PlatformProcess | undefined;
  const start = () => {
    current = new PlatformProcess(dataDir, ports);
    platforms.push(current);
    return current;
  };

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'voice-devsrv-'));
    ports = await freePorts();
    dbFile = dbFileOf(dataDir);
  });
  after(async () => {
    for (const platform of platforms) await platform.kill('SIGKILL');
    // Whatever a failed assertion left behind must not outlive the run.
    for (const pid of devServerPids(dbFile)) process.kill(-pid, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a dev server killed with SIGKILL is restarted: health shows Temporal down, then jobs complete', async () => {
    const platform = start();
    await platform.waitHealthy();
    const first = platform.devServerPid();
    assert.ok(first !== undefined, 'the platform runs a dev server of its own');
    const recorded = JSON.parse(await readFile(path.join(dataDir, 'temporal', 'dev-server.pid'), 'utf8')) as {
      pid: number;
    };
    assert.equal(recorded.pid, first, 'its pid is recorded in DATA_DIR');

    process.kill(first, 'SIGKILL');
    await eventually('health reports Temporal down', async () => (await platform.health())?.temporal === 'down');
    await eventually('a new dev server comes up', () => {
      const next = platform.devServerPid();
      return next !== undefined && next !== first;
    });
    await platform.waitHealthy();
    assert.match(platform.output, /Temporal dev server restarted/);
    assert.equal(await runJob(platform.apiUrl), 'completed', platform.output.slice(-4000));
  });

  test('after the platform is killed with SIGKILL, the next start stops the dev server it left', async () => {
    const killed = current;
    assert.ok(killed?.running);
    const orphan = killed.devServerPid();
    assert.ok(orphan !== undefined);
    await killed.kill('SIGKILL');
    // SIGKILL runs no exit hook: the dev server, in a process group of its own, outlives the platform.
    assert.ok(isAlive(orphan), 'the dev server outlived its platform');

    const platform = start();
    await platform.waitHealthy();
    assert.equal(isAlive(orphan), false, 'the stale dev server was stopped');
    assert.match(platform.output, new RegExp(`dev server \\(pid ${orphan}\\) left running by a platform that crashed`));
    const fresh = platform.devServerPid();
    assert.ok(fresh !== undefined, 'the new platform serves Temporal from a dev server of its own');
    assert.deepEqual(devServerPids(dbFile), [fresh], 'only one dev server uses the db file');
    assert.equal(await runJob(platform.apiUrl), 'completed', platform.output.slice(-4000));
  });

  test('a second platform on the same DATA_DIR refuses to start and leaves the running one alone', async () => {
    const running = current;
    assert.ok(running?.running);
    const server = running.devServerPid();
    assert.ok(server !== undefined);
    const second = new PlatformProcess(dataDir, { ...ports, api: await freePort() });
    platforms.push(second);
    assert.notEqual(await second.exited, 0);
    assert.match(second.output, new RegExp(`in use by another platform process \\(pid ${running.pid}\\)`));
    assert.ok(isAlive(server), "the running platform's dev server was not touched");
    assert.equal((await running.health())?.status, 200);
  });

  test('SIGTERM stops the platform together with its dev server', async () => {
    const platform = current;
    assert.ok(platform?.running);
    const server = platform.devServerPid();
    assert.ok(server !== undefined);
    assert.equal(await platform.kill('SIGTERM'), 0, platform.output.slice(-4000));
    await eventually('the dev server stops', () => !isAlive(server), 30_000);
    assert.deepEqual(devServerPids(dbFile), []);
  });
});

describe('a foreign listener on a dev-server port', { timeout: 180_000 }, () => {
  const cases = [
    { port: 'grpc', variable: 'TEMPORAL_DEV_PORT' },
    { port: 'ui', variable: 'TEMPORAL_UI_PORT' },
  ] as const;
  for (const { port, variable } of cases) {
    test(`on the ${port} port makes the platform refuse to start, naming the port and ${variable}`, async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'voice-devsrv-foreign-'));
      const ports = await freePorts();
      const foreign: Server = createServer((socket) => socket.end());
      foreign.listen(ports[port], '127.0.0.1');
      await once(foreign, 'listening');
      const platform = new PlatformProcess(dataDir, ports);
      try {
        await eventually(
          'the platform exits or serves',
          async () => !platform.running || (await platform.health())?.status === 200,
        );
        assert.equal(platform.running, false, 'the platform must not serve against a listener it does not own');
        assert.notEqual(await platform.exited, 0);
        assert.match(platform.output, new RegExp(`\\b${ports[port]}\\b[^\\n]*in use`));
        assert.match(platform.output, new RegExp(variable));
        assert.deepEqual(devServerPids(dbFileOf(dataDir)), [], 'no dev server is left running');
      } finally {
        await platform.kill('SIGKILL');
        for (const pid of devServerPids(dbFileOf(dataDir))) process.kill(-pid, 'SIGKILL');
        foreign.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
