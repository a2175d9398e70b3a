import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { createTransport } from 'nodemailer';

import { consoleMailLog, type MailLog, type Mailer, type MailMessage } from './mailer';

/**
 * The embedded default (no SMTP_URL): each mail is rendered exactly as it would go over SMTP and written to
 * `<dir>/<time>-<random>.eml`, which any mail client opens, and a log line names the file. The line carries the
 * recipient, subject and path, never the body: the body holds single-use links.
 */
export class OutboxMailer implements Mailer {
  readonly description: string;
  // streamTransport renders the MIME message without sending it; CRLF line ends as on the wire (RFC 5322).
  private readonly renderer;

  constructor(
    private readonly dir: string,
    from: string,
    private readonly log: MailLog = consoleMailLog,
  ) {
    this.description = `outbox ${dir}`;
    this.renderer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' }, { from });
  }

  async send(message: MailMessage): Promise<void> {
    const info = await this.renderer.sendMail(message);
    if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer rendered a stream despite buffer: true');
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    const file = path.join(this.dir, name);
    // Written under a temporary name and renamed, so nobody watching the folder reads half a mail. 0600: the
    // mail grants what its link grants.
    const partial = path.join(this.dir, `.${name}.partial`);
    await writeFile(partial, info.message, { mode: 0o600 });
    await rename(partial, file);
    this.log(`Mail to ${message.to} ("${message.subject}") written to ${file}`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
