/** The name users see in the web app; mails say who they come from in words, not only in the From header. */
export const PRODUCT_NAME = 'Voice Studio';

/** A button-in-words: shown as a link in HTML, and in full in both parts for clients that disable links. */
export interface MailLink {
  href: string;
  label: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The HTML alternative: the same paragraphs as the text part, the link right after the first one. Inline styles
 * only, since mail clients drop <style>. `paragraphs` are plain text (escaped here); a line break inside one
 * becomes <br>, for short label: value blocks. The link is shown in full too, for clients that disable links.
 */
export function htmlLayout(paragraphs: readonly string[], link?: MailLink): string {
  const body = paragraphs.map(
    (paragraph) => `<p style="margin:0 0 16px">${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`,
  );
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
    `${body.join('')}<p style="margin:24px 0 0;font-size:13px;color:#475569">${PRODUCT_NAME}</p></body></html>`
  );
}

/** The plain-text part: paragraphs separated by blank lines, the link alone after the first, then a signature. */
export function textLayout(paragraphs: readonly string[], link?: string): string {
  const parts = link ? [paragraphs[0] ?? '', link, ...paragraphs.slice(1)] : paragraphs;
  return `${parts.join('\n\n')}\n\n-- \n${PRODUCT_NAME}\n`;
}
