import { Logger, Module } from '@nestjs/common';
import type { Env } from '@voice/config';
import { type Mailer, mailerFromEnv } from '@voice/mail';

import { ENV, factoryProvider } from '../common/tokens';
import { MailDispatcher } from './mail-dispatcher';
import { MailLinks } from './mail-links';
import { MAILER } from './mailer';

/** SMTP when SMTP_URL is set, else the outbox folder under DATA_DIR; logged through Nest as the 'Mail' context. */
export function createMailer(env: Env): Mailer {
  const logger = new Logger('Mail');
  return mailerFromEnv(env, { log: (line) => logger.log(line) });
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
