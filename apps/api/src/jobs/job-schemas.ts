import { z } from 'zod/v4';
import { NOISE_LEVELS } from '@voice/shared';

export const modelId = z.string().trim().min(1).max(100);

export const languageCode = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as "en" or "es"');

export const denoiseStepSchema = z
  .object({
    op: z.literal('denoise'),
    noise_level: z.enum(NOISE_LEVELS).optional(),
    model: modelId.optional(),
  })
  .strict();

export const normalizeStepSchema = z
  .object({
    op: z.literal('normalize'),
    // Broadcast (−23) to loud social (−9); outside that range a target is almost certainly a typo.
    target_lufs: z.number().min(-40).max(-5).optional(),
  })
  .strict();

const seconds = z
  .number()
  .min(0)
  .max(24 * 3600);
export const editOperationSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('remove_blooper'), start_time: seconds, end_time: seconds })
    .strict()
    .refine((operation) => operation.end_time > operation.start_time, 'end_time must be after start_time'),
  z
    .object({
      type: z.literal('mute_word'),
      word: z.string().trim().min(1).max(100),
      mode: z.enum(['silence', 'bleep']).optional(),
    })
    .strict(),
  z.object({ type: z.literal('trim_silence') }).strict(),
]);

export const editOperationsSchema = z.array(editOperationSchema).min(1, 'must list at least one operation').max(20);

export const editStepSchema = z.object({ op: z.literal('edit'), operations: editOperationsSchema }).strict();

export const sttStepSchema = z
  .object({ op: z.literal('stt'), language: languageCode.optional(), model: modelId.optional() })
  .strict();

export const voiceCloneStepSchema = z
  .object({
    op: z.literal('voice_clone'),
    target_voice_id: z.uuid({ error: 'must be a voice id (UUID) from /api/voices' }),
    model: modelId.optional(),
  })
  .strict();

export const dubStepSchema = z
  .object({ op: z.literal('dub'), target_language: languageCode, source_language: languageCode.default('en') })
  .strict();

export const accentStepSchema = z
  .object({ op: z.literal('accent_change'), target_accent: z.string().trim().min(1).max(50) })
  .strict();

/** Every step that takes audio in, so a job can chain them (for example denoise → dub). */
export const pipelineStepsSchema = z
  .array(
    z.discriminatedUnion('op', [
      denoiseStepSchema,
      normalizeStepSchema,
      editStepSchema,
      sttStepSchema,
      voiceCloneStepSchema,
      dubStepSchema,
      accentStepSchema,
    ]),
  )
  .min(1, 'must list at least one step')
  .max(10, 'at most 10 steps per job');

/** Optional `then` of the TTS and generator bodies: audio steps run on what they make, in the same job. */
export const followUpStepsSchema = pipelineStepsSchema.optional().meta({
  description:
    'Steps run on the generated audio in the same job, as in POST /api/jobs, e.g. [{"op":"voice_clone","target_voice_id":"…"}]',
});

/** A JSON-encoded multipart field, parsed then validated by `schema`. */
function jsonField<Schema extends z.ZodType>(schema: Schema, example: string) {
  return z
    .string({ error: `is required (JSON such as ${example})` })
    .transform((raw, context) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: `must be JSON such as ${example}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Multipart fields of POST /api/jobs: `steps` arrives as a JSON string next to the file. */
export const createJobFieldsSchema = z.object({
  steps: jsonField(pipelineStepsSchema, '[{"op":"denoise"}]'),
});

/** Multipart fields of POST /api/audio/edit. */
export const editFieldsSchema = z.object({
  operations: jsonField(editOperationsSchema, '[{"type":"remove_blooper","start_time":1.5,"end_time":2.1}]'),
});
export type EditFields = z.output<typeof editFieldsSchema>;

/** Multipart fields of POST /api/audio/denoise. */
export const denoiseFieldsSchema = z.object({
  model: modelId.optional(),
  noise_level: z.enum(NOISE_LEVELS).default('moderate'),
});

export const historyQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const jobIdSchema = z.uuid({ error: 'must be a job id (UUID)' });

export type CreateJobFields = z.output<typeof createJobFieldsSchema>;
export type DenoiseFields = z.output<typeof denoiseFieldsSchema>;
export type HistoryQuery = z.output<typeof historyQuerySchema>;

/** Multipart fields of POST /api/audio/voice-clone. */
export const voiceCloneFieldsSchema = z.object({
  target_voice_id: z.uuid({ error: 'must be a voice id (UUID) from /api/voices' }),
  model: modelId.optional(),
});
export type VoiceCloneFields = z.output<typeof voiceCloneFieldsSchema>;

/** Multipart fields of POST /api/audio/dub. */
export const dubFieldsSchema = z.object({
  target_language: languageCode,
  source_language: languageCode.default('en'),
});
export type DubFields = z.output<typeof dubFieldsSchema>;

/** Multipart fields of POST /api/audio/accent-change. */
export const accentFieldsSchema = z.object({ target_accent: z.string().trim().min(1).max(50) });
export type AccentFields = z.output<typeof accentFieldsSchema>;
