import { createTransport, type Transporter } from 'nodemailer';

import type { Mailer, MailMessage } from './mailer';

/**
 * An SMTP server shorter of breath than these is treated as down: a dead relay must not hold a queue of sends
 * (each with its message in memory) for nodemailer's defaults of 2 and 10 minutes.
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;
/** A few connections reused from a pool: bursts (many sign-ups) queue instead of opening a socket each. */
const MAX_CONNECTIONS = 3;

/** Sends over SMTP_URL (`smtp://` upgrades with STARTTLS when the server offers it, `smtps://` is TLS from the start). */
export class SmtpMailer implements Mailer {
  readonly description: string;
  private readonly transport: Transporter;

  constructor(url: string, from: string) {
    const parsed = new URL(url);
    // Never the credentials: this goes to the log.
    this.description = `SMTP ${parsed.protocol}//${parsed.host}`;
    this.transport = createTransport(
      {
        url,
        pool: true,
        maxConnections: MAX_CONNECTIONS,
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        greetingTimeout: GREETING_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
      },
      { from },
    );
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail(message);
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
