import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { classifyAddress, embeddedIpv4, vetWebhookUrl, WebhookUrlError, type ResolveHost } from '../src';

const PUBLIC = { allowPrivate: false };

function rejectsWith(code: WebhookUrlError['code']) {
  return (error: unknown) => error instanceof WebhookUrlError && error.code === code;
}

describe('SSRF guard: address classes', () => {
  for (const address of [
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '100.127.255.254',
    '169.254.10.10',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:c0a8:101',
    '64:ff9b::a00:1',
  ]) {
    it(`${address} is private`, () => assert.equal(classifyAddress(address), 'private'));
  }

  for (const address of [
    '0.0.0.0',
    '169.254.169.254',
    'fd00:ec2::254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::',
    '::ffff:0.0.0.0',
    '224.0.0.1',
    'ff02::1',
    'not-an-ip',
  ]) {
    it(`${address} is never allowed`, () => assert.equal(classifyAddress(address), 'never'));
  }

  for (const address of [
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
  ]) {
    it(`${address} is public`, () => assert.equal(classifyAddress(address), 'public'));
  }

  it('reads the IPv4 address inside mapped, compatible and NAT64 forms', () => {
    assert.equal(embeddedIpv4('::ffff:7f00:1'), '127.0.0.1');
    assert.equal(embeddedIpv4('0:0:0:0:0:ffff:192.168.0.1'), '192.168.0.1');
    assert.equal(embeddedIpv4('64:ff9b::0a00:0001'), '10.0.0.1');
    assert.equal(embeddedIpv4('2606:4700::1111'), undefined);
    assert.equal(embeddedIpv4('::1'), undefined);
  });
});

describe('SSRF guard: URLs', () => {
  const resolveTo =
    (...addresses: string[]): ResolveHost =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('accepts a public https URL and returns the address to pin', async () => {
    const vetted = await vetWebhookUrl('https://hooks.example.com/in?x=1', {
      ...PUBLIC,
      resolve: resolveTo('93.184.216.34'),
    });
    assert.equal(vetted.address, '93.184.216.34');
    assert.equal(vetted.family, 4);
    assert.equal(vetted.url.pathname, '/in');
  });

  for (const url of [
    'ftp://example.com/',
    'file:///etc/passwd',
    'gopher://example.com',
    'javascript:alert(1)',
    '/relative',
    'https://user:pw@example.com/',
  ]) {
    it(`refuses ${url}`, async () => {
      await assert.rejects(
        vetWebhookUrl(url, { ...PUBLIC, resolve: resolveTo('93.184.216.34') }),
        rejectsWith('INVALID_URL'),
      );
    });
  }

  for (const url of [
    'http://127.0.0.1/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://10.0.0.5/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://169.254.169.254/latest/meta-data/',
  ]) {
    it(`refuses the literal address in ${url}`, async () => {
      await assert.rejects(vetWebhookUrl(url, PUBLIC), rejectsWith('FORBIDDEN_ADDRESS'));
    });
  }

  it('refuses a public-looking name that resolves to a private address', async () => {
    await assert.rejects(
      vetWebhookUrl('https://innocent.example.com/hook', { ...PUBLIC, resolve: resolveTo('10.0.0.7') }),
      rejectsWith('FORBIDDEN_ADDRESS'),
    );
  });

  it('refuses a name when any one of its addresses is private', async () => {
    await assert.rejects(
      vetWebhookUrl('https://mixed.example.com/', {
        ...PUBLIC,
        resolve: resolveTo('93.184.216.34', '::ffff:127.0.0.1'),
      }),
      rejectsWith('FORBIDDEN_ADDRESS'),
    );
  });

  it('refuses a name that does not resolve', async () => {
    const failing: ResolveHost = async () => {
      throw new Error('ENOTFOUND');
    };
    await assert.rejects(
      vetWebhookUrl('https://nowhere.invalid/', { ...PUBLIC, resolve: failing }),
      rejectsWith('UNRESOLVABLE'),
    );
    await assert.rejects(
      vetWebhookUrl('https://empty.example/', { ...PUBLIC, resolve: resolveTo() }),
      rejectsWith('UNRESOLVABLE'),
    );
  });

  it('WEBHOOK_ALLOW_PRIVATE lets loopback and private through, never metadata or 0.0.0.0', async () => {
    const allow = { allowPrivate: true };
    assert.equal((await vetWebhookUrl('http://127.0.0.1:9000/', allow)).address, '127.0.0.1');
    assert.equal((await vetWebhookUrl('http://[::1]/', allow)).family, 6);
    await assert.rejects(vetWebhookUrl('http://169.254.169.254/', allow), rejectsWith('FORBIDDEN_ADDRESS'));
    await assert.rejects(vetWebhookUrl('http://0.0.0.0:9000/', allow), rejectsWith('FORBIDDEN_ADDRESS'));
    await assert.rejects(vetWebhookUrl('http://[fd00:ec2::254]/', allow), rejectsWith('FORBIDDEN_ADDRESS'));
  });
});
