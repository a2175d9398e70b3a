import type { MailMessage } from './mailer';

/** The name users see in the web app; mails say who they come from in words, not only in the From header. */
const PRODUCT = 'Voice Studio';

type Template = Omit<MailMessage, 'to'>;

// No mail quotes anything a user typed (such as the account's name): whoever registers an address that is not
// theirs would otherwise get to write a paragraph of our mail to its owner.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The HTML alternative: the same paragraphs as the text part, links as buttons-in-words. Inline styles only,
 * since mail clients drop <style>. `paragraphs` are plain text; `link` is shown in full too, for clients that
 * disable links.
 */
function html(paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((paragraph) => `<p style="margin:0 0 16px">${escapeHtml(paragraph)}</p>`);
  if (link) {
    const href = escapeHtml(link.href);
    body.splice(
      1,
      0,
      `<p style="margin:0 0 16px"><a href="${href}" style="color:#4338ca;font-weight:bold">${escapeHtml(link.label)}</a></p>`,
      `<p style="margin:0 0 16px;font-size:13px;color:#475569">Or paste this address into your browser: ${href}</p>`,
    );
  }
  return (
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:15px;color:#0f172a;max-width:560px">' +
    `${body.join('')}<p style="margin:24px 0 0;font-size:13px;color:#475569">${PRODUCT}</p></body></html>`
  );
}

function text(paragraphs: string[], link?: string): string {
  const parts = link ? [paragraphs[0] ?? '', link, ...paragraphs.slice(1)] : paragraphs;
  return `${parts.join('\n\n')}\n\n-- \n${PRODUCT}\n`;
}

const hours = (value: number) => (value === 1 ? '1 hour' : `${value} hours`);

export function verifyEmailMail(args: { link: string; ttlHours: number }): Template {
  const paragraphs = [
    `Hello, please confirm that this is your email address for ${PRODUCT} by opening this link:`,
    `The link works once, within ${hours(args.ttlHours)}. Until you confirm, you can try everything except ` +
      'downloading results. If you did not create an account, ignore this mail.',
  ];
  return {
    subject: `Confirm your email address for ${PRODUCT}`,
    text: text(paragraphs, args.link),
    html: html(paragraphs, { href: args.link, label: 'Confirm my email address' }),
  };
}

/** To the owner of an email someone tried to register again: nothing changed, and here is what to do. */
export function registrationAttemptMail(args: { signInUrl: string }): Template {
  const paragraphs = [
    `Hello, someone tried to create a ${PRODUCT} account with this email address. You already ` +
      'have one, so nothing was changed. If it was you, sign in here:',
    'Forgot your password? Choose "Forgot password" when signing in and we will mail you a reset link. ' +
      'If it was not you, you can ignore this mail.',
  ];
  return {
    subject: `Someone tried to sign up to ${PRODUCT} with your email`,
    text: text(paragraphs, args.signInUrl),
    html: html(paragraphs, { href: args.signInUrl, label: 'Sign in' }),
  };
}

export function resetPasswordMail(args: { link: string; ttlMinutes: number }): Template {
  const paragraphs = [
    `Hello, to choose a new ${PRODUCT} password, open this link:`,
    `The link works once, within ${args.ttlMinutes} minutes; choosing a new password signs you out everywhere. ` +
      'If you did not ask for this, ignore this mail: your password stays as it is.',
  ];
  return {
    subject: `Reset your ${PRODUCT} password`,
    text: text(paragraphs, args.link),
    html: html(paragraphs, { href: args.link, label: 'Choose a new password' }),
  };
}

/** Sent after a reset, so an owner whose mailbox was used by someone else learns of it. */
export function passwordChangedMail(args: { signInUrl: string }): Template {
  const paragraphs = [
    `Hello, the password of your ${PRODUCT} account was just changed with a reset link, and every ` +
      'device was signed out. Sign in with the new password here:',
    'If this was not you, ask for a new reset link right away from the sign-in page, and secure your mailbox.',
  ];
  return {
    subject: `Your ${PRODUCT} password was changed`,
    text: text(paragraphs, args.signInUrl),
    html: html(paragraphs, { href: args.signInUrl, label: 'Sign in' }),
  };
}
