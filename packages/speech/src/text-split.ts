// Abbreviations whose trailing period does not end a sentence.
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'inc',
  'ltd',
  'co',
  'no',
  'fig',
  'mt',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'approx',
  'dept',
  'est',
]);

/** Longest piece handed to a synthesiser in one call; longer "sentences" are cut at commas or spaces. */
export const MAX_SENTENCE_CHARS = 400;

/**
 * Splits text at sentence boundaries (., !, ?, …, and their CJK forms, or blank lines), keeping the
 * punctuation with its sentence. Common abbreviations and decimals do not split. Sentences longer than
 * `MAX_SENTENCE_CHARS` are cut at the last comma/semicolon, else the last space, so synthesis memory stays bounded.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const normalised = text.replace(/\r\n?/g, '\n');
  const re = /[^.!?…。！？\n]*(?:[.!?…。！？]+["'”’)\]]*|\n\s*\n|\n|$)/g;
  let pending = '';
  for (const match of normalised.matchAll(re)) {
    const piece = match[0];
    if (piece.length === 0) continue;
    pending += piece;
    const trimmed = pending.trim();
    if (trimmed.length === 0) {
      pending = '';
      continue;
    }
    const lastWord = /([\p{L}.]+)\.$/u.exec(trimmed)?.[1]?.toLowerCase();
    const single = /(?:^|\s)\p{Lu}\.$/u.test(trimmed); // an initial such as "J."
    const decimal = /\d\.$/.test(trimmed) && /^\d/.test(normalised.slice((match.index ?? 0) + piece.length));
    if ((lastWord !== undefined && ABBREVIATIONS.has(lastWord)) || single || decimal) {
      // Single newlines inside a paragraph are soft wraps: keep accumulating.
      continue;
    }
    if (piece.endsWith('\n') && !/[.!?…。！？]/.test(piece) && !/\n\s*\n$/.test(piece)) {
      pending = pending.replace(/\n$/, ' ');
      continue;
    }
    sentences.push(...capLength(trimmed.replace(/\s+/g, ' ')));
    pending = '';
  }
  const rest = pending.trim();
  if (rest.length > 0) sentences.push(...capLength(rest.replace(/\s+/g, ' ')));
  return sentences.filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function capLength(sentence: string): string[] {
  const out: string[] = [];
  let rest = sentence;
  while (rest.length > MAX_SENTENCE_CHARS) {
    const window = rest.slice(0, MAX_SENTENCE_CHARS);
    let cut = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '));
    if (cut < MAX_SENTENCE_CHARS / 2) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = MAX_SENTENCE_CHARS - 1;
    out.push(rest.slice(0, cut + 1).trim());
    rest = rest.slice(cut + 1).trim();
  }
  if (rest.length > 0) out.push(rest);
  return out;
}
