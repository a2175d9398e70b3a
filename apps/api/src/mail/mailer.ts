import type { Mailer } from '@voice/mail';

import { token } from '../common/tokens';

// The transport lives in @voice/mail, shared with the workers; the API injects it under this token.
export type { Mailer, MailMessage } from '@voice/mail';

/** The process's one Mailer (mailerFromEnv); callers go through MailDispatcher, which never fails a request. */
export const MAILER = token<Mailer>('MAILER');
