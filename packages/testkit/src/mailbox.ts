import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A mail as a recipient sees it: decoded parts, not MIME. */
export interface ReceivedMail {
  /** Recipient addresses, lowercased. */
  to: string[];
  from: string;
  subject: string;
  /** The text/plain part ('' if there is none). */
  text: string;
  /** The text/html part ('' if there is none). */
  html: string;
  /** The SMTP AUTH user the sender signed in with, where the mailbox records it (Mailpit). */
  smtpUser?: string;
}

/** Where tests read the mails the platform sent. */
export interface Mailbox {
  readonly description: string;
  /** Every mail to `address` so far, oldest first. */
  list(address: string): Promise<ReceivedMail[]>;
}

export interface WaitForMailOptions {
  /** Wait until this many mails to the address match (default 1). */
  count?: number;
  /** Only mails whose subject matches. */
  subject?: RegExp;
  timeoutMs?: number;
}

/**
 * Waits for mail to `address` (sending is in the background, after the HTTP answer) and returns every match, oldest
 * first. Polls, since neither mailbox pushes.
 */
export async function waitForMail(
  mailbox: Mailbox,
  address: string,
  options: WaitForMailOptions = {},
): Promise<ReceivedMail[]> {
  const count = options.count ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const mails = (await mailbox.list(address)).filter(
      (mail) => !options.subject || options.subject.test(mail.subject),
    );
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) {
      throw new Error(
        `${mails.length} of ${count} mail(s) to ${address}${options.subject ? ` matching ${String(options.subject)}` : ''} ` +
          `arrived in ${mailbox.description} within ${options.timeoutMs ?? 15_000} ms`,
      );
    }
    await sleep(50);
  }
}

/**
 * The first link in the mail's plain-text part that starts with `prefix` (a base URL plus path), or that matches
 * `prefix` when it is a pattern.
 */
export function linkIn(mail: ReceivedMail, prefix: string | RegExp): string {
  const matches = (candidate: string) =>
    typeof prefix === 'string' ? candidate.startsWith(prefix) : prefix.test(candidate);
  const link = mail.text.match(/https?:\/\/\S+/g)?.find(matches);
  if (!link) throw new Error(`no link like ${String(prefix)} in the text part of "${mail.subject}":\n${mail.text}`);
  return link;
}

interface MailpitAddress {
  Name: string;
  Address: string;
}

interface MailpitSummary {
  ID: string;
  Created: string;
  To: MailpitAddress[] | null;
}

interface MailpitMessage {
  From: MailpitAddress | null;
  To: MailpitAddress[] | null;
  Subject: string;
  Text: string;
  HTML: string;
  Username?: string;
}

/** Mails received by a Mailpit server, through its HTTP API (`/api/v1/search`, `/api/v1/message/{ID}`). */
export class MailpitMailbox implements Mailbox {
  readonly description: string;

  constructor(private readonly apiUrl: string) {
    this.description = `Mailpit at ${apiUrl}`;
  }

  async list(address: string): Promise<ReceivedMail[]> {
    const wanted = address.toLowerCase();
    const query = encodeURIComponent(`to:"${wanted}"`);
    const found = await this.get<{ messages: MailpitSummary[] }>(`/api/v1/search?query=${query}&limit=200`);
    // The search matches substrings of addresses; keep exact recipients only. Oldest first.
    const summaries = found.messages
      .filter((summary) => (summary.To ?? []).some((to) => to.Address.toLowerCase() === wanted))
      .sort((a, b) => a.Created.localeCompare(b.Created));
    return Promise.all(
      summaries.map(async (summary) => {
        const message = await this.get<MailpitMessage>(`/api/v1/message/${summary.ID}`);
        return {
          to: (message.To ?? []).map((to) => to.Address.toLowerCase()),
          from: message.From?.Address ?? '',
          subject: message.Subject,
          text: message.Text,
          html: message.HTML,
          ...(message.Username ? { smtpUser: message.Username } : {}),
        };
      }),
    );
  }

  private async get<T>(route: string): Promise<T> {
    const response = await fetch(`${this.apiUrl}${route}`);
    if (!response.ok) throw new Error(`Mailpit GET ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }
}

/** Mails the API's outbox driver (no SMTP_URL) wrote as `.eml` files into `dir`. */
export class OutboxMailbox implements Mailbox {
  readonly description: string;

  constructor(readonly dir: string) {
    this.description = `outbox ${dir}`;
  }

  async list(address: string): Promise<ReceivedMail[]> {
    const wanted = address.toLowerCase();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // Names start with an ISO timestamp, so sorting them is sorting by time; partial files start with a dot.
    const files = names.filter((name) => name.endsWith('.eml') && !name.startsWith('.')).sort();
    const mails = await Promise.all(files.map(async (name) => parseEml(await readFile(path.join(this.dir, name)))));
    return mails.filter((mail) => mail.to.includes(wanted));
  }
}

interface MimePart {
  headers: Map<string, string>;
  body: Buffer;
}

function splitPart(raw: Buffer): MimePart {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end === -1 ? text : text.slice(0, end);
  const separator = end === -1 ? '' : (/\r?\n\r?\n/.exec(text.slice(end))?.[0] ?? '');
  const headers = new Map<string, string>();
  // Unfold continuation lines, then split "Name: value".
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end === -1 ? Buffer.alloc(0) : raw.subarray(end + separator.length) };
}

function parameter(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(header);
  return match?.[1];
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const joined = body.toString('latin1').replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.toString('latin1'), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(part.body).toString('utf8');
  return part.body.toString('utf8');
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), as nodemailer writes non-ASCII headers. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_match, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(Buffer.from(data.replace(/_/g, ' '), 'latin1')).toString('utf8'),
    );
}

function leaves(part: MimePart): MimePart[] {
  const type = part.headers.get('content-type') ?? 'text/plain';
  const boundary = parameter(type, 'boundary');
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) return [part];
  const sections = part.body.toString('latin1').split(`--${boundary}`);
  // sections[0] is the preamble; the last one starts with "--" (the closing delimiter).
  return (
    sections
      .slice(1)
      .filter((section) => !section.startsWith('--'))
      // The line break before a delimiter belongs to the delimiter (RFC 2046), not to the part.
      .map((section) => section.replace(/^\r?\n/, '').replace(/\r?\n$/, ''))
      .flatMap((section) => leaves(splitPart(Buffer.from(section, 'latin1'))))
  );
}

const addresses = (value: string | undefined) =>
  (value?.match(/[^\s<>,"]+@[^\s<>,"]+/g) ?? []).map((a) => a.toLowerCase());

/** Parses the .eml files nodemailer renders: headers, multipart/alternative, quoted-printable or base64 parts. */
export function parseEml(raw: Buffer): ReceivedMail {
  const message = splitPart(raw);
  const parts = leaves(message);
  const partOf = (type: string) =>
    parts.find((part) => (part.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(type));
  const text = partOf('text/plain');
  const html = partOf('text/html');
  return {
    to: addresses(message.headers.get('to')),
    from: addresses(message.headers.get('from'))[0] ?? '',
    subject: decodeHeader(message.headers.get('subject') ?? ''),
    // Line ends as the recipient's client shows them.
    text: text ? decodeBody(text).replace(/\r\n/g, '\n') : '',
    html: html ? decodeBody(html) : '',
  };
}
