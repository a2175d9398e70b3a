/** One mail: a plain-text part (what every client can show) and an HTML alternative. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What a template renders: a message still to be addressed. */
export type MailTemplate = Omit<MailMessage, 'to'>;

/**
 * Delivers mail. `send` resolves once the message is handed over (accepted by the SMTP server, or written to the
 * outbox) and rejects on failure. Callers that answer requests must not await it in the request (the API goes
 * through its MailDispatcher); a Temporal activity can, so a failed send is retried.
 */
export interface Mailer {
  /** For the start-up log and tests; never carries credentials. */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** Where a transport writes its one-line notes (the outbox names each file it wrote). */
export type MailLog = (line: string) => void;

/** The default MailLog, for processes without a logger of their own (the API passes Nest's). */
export const consoleMailLog: MailLog = (line) => console.log(`[mail] ${line}`);
