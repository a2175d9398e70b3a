import { UnsupportedAccentError } from './errors';

/** TTS model ids from the registry (packages/models speech-models.ts) that realise accents. */
export type AccentModelId = 'piper-en-us-joe-medium' | 'espeak-ng';

/** One way to speak an accent: a registry TTS model and its voice. */
export interface AccentVoiceOption {
  readonly modelId: AccentModelId;
  readonly voiceId: string;
  readonly kind: 'neural' | 'classical';
}

/** An accent the platform can produce, best voice first. */
export interface AccentDefinition {
  /** Canonical id accepted by `target_accent`. */
  readonly id: string;
  readonly displayName: string;
  /** BCP-47 tag of the variety; its base language must match the transcript's. */
  readonly language: string;
  /** Other names users type (normalised: lower case, words joined by `-`). */
  readonly aliases: readonly string[];
  readonly voices: readonly AccentVoiceOption[];
}

/** The voice chosen for an accent. */
export interface AccentVoice extends AccentVoiceOption {
  readonly accent: string;
  readonly displayName: string;
  readonly language: string;
}

const espeak = (voiceId: string): AccentVoiceOption => ({ modelId: 'espeak-ng', voiceId, kind: 'classical' });

/**
 * Accents with a voice in this Debian's espeak-ng (1.51: `espeak-ng --voices=en`) or Piper. Irish, Indian,
 * Australian and South African English have no voice here, so they are rejected rather than approximated; the
 * `mb-*` voices need MBROLA, which is not installed.
 */
export const ACCENTS: readonly AccentDefinition[] = [
  {
    id: 'american',
    displayName: 'General American English',
    language: 'en-US',
    aliases: ['us', 'usa', 'en-us', 'general-american', 'american-english', 'united-states'],
    // Piper joe (neural, en-US) first; espeak's en-us when the Piper voice is not installed.
    voices: [{ modelId: 'piper-en-us-joe-medium', voiceId: 'joe', kind: 'neural' }, espeak('en-us')],
  },
  {
    id: 'new-york',
    displayName: 'New York City English',
    language: 'en-US',
    aliases: ['nyc', 'new-york-city', 'en-us-nyc'],
    voices: [espeak('en-us-nyc')],
  },
  {
    id: 'british',
    displayName: 'British English (southern England)',
    language: 'en-GB',
    aliases: ['uk', 'gb', 'en-gb', 'english', 'british-english', 'england'],
    voices: [espeak('en-gb')],
  },
  {
    id: 'received-pronunciation',
    displayName: 'Received Pronunciation',
    language: 'en-GB',
    aliases: ['rp', 'posh', 'queens-english', 'kings-english', 'en-gb-x-rp'],
    voices: [espeak('en-gb-x-rp')],
  },
  {
    id: 'scottish',
    displayName: 'Scottish English',
    language: 'en-GB',
    aliases: ['scotland', 'scots', 'scottish-english', 'en-gb-scotland'],
    voices: [espeak('en-gb-scotland')],
  },
  {
    id: 'lancashire',
    displayName: 'Northern English (Lancaster)',
    language: 'en-GB',
    aliases: ['lancaster', 'northern', 'northern-english', 'en-gb-x-gbclan'],
    voices: [espeak('en-gb-x-gbclan')],
  },
  {
    id: 'west-midlands',
    displayName: 'West Midlands English',
    language: 'en-GB',
    aliases: ['brummie', 'birmingham', 'midlands', 'en-gb-x-gbcwmd'],
    voices: [espeak('en-gb-x-gbcwmd')],
  },
  {
    id: 'caribbean',
    displayName: 'Caribbean English',
    language: 'en-029',
    aliases: ['jamaican', 'west-indian', 'caribbean-english', 'en-029'],
    voices: [espeak('en-029')],
  },
  {
    id: 'castilian',
    displayName: 'Castilian Spanish (Spain)',
    language: 'es-ES',
    aliases: ['spain', 'spanish-spain', 'european-spanish', 'es-es', 'es'],
    voices: [espeak('es')],
  },
  {
    id: 'latin-american',
    displayName: 'Latin American Spanish',
    language: 'es-419',
    aliases: ['latin-american-spanish', 'latam', 'mexican', 'es-419', 'es-mx'],
    voices: [espeak('es-419')],
  },
  {
    id: 'european-portuguese',
    displayName: 'European Portuguese',
    language: 'pt-PT',
    aliases: ['portugal', 'pt-pt', 'pt'],
    voices: [espeak('pt')],
  },
  {
    id: 'brazilian',
    displayName: 'Brazilian Portuguese',
    language: 'pt-BR',
    aliases: ['brazil', 'brazilian-portuguese', 'pt-br'],
    voices: [espeak('pt-br')],
  },
];

/** Lower case, runs of anything but letters and digits → one `-`: "Received Pronunciation" → "received-pronunciation". */
function normalizeAccent(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f']/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Supported accents, for listings and error messages. */
export function listAccents(): readonly AccentDefinition[] {
  return ACCENTS;
}

export interface AccentVoiceOptions {
  /** Whether a TTS model is installed (e.g. `isInstalled` from @voice/models); every model counts when omitted. */
  readonly isAvailable?: (modelId: AccentModelId) => boolean;
}

/**
 * The TTS model, voice and language variant that speaks `targetAccent` (an id, alias or BCP-47 tag such as
 * `en-GB`), preferring a neural voice when it is available. Throws UnsupportedAccentError listing the ids.
 * When no option is available the classical espeak-ng voice is returned: the TTS engine then names the missing
 * package.
 */
export function accentVoiceFor(targetAccent: string, options: AccentVoiceOptions = {}): AccentVoice {
  const key = normalizeAccent(targetAccent);
  const accent = ACCENTS.find((a) => a.id === key || a.aliases.includes(key));
  if (!accent)
    throw new UnsupportedAccentError(
      targetAccent,
      ACCENTS.map((a) => a.id),
    );
  const available = options.isAvailable ?? (() => true);
  const voice = accent.voices.find((v) => available(v.modelId)) ?? accent.voices[accent.voices.length - 1]!;
  return { accent: accent.id, displayName: accent.displayName, language: accent.language, ...voice };
}
