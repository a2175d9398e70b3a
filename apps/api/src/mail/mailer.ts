import { token } from '../common/tokens';

/** One mail: a plain-text part (what every client can show) and an HTML alternative. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Delivers mail. `send` resolves once the message is handed over (accepted by the SMTP server, or written to the
 * outbox) and rejects on failure; callers go through MailDispatcher, which never lets a failure reach a request.
 */
export interface Mailer {
  /** For the start-up log and tests. */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

export const MAILER = token<Mailer>('MAILER');
