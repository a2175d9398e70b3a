import type { ModelListing } from '../jobs/model-listing';

/** OpenAI's model names, mapped onto what is installed. */
export const WHISPER_ALIAS = 'whisper-1';
export const OPENAI_TTS_MODELS = ['tts-1', 'tts-1-hd'] as const;
export type OpenAiTtsModel = (typeof OPENAI_TTS_MODELS)[number];
export const OPENAI_VOICES = ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer'] as const;
export type OpenAiVoice = (typeof OPENAI_VOICES)[number];

/**
 * tts-1 is OpenAI's fast model: flite (classical, five speakers, about 230 ms for a sentence as it starts a process
 * per sentence); tts-1-hd its quality one: Piper (neural). The fastest engine, espeak-ng (a native binary, about
 * 30 ms a sentence), is there by its own id: its output is the hardest to hear (at 2× speed, in some accents and after
 * a voice conversion it can fail the intelligibility gate), which OpenAI's model names should not.
 */
const TTS_ENGINE_FOR: Record<OpenAiTtsModel, string> = { 'tts-1': 'flite', 'tts-1-hd': 'piper-en-us-joe-medium' };

/**
 * OpenAI's voices on the installed engines (the README's table): espeak-ng's English accents, flite's five
 * speakers (slt is its female voice), and Piper's one English voice here, joe.
 */
export const VOICE_TABLE: Readonly<Record<string, Readonly<Record<OpenAiVoice, string>>>> = {
  'espeak-ng': {
    alloy: 'en-us',
    echo: 'en-gb',
    fable: 'en-gb-scotland',
    onyx: 'en-gb-x-rp',
    nova: 'en-us-nyc',
    shimmer: 'en-029',
  },
  flite: { alloy: 'slt', echo: 'rms', fable: 'awb', onyx: 'kal', nova: 'kal16', shimmer: 'slt' },
  'piper-en-us-joe-medium': { alloy: 'joe', echo: 'joe', fable: 'joe', onyx: 'joe', nova: 'joe', shimmer: 'joe' },
};

export function isOpenAiVoice(voice: string): voice is OpenAiVoice {
  return (OPENAI_VOICES as readonly string[]).includes(voice);
}

/**
 * The STT model a request names: `whisper-1` is the best installed one (undefined lets the step pick it, as
 * selectModel does for the language), any installed STT id is itself; anything else is unknown (undefined ok).
 */
export function resolveSttModel(model: string, listing: ModelListing): { ok: true; model?: string } | { ok: false } {
  if (model === WHISPER_ALIAS) return listing.tasks.stt.length > 0 ? { ok: true } : { ok: false };
  return listing.tasks.stt.some((installed) => installed.id === model) ? { ok: true, model } : { ok: false };
}

/**
 * The model a translation runs on: whisper-1 is the best installed multilingual Whisper (English-only models have
 * no translate task), an explicit id must be one. Pinned on the step, so the worker cannot fall back to another.
 */
export function resolveTranslationModel(model: string, listing: ModelListing): string | undefined {
  const multilingual = listing.tasks.stt.filter(
    (installed) => installed.id.startsWith('whisper-') && installed.languages.length > 1,
  );
  if (model === WHISPER_ALIAS) return multilingual[0]?.id;
  return multilingual.find((installed) => installed.id === model)?.id;
}

/** A TTS engine for the request's model: tts-1 / tts-1-hd by the table (else the default voice), or an installed id. */
export function resolveTtsEngine(model: string, listing: ModelListing): string | undefined {
  const installed = listing.tasks.tts;
  if (model === 'tts-1' || model === 'tts-1-hd') {
    const wanted = TTS_ENGINE_FOR[model];
    return installed.find((engine) => engine.id === wanted)?.id ?? installed[0]?.id;
  }
  return installed.find((engine) => engine.id === model)?.id;
}

/** What a `voice` is on an engine: an OpenAI name, one of the engine's own voices, or a library voice to clone. */
export function resolveVoice(
  voice: string,
  engine: string,
  listing: ModelListing,
): { kind: 'engine'; voiceId?: string } | { kind: 'library'; voiceId: string } {
  if (isOpenAiVoice(voice))
    return { kind: 'engine', ...(VOICE_TABLE[engine] ? { voiceId: VOICE_TABLE[engine][voice] } : {}) };
  const own = listing.tasks.tts.find((installed) => installed.id === engine)?.voices ?? [];
  return own.includes(voice) ? { kind: 'engine', voiceId: voice } : { kind: 'library', voiceId: voice };
}

/** Every id the /v1 endpoints accept as `model`, OpenAI's names first (only those something installed serves). */
export function acceptedModelIds(listing: ModelListing): string[] {
  const ids: string[] = [];
  if (listing.tasks.stt.length > 0) ids.push(WHISPER_ALIAS);
  if (listing.tasks.tts.length > 0) ids.push(...OPENAI_TTS_MODELS);
  ids.push(...listing.tasks.stt.map((model) => model.id), ...listing.tasks.tts.map((model) => model.id));
  return ids;
}
