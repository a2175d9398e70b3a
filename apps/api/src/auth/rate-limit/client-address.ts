import { isIPv4, isIPv6 } from 'node:net';

/**
 * The rate-limit key of a client address. IPv4 counts per address (IPv4-mapped IPv6 included); IPv6 per /64,
 * the smallest block a subscriber is normally given, or one host could rotate through 2^64 addresses and
 * never meet a quota.
 */
export function clientAddressKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address)) return address;
  const withoutZone = address.split('%')[0] ?? address;
  if (!isIPv6(withoutZone)) return address;
  return `${expandIPv6(withoutZone).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros ("::1" → 0,0,0,0,0,0,0,1). */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): string[] =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? dottedToGroups(group) : [hex(group)]));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
}

const hex = (group: string): string => Number.parseInt(group, 16).toString(16);

/** A trailing dotted IPv4 part ("::ffff:1.2.3.4", "64:ff9b::1.2.3.4") is two groups. */
function dottedToGroups(dotted: string): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
