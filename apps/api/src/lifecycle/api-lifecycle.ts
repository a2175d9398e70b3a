import type { Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Global, Injectable, Logger, Module } from '@nestjs/common';

/** How often sockets that went idle during a drain are closed (after their in-flight response ended). */
const IDLE_SWEEP_MS = 100;

export interface DrainOptions {
  /** In-flight requests get this long (after the delay) before their connections are destroyed. */
  graceMs: number;
  /** SHUTDOWN_DRAIN_DELAY_SECONDS: keep accepting this long, readiness at 503, before the listener closes. */
  delayMs?: number;
}

export interface DrainResult {
  /** Connections still open when the grace period ended, destroyed with whatever they were doing. */
  forced: number;
  durationMs: number;
}

/**
 * The API's shutdown state and its HTTP drain. On SIGTERM (closeOnSignals) the process drains before Nest's own
 * shutdown hooks run, because those close the database and storage that in-flight requests still use:
 * 1. readiness (GET /api/health) answers 503, so load balancers take this instance out; every response from now on
 *    says `Connection: close`, so clients' pooled connections move elsewhere;
 * 2. every live event stream is told to reconnect (elsewhere) and ended; new ones are refused with 503;
 * 3. after SHUTDOWN_DRAIN_DELAY_SECONDS (0 by default) the listener closes: new connections are refused, keep-alive
 *    sockets close as soon as they are idle;
 * 4. in-flight requests finish, for up to the grace period (SHUTDOWN_GRACE_SECONDS); what is left is destroyed.
 */
@Injectable()
export class ApiLifecycle {
  private readonly logger = new Logger('Shutdown');
  private server: Server | undefined;
  private readonly inFlight = new Set<ServerResponse>();
  private readonly drainListeners = new Set<() => void>();
  private drainStarted = false;
  private drained: Promise<DrainResult> | undefined;

  /** True from the moment a drain began: readiness fails, new event streams are refused. */
  get draining(): boolean {
    return this.drainStarted;
  }

  /** Requests whose response has not finished yet. */
  get inFlightRequests(): number {
    return this.inFlight.size;
  }

  /** Follows the HTTP server's requests, so a drain can ask in-flight ones to close their connection when done. */
  attach(server: Server): void {
    this.server = server;
    server.on('request', (_request, response: ServerResponse) => {
      if (this.drainStarted) closeAfterResponse(response);
      this.inFlight.add(response);
      response.once('close', () => this.inFlight.delete(response));
    });
  }

  /** `listener` runs once when a drain begins (event streams end there); returns its removal. */
  onDrain(listener: () => void): () => void {
    this.drainListeners.add(listener);
    return () => this.drainListeners.delete(listener);
  }

  /** Runs the drain once; later calls return the same outcome. */
  drain(options: DrainOptions): Promise<DrainResult> {
    this.drained ??= this.runDrain(options);
    return this.drained;
  }

  private async runDrain({ graceMs, delayMs = 0 }: DrainOptions): Promise<DrainResult> {
    const started = performance.now();
    this.drainStarted = true;
    for (const listener of [...this.drainListeners]) {
      try {
        listener();
      } catch (error) {
        this.logger.error(`A drain listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const server = this.server;
    if (!server?.listening) return { forced: 0, durationMs: 0 };
    for (const response of this.inFlight) closeAfterResponse(response);
    if (delayMs > 0) {
      // Still accepting, readiness at 503: a load balancer polling health takes this instance out meanwhile.
      this.logger.log(`Readiness is 503; accepting connections for ${Math.round(delayMs / 1000)} s more`);
      await sleep(delayMs);
    }
    // close() stops accepting at once and (Node ≥ 19) closes the sockets idle right now; its callback fires when
    // the last connection is gone. Sockets that become idle later (a response just ended) are swept below.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let forced = 0;
    const deadline = setTimeout(() => {
      forced = this.inFlight.size;
      this.logger.warn(`Grace period over: cutting ${forced} request(s) still in flight`);
      server.closeAllConnections();
    }, graceMs);
    this.logger.log(`Draining: ${this.inFlight.size} request(s) in flight, up to ${Math.round(graceMs / 1000)} s`);
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(deadline);
    }
    return { forced, durationMs: Math.round(performance.now() - started) };
  }
}

/** Asks Node to close the connection after this response (unless its headers went out already). */
function closeAfterResponse(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}

/** Provides the one ApiLifecycle to every module (health, event streams) and to the launcher through `app.get`. */
@Global()
@Module({ providers: [ApiLifecycle], exports: [ApiLifecycle] })
export class LifecycleModule {}
