import * as path from 'node:path';

import type { Env } from '@voice/config';

import { consoleMailLog, type MailLog, type Mailer } from './mailer';
import { OutboxMailer } from './outbox-mailer';
import { SmtpMailer } from './smtp-mailer';

/** The part of the env that picks and configures the transport. */
export type MailEnv = Pick<Env, 'SMTP_URL' | 'MAIL_FROM' | 'DATA_DIR'>;

export interface MailerOptions {
  /** The start-up line and the outbox's per-mail lines; defaults to the console. */
  log?: MailLog;
}

/** The outbox folder the embedded default writes to (DATA_DIR is shared by the API and the workers). */
export function outboxDir(env: Pick<Env, 'DATA_DIR'>): string {
  return path.join(env.DATA_DIR, 'outbox');
}

/**
 * SMTP when SMTP_URL is set, else the outbox folder under DATA_DIR (the embedded default). Logs which one, once.
 * Call it when the process starts, not per mail: the SMTP transport keeps a connection pool; `close()` it on exit.
 */
export function mailerFromEnv(env: MailEnv, options: MailerOptions = {}): Mailer {
  const log = options.log ?? consoleMailLog;
  const mailer = env.SMTP_URL
    ? new SmtpMailer(env.SMTP_URL, env.MAIL_FROM)
    : new OutboxMailer(outboxDir(env), env.MAIL_FROM, log);
  log(`Sending mail through ${mailer.description}`);
  return mailer;
}
