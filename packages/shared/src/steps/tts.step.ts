import { z } from 'zod/v4';
import { languageCode, modelId } from './fields';
import { defineStep } from './step-definition';

/** Mirrors the engine's limit, checked at submit so a bad request never starts a job. */
export const MAX_TTS_CHARS = 10_000;
/** About 15 characters a second at normal speed: the credit hold for text not yet spoken. */
const CHARS_PER_SECOND = 15;

/** Synthesise speech from the job's text. */
export const ttsStep = defineStep({
  op: 'tts',
  summary: 'Text to speech, split at sentences',
  schema: z
    .object({
      op: z.literal('tts'),
      model: modelId.optional(),
      voice_id: z.string().trim().min(1).max(100).optional(),
      language: languageCode.optional(),
      /** Speaking-rate multiplier. */
      speed: z.number().min(0.5).max(2).optional(),
      /** Semitones up or down. */
      pitch: z.number().min(-12).max(12).optional(),
    })
    .strict(),
  input: 'text',
  weight: 1,
  prepare: (step, context) => {
    context.resolveModel({ task: 'tts', requested: step.model, language: step.language });
    return step;
  },
  estimateOutputMs: (step, source) =>
    Math.ceil(((source.text?.length ?? 0) / CHARS_PER_SECOND / (step.speed ?? 1)) * 1000),
});
export type TtsStep = z.output<typeof ttsStep.schema>;
