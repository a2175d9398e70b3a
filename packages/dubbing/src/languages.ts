/**
 * Apertium names languages by ISO 639-3 (`eng`, `spa`) in newer pairs and ISO 639-1 (`en`, `gl`) in older
 * ones; the platform speaks BCP-47 base codes. This table covers the languages of the Debian pairs that touch
 * the platform's TTS languages; a mode whose codes are not here is not listed.
 */
const ISO3_TO_BCP47: Readonly<Record<string, string>> = {
  eng: 'en',
  spa: 'es',
  cat: 'ca',
  glg: 'gl',
  epo: 'eo',
  fra: 'fr',
  por: 'pt',
  ita: 'it',
  deu: 'de',
  nld: 'nl',
  eus: 'eu',
  oci: 'oc',
  arg: 'an',
  ast: 'ast',
  ron: 'ro',
  swe: 'sv',
  dan: 'da',
  nob: 'nb',
  nno: 'nn',
  isl: 'is',
  rus: 'ru',
  ukr: 'uk',
  bel: 'be',
  pol: 'pl',
  mkd: 'mk',
  bul: 'bg',
  hbs: 'sh',
  slv: 'sl',
  afr: 'af',
  hin: 'hi',
  urd: 'ur',
  ind: 'id',
  zlm: 'ms',
  srd: 'sc',
};

const BCP47_BASES = new Set(Object.values(ISO3_TO_BCP47));

/** Apertium's code for a language (`eng`, `en`) as a BCP-47 base code, or undefined when unknown. */
export function apertiumCodeToBcp47(code: string): string | undefined {
  const lower = code.toLowerCase();
  if (lower in ISO3_TO_BCP47) return ISO3_TO_BCP47[lower];
  // Two-letter codes (`en`, `gl`, `eo` in the older pairs) are already BCP-47.
  if (lower === 'no') return 'nb';
  return BCP47_BASES.has(lower) ? lower : undefined;
}

/** The base language of a BCP-47 tag or ISO 639-3 code: `es-ES` → `es`, `spa` → `es`, `EN_us` → `en`. */
export function baseLanguage(tag: string): string {
  const first = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return apertiumCodeToBcp47(first) ?? first;
}
