import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { parseEml } from '@voice/testkit';

import { currencyDecimals, formatMinorAmount, OutboxMailer, paymentReceiptMail, type PaymentReceiptArgs } from '../src';

// Intl keeps a code and its amount together with a no-break space; compare with a plain one.
const plain = (value: string) => value.replace(/\u00a0/g, ' ');

const receipt: PaymentReceiptArgs = {
  to: 'ada@example.com',
  name: 'Ada',
  packageName: 'Pro',
  minutes: 180,
  amountMinor: 5000,
  currency: 'usd',
  paymentId: 'pay_01JABCDEF',
  creditsBalance: 190 * 60 + 30,
  billingUrl: 'https://voice.example.test/billing',
};

describe('formatMinorAmount (integer minor units, the currency’s own decimals)', () => {
  it('formats cents, yen and fils with the ISO 4217 number of decimals', () => {
    assert.equal(formatMinorAmount(5000, 'usd'), '$50.00');
    assert.equal(formatMinorAmount(5, 'USD'), '$0.05');
    assert.equal(formatMinorAmount(0, 'usd'), '$0.00');
    assert.equal(formatMinorAmount(5000, 'jpy'), '¥5,000', 'JPY has no minor unit: 5000 is five thousand yen');
    assert.equal(formatMinorAmount(123456, 'inr'), '₹1,234.56');
    assert.equal(formatMinorAmount(5000, 'cad'), 'CA$50.00', 'another dollar is told apart from USD');
    assert.equal(plain(formatMinorAmount(1500, 'kwd')), 'KWD 1.500');
    assert.equal(formatMinorAmount(-5000, 'eur'), '-€50.00');
    assert.deepEqual(['usd', 'JPY', 'krw', 'kwd', 'clf'].map(currencyDecimals), [2, 0, 0, 3, 4]);
  });

  it('is exact up to the largest safe integer, where dividing by 100 as a float would misstate the cents', () => {
    assert.equal(formatMinorAmount(Number.MAX_SAFE_INTEGER, 'usd'), '$90,071,992,547,409.91');
    assert.equal(formatMinorAmount(9_007_199_254_740_987, 'usd'), '$90,071,992,547,409.87');
  });

  it('refuses fractional or unsafe amounts and malformed currency codes', () => {
    assert.throws(() => formatMinorAmount(50.5, 'usd'), RangeError);
    assert.throws(() => formatMinorAmount(Number.MAX_SAFE_INTEGER + 1, 'usd'), RangeError);
    assert.throws(() => formatMinorAmount(Number.NaN, 'usd'), RangeError);
    assert.throws(() => formatMinorAmount(100, 'us'), RangeError);
    assert.throws(() => formatMinorAmount(100, 'us dollar'), RangeError);
  });
});

describe('paymentReceiptMail', () => {
  it('states package, minutes, amount, reference and balance in both parts, with the billing link after the greeting', () => {
    const mail = paymentReceiptMail(receipt);
    assert.equal(mail.to, 'ada@example.com');
    assert.equal(mail.subject, 'Your Voice Studio receipt: Pro, $50.00');

    const [greeting, link, details, closing, ...rest] = mail.text.split('\n\n');
    assert.match(greeting ?? '', /^Hello Ada, thank you for your payment\. 180 minutes of credit were added/);
    assert.equal(link, 'https://voice.example.test/billing');
    assert.deepEqual(details?.split('\n'), [
      'Package: Pro (180 minutes)',
      'Amount paid: $50.00 (USD)',
      'Payment reference: pay_01JABCDEF',
      'Credit balance now: 190 minutes 30 seconds',
    ]);
    assert.match(closing ?? '', /quote the payment reference/);
    assert.deepEqual(rest, ['-- \nVoice Studio\n']);

    assert.ok(mail.html.includes('<a href="https://voice.example.test/billing"'));
    assert.ok(mail.html.includes('Amount paid: $50.00 (USD)<br>Payment reference: pay_01JABCDEF<br>'));
    assert.ok(mail.html.includes('Credit balance now: 190 minutes 30 seconds'));
  });

  it('uses singulars and zero-decimal currencies, and does not repeat a code already shown', () => {
    const yen = paymentReceiptMail({ ...receipt, minutes: 1, amountMinor: 500, currency: 'jpy', creditsBalance: 60 });
    assert.match(yen.text, /1 minute of credit was added/);
    assert.match(yen.text, /\nAmount paid: ¥500 \(JPY\)\n/);
    assert.match(yen.text, /\nCredit balance now: 1 minute\n/);
    const dinar = paymentReceiptMail({ ...receipt, amountMinor: 12_345, currency: 'KWD', creditsBalance: 45 });
    assert.match(plain(dinar.text), /\nAmount paid: KWD 12\.345\n/);
    assert.match(dinar.text, /\nCredit balance now: 45 seconds\n/);
  });

  it('quotes the account name on one line, cut at 60 characters, and escaped in HTML', () => {
    const name = `<b>Eve</b>\n\nYour account is locked, call us ${'x'.repeat(80)}`;
    const mail = paymentReceiptMail({ ...receipt, name });
    const greeting = mail.text.split('\n\n')[0] ?? '';
    const quoted = greeting.slice('Hello '.length, greeting.indexOf(', thank you'));
    assert.equal(quoted.length, 60);
    assert.ok(quoted.endsWith('…'));
    assert.ok(!quoted.includes('\n'), 'a name cannot start a paragraph of its own');
    assert.ok(mail.html.includes('Hello &lt;b&gt;Eve&lt;/b&gt; Your account is locked'));
    assert.ok(!mail.html.includes('<b>Eve'));
    assert.match(paymentReceiptMail({ ...receipt, name: '  ' }).text, /^Hello, thank you/);
  });

  it('refuses a grant of no minutes or a fractional balance rather than mail a wrong receipt', () => {
    assert.throws(() => paymentReceiptMail({ ...receipt, minutes: 0 }), RangeError);
    assert.throws(() => paymentReceiptMail({ ...receipt, creditsBalance: 1.5 }), RangeError);
    assert.throws(() => paymentReceiptMail({ ...receipt, creditsBalance: -60 }), RangeError);
  });

  it('survives MIME rendering: the outbox .eml decodes back to the same text, symbols included', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'voice-receipt-'));
    try {
      const mail = paymentReceiptMail({ ...receipt, name: 'Zoë Ångström', currency: 'eur' });
      await new OutboxMailer(dir, 'Voice Studio <billing@localhost>', () => undefined).send(mail);
      const [file = ''] = await readdir(dir);
      const received = parseEml(await readFile(path.join(dir, file)));
      assert.equal(received.subject, 'Your Voice Studio receipt: Pro, €50.00');
      assert.equal(received.text, mail.text);
      assert.ok(received.text.includes('Hello Zoë Ångström,'));
      assert.equal(received.html, mail.html);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
