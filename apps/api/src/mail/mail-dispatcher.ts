import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';

import { MAILER, type Mailer, type MailMessage } from './mailer';

/**
 * Background work in flight beyond this is dropped with a warning rather than queued: every pending send holds
 * its message in memory, and a stuck SMTP relay under a flood of sign-ups must not grow the heap without bound.
 */
const MAX_PENDING = 500;
/** How long shutdown waits for mails still being sent (the SMTP timeouts bound each one anyway). */
const DRAIN_ON_SHUTDOWN_MS = 15_000;

/**
 * Runs mail work after the response, so a request never waits for, or fails because of, the mail server, and two
 * code paths that mail differently (or not at all) answer in the same time. Failures are logged, never thrown.
 */
@Injectable()
export class MailDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly pending = new Set<Promise<void>>();

  constructor(@Inject(MAILER) private readonly mailer: Mailer) {}

  /** Sends `message` in the background; `what` names it in a failure log ("verification mail"). */
  send(message: MailMessage, what: string): void {
    this.run(what, () => this.mailer.send(message));
  }

  /**
   * Runs `task` in the background (database work that decides what to mail, then `mailer` sends). A failure is
   * logged with `what` and the error's message: neither includes a token, since tokens live only in mail bodies.
   */
  run(what: string, task: (mailer: Mailer) => Promise<void>): void {
    if (this.pending.size >= MAX_PENDING) {
      this.logger.warn(`Dropped the ${what}: ${MAX_PENDING} mails are already waiting for the mail server`);
      return;
    }
    const done: Promise<void> = Promise.resolve()
      .then(() => task(this.mailer))
      .catch((error: unknown) => {
        this.logger.error(`Could not send the ${what}: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  /** Resolves once everything dispatched so far has finished, sent or failed. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  // Before (not on) shutdown: the database and the transport must still be open while the last mails go out.
  async beforeApplicationShutdown(): Promise<void> {
    const timer = new AbortController();
    const drained = await Promise.race([
      this.drain().then(() => true),
      sleep(DRAIN_ON_SHUTDOWN_MS, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!drained) this.logger.warn(`Shutting down with ${this.pending.size} mails unsent`);
    await this.mailer.close();
  }
}
