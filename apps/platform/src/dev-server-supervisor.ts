import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Env } from '@voice/config';
import { loadSearchAttributeConfig, processLogger, type ReadinessProbe } from '@voice/runtime';

/** The slice of scripts/infra/temporal.mjs (see its temporal.d.mts) that the platform uses. */
interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number;
  exited: Promise<string | number>;
  stop(): Promise<void>;
}

interface TemporalInfraModule {
  ensureTemporalCli(options: { cacheDir?: string }): Promise<string>;
  startTemporalDevServer(options: {
    cliPath: string;
    port: number;
    uiPort: number;
    dbFile: string;
    namespace: string;
    searchAttributes: Record<string, string>;
    logFile: string;
    onSpawn: (pid: number) => void;
  }): Promise<DevServer>;
}

/**
 * What the pid file records: enough to recognise the server later even if its pid has been reused, and to tell
 * a crashed platform from one still running on the same DATA_DIR.
 */
interface PidRecord {
  pid: number;
  /** Kernel start time (/proc/<pid>/stat field 22): a process that reused the pid has another one. */
  startTime: string | undefined;
  cliPath: string;
  dbFile: string;
  ownerPid: number;
  ownerStartTime: string | undefined;
}

const repoRoot = path.resolve(__dirname, '../../../..');
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A server that stayed up this long was healthy: its next crash restarts it quickly again. */
const STABLE_AFTER_MS = 60_000;
const STALE_STOP_GRACE_MS = 15_000;

/** Loads the dev-server helpers shared with the test runner (plain ESM so they run before any build). */
async function loadTemporalInfra(): Promise<TemporalInfraModule> {
  const url = pathToFileURL(path.join(repoRoot, 'scripts/infra/temporal.mjs')).href;
  return (await import(url)) as TemporalInfraModule;
}

/**
 * Owns the embedded `temporal server start-dev`. Its pid is recorded in DATA_DIR/temporal/dev-server.pid, because
 * the server runs in a process group of its own and so outlives a platform killed with SIGKILL; the next start
 * stops that server (once /proc confirms it is ours) instead of serving against it. A port held by anything
 * else fails the start. A server that dies under a running platform is restarted on the same ports and db file
 * with exponential backoff; the Temporal client and the workers reconnect by themselves.
 */
export class DevServerSupervisor {
  private server: DevServer | undefined;
  private infra: TemporalInfraModule | undefined;
  private cliPath = '';
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private backoffMs = FIRST_BACKOFF_MS;
  private startedAt = 0;
  /** Restarts so far, for logs and tests. */
  restarts = 0;
  readonly address: string;
  readonly uiUrl: string;
  private readonly dir: string;
  private readonly dbFile: string;
  private readonly pidFile: string;

  constructor(private readonly env: Env) {
    this.address = `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
    this.uiUrl = `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
    this.dir = path.join(env.DATA_DIR, 'temporal');
    // A file, not memory: workflows and their history survive a restart of the platform.
    this.dbFile = path.join(this.dir, 'dev-server.sqlite');
    this.pidFile = path.join(this.dir, 'dev-server.pid');
  }

  get pid(): number | undefined {
    return this.server?.pid;
  }

  /** Stops a server a crashed platform left, then starts ours; rejects (naming the port) if a port is taken. */
  async start(): Promise<void> {
    this.infra = await loadTemporalInfra();
    this.cliPath = this.env.TEMPORAL_CLI_PATH ?? (await this.infra.ensureTemporalCli({}));
    await mkdir(this.dir, { recursive: true });
    await this.stopStaleServer();
    try {
      this.server = await this.launch();
    } catch (error) {
      await rm(this.pidFile, { force: true });
      throw error;
    }
    this.supervise(this.server);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // A restart in flight stops the server it gets once it sees `stopping`.
    await this.restarting;
    const server = this.server;
    this.server = undefined;
    await server?.stop();
    await rm(this.pidFile, { force: true });
  }

  /** `inner` (the Temporal probe), failing at once while the server is down rather than after its RPC timeout. */
  probe(inner: ReadinessProbe): ReadinessProbe {
    return {
      name: inner.name,
      check: async () => {
        const server = this.server;
        if (!server) throw new Error('the Temporal dev server is down; the platform is restarting it');
        await inner.check();
        // The client retries through an outage, so its answer may come from a successor: this check saw it down.
        if (this.server !== server) throw new Error('the Temporal dev server was restarted during the check');
      },
    };
  }

  private async launch(): Promise<DevServer> {
    if (!this.infra) throw new Error('DevServerSupervisor.start() was not called');
    try {
      const server = await this.infra.startTemporalDevServer({
        cliPath: this.cliPath,
        port: this.env.TEMPORAL_DEV_PORT,
        uiPort: this.env.TEMPORAL_UI_PORT,
        dbFile: this.dbFile,
        namespace: this.env.TEMPORAL_NAMESPACE,
        searchAttributes: loadSearchAttributeConfig(),
        logFile: path.join(this.dir, 'dev-server.log'),
        // Recorded at spawn, not once ready: a platform killed while the server boots must not leave it unknown.
        onSpawn: (pid) => this.record(pid),
      });
      this.startedAt = Date.now();
      return server;
    } catch (error) {
      throw explainPortInUse(error);
    }
  }

  private supervise(server: DevServer): void {
    void server.exited.then((status) => {
      if (this.stopping || server !== this.server) return;
      this.server = undefined;
      // Reap what may be left of its process group and drop it from the launcher's exit hook.
      server.stop().catch(() => undefined);
      if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.backoffMs = FIRST_BACKOFF_MS;
      this.scheduleRestart(`exited unexpectedly (${status})`);
    });
  }

  private scheduleRestart(reason: string): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    processLogger().error({ delayMs: delay }, `Temporal dev server ${reason}; restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restarting = this.restart().finally(() => (this.restarting = undefined));
    }, delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    let server: DevServer;
    try {
      server = await this.launch();
    } catch (error) {
      if (!this.stopping)
        this.scheduleRestart(`did not restart: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.stopping) {
      await server.stop();
      return;
    }
    this.restarts += 1;
    this.server = server;
    this.supervise(server);
    processLogger().warn({ devServerPid: server.pid }, 'Temporal dev server restarted');
  }

  private record(pid: number): void {
    const record: PidRecord = {
      pid,
      startTime: startTimeOf(pid),
      cliPath: this.cliPath,
      dbFile: this.dbFile,
      ownerPid: process.pid,
      ownerStartTime: startTimeOf(process.pid),
    };
    // Write then rename, so a crash mid-write never leaves a half record that the next start cannot read.
    const partial = `${this.pidFile}.${process.pid}.partial`;
    writeFileSync(partial, `${JSON.stringify(record)}\n`);
    renameSync(partial, this.pidFile);
  }

  private async stopStaleServer(): Promise<void> {
    const record = await readRecord(this.pidFile);
    if (!record) return;
    if (isSameProcess(record.ownerPid, record.ownerStartTime)) {
      throw new Error(
        `DATA_DIR ${this.env.DATA_DIR} is in use by another platform process (pid ${record.ownerPid}): ` +
          'stop it first, or give this one another DATA_DIR',
      );
    }
    if (record.dbFile === this.dbFile && isRecordedDevServer(record)) {
      processLogger().warn(
        { devServerPid: record.pid },
        // The pid in the words too: an operator reading the plain start output sees which process was stopped.
        `Stopping the Temporal dev server (pid ${record.pid}) left running by a platform that crashed`,
      );
      await stopProcessGroup(record.pid, record.startTime);
    }
    // Otherwise the pid is gone or belongs to something else now: the record is just stale.
    await rm(this.pidFile, { force: true });
  }
}

/** Names the variable that moves the port, which the shared infra script cannot know. */
function explainPortInUse(error: unknown): unknown {
  if (!(error instanceof Error) || !('code' in error) || error.code !== 'EADDRINUSE' || !('role' in error)) {
    return error;
  }
  const variable = error.role === 'UI' ? 'TEMPORAL_UI_PORT' : 'TEMPORAL_DEV_PORT';
  return new Error(
    `${error.message}, not by a dev server this platform started. Stop that process, or set ${variable} to a ` +
      'free port (or TEMPORAL_ADDRESS to use a Temporal cluster instead of the embedded server).',
    { cause: error },
  );
}

async function readRecord(file: string): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<PidRecord>;
    if (typeof parsed.pid !== 'number' || typeof parsed.ownerPid !== 'number') return undefined;
    return {
      pid: parsed.pid,
      startTime: parsed.startTime,
      cliPath: parsed.cliPath ?? '',
      dbFile: parsed.dbFile ?? '',
      ownerPid: parsed.ownerPid,
      ownerStartTime: parsed.ownerStartTime,
    };
  } catch {
    return undefined;
  }
}

/**
 * Kernel start time of a live process, in clock ticks since boot. Undefined when the process is gone or a zombie,
 * or where there is no /proc: then nothing is ever recognised, so nothing is killed (the port check still refuses).
 */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces: [0] is field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function isSameProcess(pid: number, startTime: string | undefined): boolean {
  return startTime !== undefined && startTimeOf(pid) === startTime;
}

/** The recorded pid is still the dev server we started: same start time and our CLI, `start-dev`, our db file. */
function isRecordedDevServer(record: PidRecord): boolean {
  if (!isSameProcess(record.pid, record.startTime)) return false;
  try {
    const argv = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
    return (
      argv[0] === record.cliPath &&
      argv.includes('start-dev') &&
      argv[argv.indexOf('--db-filename') + 1] === record.dbFile
    );
  } catch {
    return false;
  }
}

/** SIGTERM to the server's process group (it leads one: it was spawned detached), SIGKILL if it lingers. */
async function stopProcessGroup(pid: number, startTime: string | undefined): Promise<void> {
  for (const [signal, waitMs] of [
    ['SIGTERM', STALE_STOP_GRACE_MS],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
    const deadline = Date.now() + waitMs;
    while (isSameProcess(pid, startTime)) {
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    if (!isSameProcess(pid, startTime)) return;
  }
  throw new Error(`the Temporal dev server left by a crashed platform (pid ${pid}) does not stop`);
}
