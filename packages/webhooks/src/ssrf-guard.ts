import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** One resolved address, as `dns.lookup(host, { all: true })` gives them. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (injectable, so tests can map a public-looking name anywhere). */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  /** WEBHOOK_ALLOW_PRIVATE: lets loopback and private ranges through (tests, self-hosted receivers). */
  allowPrivate: boolean;
  resolve?: ResolveHost;
}

/** A URL that passed the guard, with the address to connect to (pinned: nothing resolves the name again). */
export interface VettedUrl {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type WebhookUrlErrorCode = 'INVALID_URL' | 'UNRESOLVABLE' | 'FORBIDDEN_ADDRESS';

/** Why a webhook URL was refused; its message is safe to show the user who entered it. */
export class WebhookUrlError extends Error {
  constructor(
    readonly code: WebhookUrlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

/** What an address is, for the guard: `public` passes, `private` passes only with allowPrivate, `never` never. */
export type AddressClass = 'public' | 'private' | 'never';

function blockList(v4: readonly string[], v6: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, bits] = cidr.split('/');
    list.addSubnet(net ?? '', Number(bits), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, bits] = cidr.split('/');
    list.addSubnet(net ?? '', Number(bits), 'ipv6');
  }
  return list;
}

// Cloud metadata services, the unspecified address, multicast and reserved space: no receiver lives there, and
// a self-hosted setup has no reason to reach them either, so WEBHOOK_ALLOW_PRIVATE does not open them.
const NEVER = blockList(
  ['0.0.0.0/8', '169.254.169.254/32', '224.0.0.0/4', '240.0.0.0/4', '255.255.255.255/32'],
  ['::/128', 'fd00:ec2::254/128', 'ff00::/8'],
);

// Loopback, RFC 1918, CGNAT, link-local, unique-local and the other special-purpose ranges (RFC 6890).
const PRIVATE = blockList(
  [
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
  ],
  ['::1/128', 'fc00::/7', 'fe80::/10', '100::/64', '2001:db8::/32'],
);

/** The eight 16-bit groups of an IPv6 address (any textual form, including a dotted IPv4 tail). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const octets = dotted[1].split('.').map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail].map((group) => parseInt(group, 16));
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}

/**
 * The IPv4 address an IPv6 one stands for, when it embeds one: IPv4-mapped `::ffff:a.b.c.d` (how a dual-stack
 * socket reaches an IPv4 host) and the deprecated IPv4-compatible `::a.b.c.d`. Both reach the IPv4 host, so they
 * are judged as it; so is the NAT64 well-known prefix `64:ff9b::/96`, which a NAT64 gateway forwards to it.
 */
export function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  const prefixZero = groups.slice(0, 5).every((group) => group === 0);
  const mapped = prefixZero && groups[5] === 0xffff;
  const compatible = prefixZero && groups[5] === 0 && ((groups[6] ?? 0) !== 0 || (groups[7] ?? 0) > 1);
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (!mapped && !compatible && !nat64) return undefined;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** Classifies one IP address (v4 or v6, IPv4-mapped forms judged as the IPv4 address they carry). */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return 'never';
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return classifyAddress(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (NEVER.check(bare, type)) return 'never';
  if (PRIVATE.check(bare, type)) return 'private';
  return 'public';
}

const systemResolve: ResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/** Parses the text as a webhook URL: absolute http(s), a host, no credentials. Does not resolve anything. */
export function parseWebhookUrl(text: string): URL {
  if (!URL.canParse(text)) throw new WebhookUrlError('INVALID_URL', 'must be an absolute http:// or https:// URL');
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlError('INVALID_URL', 'must be an http:// or https:// URL');
  }
  if (url.hostname === '') throw new WebhookUrlError('INVALID_URL', 'must name a host');
  // Credentials in a URL would be listed back on every GET and logged by proxies; the signature authenticates.
  if (url.username !== '' || url.password !== '') {
    throw new WebhookUrlError('INVALID_URL', 'must not carry a user name or password');
  }
  return url;
}

/**
 * Checks a webhook URL and resolves its host: every address it resolves to must be allowed (one private address
 * among public ones would let a rebinding name pick it), and the first is returned to connect to. Called at
 * registration and again before every delivery attempt.
 */
export async function vetWebhookUrl(text: string, options: UrlGuardOptions): Promise<VettedUrl> {
  const url = parseWebhookUrl(text);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolve)(host);
    } catch {
      throw new WebhookUrlError('UNRESOLVABLE', `the host ${host} does not resolve`);
    }
  }
  const [first] = addresses;
  if (!first) throw new WebhookUrlError('UNRESOLVABLE', `the host ${host} does not resolve`);
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'never' || (kind === 'private' && !options.allowPrivate)) {
      throw new WebhookUrlError(
        'FORBIDDEN_ADDRESS',
        `the host ${host} resolves to ${address}, a ${kind === 'never' ? 'reserved' : 'private or loopback'} address; webhooks go to public addresses only`,
      );
    }
  }
  return { url, address: first.address, family: first.family };
}
