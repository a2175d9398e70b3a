/**
 * Text as a speech engine should receive it. Pure and deterministic (workflows import this package).
 *
 * - Line breaks stay line breaks (CR LF, CR, NEL, U+2028/9 become `\n`): the sentence splitter reads a blank
 *   line as a paragraph end. Tabs, vertical tabs and form feeds become spaces.
 * - Every other C0/C1 control character, a byte-order mark and unpaired surrogates are removed.
 * - Emoji are dropped: pictographs with their skin-tone modifiers, variation selectors, keycaps and ZWJ joins,
 *   flags (regional-indicator pairs and tag sequences). A ZWJ inside a word of an Indic script is kept.
 * - Runs of spaces left behind collapse to one; each line and the whole are trimmed.
 */
export function speakableText(text: string): string {
  return (
    text
      .replace(LINE_BREAKS, '\n')
      .replace(SPACING_CONTROLS, ' ')
      .replace(OTHER_CONTROLS, '')
      // ‼ and ⁉ are pictographs, but they end sentences; keep that.
      .replace(/\u203c\ufe0f?/gu, '!!')
      .replace(/\u2049\ufe0f?/gu, '?!')
      .replace(EMOJI_SEQUENCE, ' ')
      .replace(EMOJI_LEFTOVERS, '')
      .replace(/[ \u00a0]{2,}/gu, ' ')
      .replace(/ *\n */gu, '\n')
      .trim()
  );
}

/** Whether `text` has anything to say: a letter or a digit (the engines drop pieces without one). */
export function hasSpeakableContent(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** Words in `text` by the Unicode word rules (so scripts written without spaces count too). */
export function countWords(text: string): number {
  let words = 0;
  for (const segment of WORDS.segment(text)) if (segment.isWordLike) words += 1;
  return words;
}

const WORDS = new Intl.Segmenter('und', { granularity: 'word' });

const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/gu;
const SPACING_CONTROLS = /[\t\v\f]/gu;
// C0 except \n, DEL, C1; the BOM; lone surrogates (a broken pair would reach the engine as U+FFFD).
const OTHER_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff]|\p{Cs}/gu;

// One emoji: a pictograph (or a keycap base) with its modifiers, joined to more by ZWJ; or a flag.
const EMOJI_MODIFIERS = '[\\u{fe0e}\\u{fe0f}\\u{20e3}\\p{Emoji_Modifier}\\u{e0020}-\\u{e007f}]*';
const PICTOGRAPH = `\\p{Extended_Pictographic}${EMOJI_MODIFIERS}`;
const EMOJI_SEQUENCE = new RegExp(
  `(?:\\u{200d}*${PICTOGRAPH}(?:\\u{200d}+${PICTOGRAPH})*\\u{200d}*)|\\p{Regional_Indicator}+`,
  'gu',
);
// What a sequence can leave: a keycap's marks after its digit, a stray selector, modifier, tag or joiner.
const EMOJI_LEFTOVERS =
  /[\u{fe0e}\u{fe0f}\u{20e3}\p{Emoji_Modifier}\u{e0020}-\u{e007f}]|(?<![\p{L}\p{M}])\u{200d}|\u{200d}(?![\p{L}\p{M}])/gu;
