import { z } from 'zod/v4';
import { countWords, hasSpeakableContent, speakableText } from '../speakable-text';
import { languageCode, modelId } from './fields';
import { defineStep } from './step-definition';

/** Mirrors the engine's limit, checked at submit so a bad request never starts a job. */
export const MAX_TTS_CHARS = 10_000;
/** About 15 characters a second at normal speed: the credit hold for text not yet spoken. */
const CHARS_PER_SECOND = 15;
/**
 * The pitch shift moves the formants with the pitch (no formant correction). Past ±6 semitones the recogniser
 * that checks every TTS output stops hearing the words (−9 and −12 failed on every text tried, +12 on most at
 * speed 1 and 2), so the job would fail its quality check after the work was done.
 */
export const MAX_PITCH_SEMITONES = 6;
/**
 * A large shift on a word or two cannot be checked: "hi" shifted 3–6 semitones was heard as "bye" or nothing in
 * 15 of 18 trials (and "Hi there." in 7 of 12), while ±2 passed, and so did texts of three or more words.
 */
export const SHORT_TEXT_MAX_PITCH_SEMITONES = 2;
export const MIN_WORDS_FOR_LARGE_PITCH_SHIFT = 3;

/**
 * The text of a TTS request: at most MAX_TTS_CHARS as sent, then normalised by `speakableText` (control
 * characters and emoji go), and it must still have a letter or digit to say. The output is what the engine gets.
 */
export const ttsTextSchema = z
  .string()
  // `abort`: a refused text is not also normalised and refused a second time for having nothing to speak.
  .max(MAX_TTS_CHARS, { message: `must be at most ${MAX_TTS_CHARS} characters`, abort: true })
  .refine((text) => text.trim().length > 0, { message: 'must not be empty', abort: true })
  .transform(speakableText)
  .pipe(
    z
      .string()
      .refine(
        hasSpeakableContent,
        'has nothing to speak: it needs a letter or digit (emoji and control characters are removed)',
      ),
  );

/**
 * Why this text cannot be spoken with these parameters, or undefined. Checked at submit, where the text and the
 * step meet; `text` is the normalised text.
 */
export function ttsParameterProblem(text: string, step: { pitch?: number | undefined }): string | undefined {
  const pitch = Math.abs(step.pitch ?? 0);
  if (pitch > SHORT_TEXT_MAX_PITCH_SEMITONES && countWords(text) < MIN_WORDS_FOR_LARGE_PITCH_SHIFT) {
    return (
      `a shift of more than ${SHORT_TEXT_MAX_PITCH_SEMITONES} semitones needs at least ` +
      `${MIN_WORDS_FOR_LARGE_PITCH_SHIFT} words of text (shorter speech shifted that far cannot be recognised ` +
      `to check it); use -${SHORT_TEXT_MAX_PITCH_SEMITONES}…${SHORT_TEXT_MAX_PITCH_SEMITONES} for shorter text`
    );
  }
  return undefined;
}

/** Synthesise speech from the job's text. */
export const ttsStep = defineStep({
  op: 'tts',
  summary: 'Text to speech, split at sentences',
  schema: z
    .object({
      op: z.literal('tts'),
      model: modelId.optional(),
      /** One of the model's own voices (the 400 for an unknown one lists them). */
      voice_id: z.string().trim().min(1).max(100).optional(),
      language: languageCode.optional(),
      /** Speaking-rate multiplier. */
      speed: z.number().min(0.5).max(2).optional(),
      /** Semitones up or down. */
      pitch: z
        .number()
        .min(-MAX_PITCH_SEMITONES, `must be between -${MAX_PITCH_SEMITONES} and ${MAX_PITCH_SEMITONES} semitones`)
        .max(MAX_PITCH_SEMITONES, `must be between -${MAX_PITCH_SEMITONES} and ${MAX_PITCH_SEMITONES} semitones`)
        .optional(),
      stream: z
        .boolean()
        .optional()
        .meta({
          // Set by the platform itself (POST /v1/audio/speech): the web app's job builder leaves it out.
          'x-internal': true,
          description:
            'Also store each sentence as soon as it is spoken (raw 24 kHz PCM parts under the job), for delivery ' +
            'that starts before the whole text is synthesised (POST /v1/audio/speech sets it)',
        }),
    })
    .strict(),
  input: 'text',
  prepare: (step, context) => {
    const model = context.resolveModel({ task: 'tts', requested: step.model, language: step.language });
    if (step.voice_id === undefined) return step;
    context.requireTtsVoice(model, step.voice_id);
    // The voice was checked against this model: pin it, so the worker cannot pick another without that voice.
    return { ...step, model };
  },
  estimateOutputMs: (step, source) =>
    Math.ceil(((source.text?.length ?? 0) / CHARS_PER_SECOND / (step.speed ?? 1)) * 1000),
});
export type TtsStep = z.output<typeof ttsStep.schema>;
