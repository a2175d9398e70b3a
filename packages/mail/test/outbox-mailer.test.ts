import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { parseEml } from '@voice/testkit';

import { OutboxMailer } from '../src';

describe('outbox mailer (the embedded default without SMTP_URL)', () => {
  it('writes each mail as an .eml file with its plain-text part and logs one line naming the file, not the link', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'voice-outbox-'));
    try {
      const lines: string[] = [];
      const mailer = new OutboxMailer(path.join(dir, 'outbox'), 'Voice Studio <no-reply@localhost>', (line) =>
        lines.push(line),
      );
      // Longer than a quoted-printable line (76), so the reader must undo soft line breaks.
      const link = `http://localhost:3000/api/auth/verify-email/${'T'.repeat(43)}?and=${'x'.repeat(60)}`;
      await mailer.send({ to: 'ada@example.com', subject: 'Confirm', text: `Open ${link}\n`, html: `<a>${link}</a>` });

      const files = await readdir(path.join(dir, 'outbox'));
      assert.equal(files.length, 1, 'no partial file left behind');
      const [file = ''] = files;
      assert.match(file, /^\d{4}-\d{2}-\d{2}T.*\.eml$/);
      assert.equal(lines.length, 1);
      assert.ok(lines[0]?.includes(path.join(dir, 'outbox', file)), 'the log line names the file');
      assert.ok(lines[0]?.includes('ada@example.com'));
      assert.ok(!lines[0]?.includes('T'.repeat(43)), 'the link is not logged');

      const raw = await readFile(path.join(dir, 'outbox', file));
      assert.match(raw.toString('latin1'), /\r\nContent-Type: multipart\/alternative/i, 'CRLF, as on the wire');
      const mail = parseEml(raw);
      assert.deepEqual(mail.to, ['ada@example.com']);
      assert.equal(mail.from, 'no-reply@localhost');
      assert.equal(mail.text, `Open ${link}\n`);
      assert.ok(mail.html.includes(link));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
