import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { envSchema, envToVariables, type Env } from '@voice/config';
import type { MetricsSnapshot } from '@voice/metrics';
import { processLogger, writeLogLine } from '@voice/runtime';
import { isHostMessage, type MetricsRequestMessage, type StartMessage, type WorkerRole } from './worker-host-protocol';

/** Niceness of the worker host relative to the platform (0 = same; 19 = lowest). */
const WORKER_HOST_NICENESS = 10;

export interface WorkerHostOptions {
  /** The platform's env; the host gets it as variables, with the resolved Temporal address. */
  env: Env;
  temporalAddress: string;
  signingSecret: string;
  roles: WorkerRole[];
  /** How long a stopping host may take (in-flight inference sees its cancel) before it is killed. */
  stopGraceMs?: number;
  /** Until the first host is ready, how long to wait (model-free start: a few seconds; slow disks more). */
  startTimeoutMs?: number;
}

const ENTRY = path.join(__dirname, 'worker-host.js');
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** A host that stayed up this long was healthy: its next crash restarts it quickly again. */
const STABLE_AFTER_MS = 60_000;
/** A scrape waits this long for the host's metrics, then goes out with the platform's own (Prometheus times out at 10 s). */
const METRICS_TIMEOUT_MS = 2_000;

/**
 * Runs the media and GPU workers in a child process of their own and keeps it running: a host that dies is
 * restarted with exponential backoff (Temporal retries the activities it held once their heartbeat or
 * start-to-close timeout passes). `stop()` sends SIGTERM so the workers drain, then SIGKILL after a grace
 * period. The host exits by itself when this process dies, through its IPC channel.
 */
export class WorkerHostSupervisor {
  private child: ChildProcess | undefined;
  private stopping = false;
  private supervising = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = FIRST_BACKOFF_MS;
  private startedAt = 0;
  /** Restarts so far; the bench and the logs read it. */
  restarts = 0;
  private metricsRequests = 0;

  constructor(private readonly options: WorkerHostOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the first host and resolves once its workers poll; rejects if it dies or stalls before that. */
  async start(): Promise<void> {
    const child = this.spawnHost();
    const timeoutMs = this.options.startTimeoutMs ?? 120_000;
    try {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          clearTimeout(timer);
          child.off('exit', onEarlyExit);
          if (error) reject(error);
          else resolve();
        };
        const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
          settle(new Error(`worker host exited before it was ready (code ${String(code)}, signal ${String(signal)})`));
        const timer = setTimeout(() => settle(new Error(`worker host not ready after ${timeoutMs} ms`)), timeoutMs);
        child.on('exit', onEarlyExit);
        this.readyOf(child).then(() => settle(), settle);
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
    // Only a host that came up is worth restarting; one that cannot start fails the platform's start instead.
    this.supervising = true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs ?? 15_000);
    await exited;
    clearTimeout(kill);
  }

  /**
   * The host's metrics registry as data (over IPC), for the platform's merged /metrics; undefined when there is no
   * live host (restarting) or it did not answer within METRICS_TIMEOUT_MS, so a scrape never hangs on it.
   */
  async metricsSnapshot(): Promise<MetricsSnapshot | undefined> {
    const child = this.child;
    if (!child?.connected) return undefined;
    const id = ++this.metricsRequests;
    return new Promise((resolve) => {
      const finish = (snapshot: MetricsSnapshot | undefined) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(snapshot);
      };
      const onMessage = (message: unknown) => {
        if (isHostMessage(message) && message.type === 'metrics' && message.id === id) finish(message.snapshot);
      };
      const onExit = () => finish(undefined);
      const timer = setTimeout(() => finish(undefined), METRICS_TIMEOUT_MS);
      child.on('message', onMessage);
      child.once('exit', onExit);
      const request: MetricsRequestMessage = { type: 'metrics-request', id };
      child.send(request, (error) => {
        if (error) finish(undefined);
      });
    });
  }

  private spawnHost(): ChildProcess {
    const { env, temporalAddress, roles } = this.options;
    const inherited = { ...process.env };
    // The host must parse the parent's env, not whatever this process was started with: drop every key the
    // schema owns, then set them from the parsed env (the secret travels over IPC instead).
    for (const key of Object.keys(envSchema.shape)) delete inherited[key];
    const child = fork(ENTRY, roles, {
      // The admin credentials are the API's alone (both go: config refuses one without the other).
      env: {
        ...inherited,
        // JSON whatever this process prints: its lines join this process's stream, which formats them (see below).
        ...envToVariables(
          { ...env, TEMPORAL_ADDRESS: temporalAddress, LOG_FORMAT: 'json', ...hostTemporalMetricsPort(env) },
          ['JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD'],
        ),
      },
      // Never inherit stdout: under the test runner this process's stdout is its report stream.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a terminal's Ctrl-C reaches the platform only, which then stops the host in
      // order instead of racing it (a host that quit on its own would be restarted).
      detached: true,
    });
    forwardLines(child.stdout, 'info');
    forwardLines(child.stderr, 'warn');
    child.once('spawn', () => {
      // On a shared machine the API answers first and inference takes what is left: a busy denoise must not
      // hold up submits and status reads (the Whisper sidecar and ffmpeg inherit this niceness).
      if (child.pid !== undefined) {
        try {
          setPriority(child.pid, WORKER_HOST_NICENESS);
        } catch {
          // Not permitted in some containers; the host then runs at the platform's priority.
        }
      }
      const start: StartMessage = { type: 'start', signingSecret: this.options.signingSecret };
      // A host that died at once closes the channel; its exit is handled (and reported) by the 'exit' listener.
      child.send(start, () => undefined);
    });
    child.on('error', (error) => processLogger().error({ err: error }, 'worker host error'));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.child = child;
    this.startedAt = Date.now();
    return child;
  }

  private readyOf(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      const onMessage = (message: unknown) => {
        if (!isHostMessage(message) || message.type !== 'ready') return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || !this.supervising || child !== this.child) return;
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.backoffMs = FIRST_BACKOFF_MS;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    processLogger().error(
      { code, signal, delayMs: delay },
      `worker host exited unexpectedly (code ${String(code)}, signal ${String(signal)}); restarting in ${delay} ms`,
    );
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restarts += 1;
      const next = this.spawnHost();
      this.readyOf(next).then(
        () => processLogger().warn({ workerHostPid: next.pid }, 'worker host restarted'),
        () => undefined,
      );
    }, delay);
  }
}

/**
 * The Temporal SDK's exporter binds its port per process: the platform's runtime takes TEMPORAL_METRICS_PORT, so the
 * host's takes the next one (0 stays 0, any free port).
 */
function hostTemporalMetricsPort(env: Env): Pick<Env, 'TEMPORAL_METRICS_PORT'> {
  const port = env.TEMPORAL_METRICS_PORT;
  return { TEMPORAL_METRICS_PORT: port === undefined || port === 0 ? port : port + 1 };
}

/**
 * Passes the host's log lines (JSON, already filtered and redacted there) into this process's log stream as they
 * are; anything else it prints (a native library's warning, a crash trace) becomes a line of this process's log.
 */
function forwardLines(stream: Readable | null, level: 'info' | 'warn'): void {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => {
    if (isJsonObject(line)) writeLogLine(line);
    else if (line.trim()) processLogger()[level]({ source: 'worker-host' }, line);
  });
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

/**
 * The worker host of a platform process started elsewhere (`npm start`, the bench's platform process), found
 * in /proc: its child running worker-host.js. For tools that sample its memory or kill it; Linux only.
 */
export function findWorkerHostPid(platformPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== platformPid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('worker-host.js')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}
