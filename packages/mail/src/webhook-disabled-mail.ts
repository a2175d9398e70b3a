import { htmlLayout, PRODUCT_NAME, textLayout } from './mail-layout';
import type { MailMessage } from './mailer';

export interface WebhookDisabledArgs {
  to: string;
  name: string;
  /** The endpoint's URL as registered. */
  url: string;
  /** How long it kept failing before it was disabled, in hours. */
  failingHours: number;
  /** The web app's Developer page, where the endpoint can be registered again. */
  developerUrl: string;
}

/** Tells an owner their webhook endpoint was disabled after failing for the whole retry window. */
export function webhookDisabledMail(args: WebhookDisabledArgs): MailMessage {
  const paragraphs = [
    `Hello ${args.name.replace(/\s+/g, ' ').trim().slice(0, 60)},`,
    `Deliveries to your webhook endpoint ${args.url} failed for ${args.failingHours} hours, so it has been disabled: it receives no new events. The delivery log on the Developer page shows each attempt and its answer.`,
    'Once the receiver answers with a 2xx again, register the endpoint anew (you will get a new signing secret) and redeliver the events you missed.',
  ];
  return {
    to: args.to,
    subject: `${PRODUCT_NAME}: webhook endpoint disabled`,
    text: textLayout(paragraphs, args.developerUrl),
    html: htmlLayout(paragraphs, { href: args.developerUrl, label: 'Open the Developer page' }),
  };
}
