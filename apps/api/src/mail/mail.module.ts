import * as path from 'node:path';

import { Logger, Module } from '@nestjs/common';
import type { Env } from '@voice/config';

import { ENV, factoryProvider } from '../common/tokens';
import { MailDispatcher } from './mail-dispatcher';
import { MailLinks } from './mail-links';
import { MAILER, type Mailer } from './mailer';
import { OutboxMailer } from './outbox-mailer';
import { SmtpMailer } from './smtp-mailer';

/** SMTP when SMTP_URL is set, else the outbox folder under DATA_DIR (the embedded default). */
export function createMailer(env: Env): Mailer {
  const mailer = env.SMTP_URL
    ? new SmtpMailer(env.SMTP_URL, env.MAIL_FROM)
    : new OutboxMailer(path.join(env.DATA_DIR, 'outbox'), env.MAIL_FROM);
  new Logger('Mail').log(`Sending mail through ${mailer.description}`);
  return mailer;
}

/** Outgoing mail: inject MailDispatcher to send in the background, MailLinks to build the links in mails. */
@Module({
  providers: [
    factoryProvider(MAILER, createMailer, [ENV]),
    MailDispatcher,
    { provide: MailLinks, useFactory: (env: Env) => new MailLinks(env), inject: [ENV] },
  ],
  exports: [MailDispatcher, MailLinks],
})
export class MailModule {}
