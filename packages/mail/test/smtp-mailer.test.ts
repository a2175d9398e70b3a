import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';

import { MailpitMailbox, waitForMail } from '@voice/testkit';

import { SmtpMailer } from '../src';

// The Mailpit scripts/test.mjs starts (it accepts any SMTP AUTH and records the user name).
const smtpUrl = process.env['TEST_SMTP_URL'];
const mailpitApi = process.env['TEST_MAILPIT_API'];
const noSmtp =
  smtpUrl && mailpitApi
    ? false
    : `no test SMTP server: ${process.env['TEST_SMTP_UNAVAILABLE'] ?? 'TEST_SMTP_URL is not set (run through scripts/test.mjs)'}`;

describe('SMTP mailer over a real SMTP server (Mailpit)', { skip: noSmtp }, () => {
  it('delivers both parts from MAIL_FROM, signed in with the URL credentials', async () => {
    const mailer = new SmtpMailer(smtpUrl ?? '', 'Voice Studio <no-reply@voice.example.test>');
    const to = `receipt-${randomUUID()}@example.test`;
    try {
      await mailer.send({ to, subject: 'Your receipt', text: 'Paid: $50.00\n', html: '<p>Paid: $50.00</p>' });
      const [mail] = await waitForMail(new MailpitMailbox(mailpitApi ?? ''), to);
      assert.deepEqual(mail?.to, [to]);
      assert.equal(mail?.from, 'no-reply@voice.example.test');
      assert.equal(mail?.subject, 'Your receipt');
      assert.equal(mail?.text.trim(), 'Paid: $50.00');
      assert.ok(mail?.html.includes('<p>Paid: $50.00</p>'));
      assert.equal(mail?.smtpUser, new URL(smtpUrl ?? '').username);
      assert.ok(!mailer.description.includes('@'), 'the description (logged) carries no credentials');
    } finally {
      await mailer.close();
    }
  });
});
