import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { parseEnv } from '@voice/config';
import { OutboxMailbox } from '@voice/testkit';

import { mailerFromEnv, OutboxMailer, outboxDir, SmtpMailer } from '../src';

async function withDataDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'voice-mail-env-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('mailerFromEnv (SMTP_URL picks SMTP, else the outbox under DATA_DIR)', () => {
  it('without SMTP_URL writes MAIL_FROM mails into DATA_DIR/outbox, and says so once at start', async () => {
    await withDataDir(async (dir) => {
      const env = parseEnv({ NODE_ENV: 'test', DATA_DIR: dir, MAIL_FROM: 'Billing <billing@example.test>' });
      const lines: string[] = [];
      const mailer = mailerFromEnv(env, { log: (line) => lines.push(line) });
      try {
        assert.ok(mailer instanceof OutboxMailer);
        assert.equal(outboxDir(env), path.join(dir, 'outbox'));
        assert.equal(mailer.description, `outbox ${path.join(dir, 'outbox')}`);
        assert.deepEqual(lines, [`Sending mail through outbox ${path.join(dir, 'outbox')}`]);

        await mailer.send({ to: 'ada@example.com', subject: 'Receipt', text: 'Paid.\n', html: '<p>Paid.</p>' });
        const [mail, ...more] = await new OutboxMailbox(outboxDir(env)).list('ada@example.com');
        assert.equal(more.length, 0);
        assert.equal(mail?.from, 'billing@example.test');
        assert.equal(mail?.subject, 'Receipt');
        assert.equal(lines.length, 2, 'the outbox logs through the same sink');
      } finally {
        await mailer.close();
      }
    });
  });

  it('with SMTP_URL sends over SMTP and describes the server without its credentials', async () => {
    await withDataDir(async (dir) => {
      const env = parseEnv({
        NODE_ENV: 'test',
        DATA_DIR: dir,
        SMTP_URL: 'smtps://mailer:s3cret@mail.example.test:465',
      });
      const lines: string[] = [];
      const mailer = mailerFromEnv(env, { log: (line) => lines.push(line) });
      try {
        assert.ok(mailer instanceof SmtpMailer);
        assert.equal(mailer.description, 'SMTP smtps://mail.example.test:465');
        assert.deepEqual(lines, ['Sending mail through SMTP smtps://mail.example.test:465']);
        assert.ok(!lines.some((line) => line.includes('s3cret') || line.includes('mailer:')));
      } finally {
        await mailer.close();
      }
    });
  });
});
