import { z } from 'zod/v4';

import { followUpStepsSchema, languageCode as language, modelId } from './job-schemas';

/** Mirrors the engine's limit (gpu-activities MAX_TTS_CHARS), checked here so a bad request never starts a job. */
export const MAX_TTS_CHARS = 10_000;

export const ttsBodySchema = z
  .object({
    text: z
      .string()
      .refine((text) => text.trim().length > 0, 'must not be empty')
      .refine((text) => text.length <= MAX_TTS_CHARS, `must be at most ${MAX_TTS_CHARS} characters`),
    model: modelId.optional(),
    voice_id: z.string().trim().min(1).max(100).optional(),
    language: language.optional(),
    parameters: z
      .object({
        /** Speaking-rate multiplier. */
        speed: z.number().min(0.5).max(2).optional(),
        /** Semitones up or down. */
        pitch: z.number().min(-12).max(12).optional(),
      })
      .strict()
      .optional(),
    then: followUpStepsSchema,
  })
  .strict();
export type TtsBody = z.output<typeof ttsBodySchema>;

/** Multipart fields of POST /api/audio/stt. */
export const sttFieldsSchema = z.object({
  model: modelId.optional(),
  language: language.default('en'),
});
export type SttFields = z.output<typeof sttFieldsSchema>;
