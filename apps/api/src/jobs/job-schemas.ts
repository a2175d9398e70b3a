import { z } from 'zod/v4';
import { NOISE_LEVELS } from '@voice/shared';

const modelId = z.string().trim().min(1).max(100);

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

export const pipelineStepsSchema = z
  .array(z.discriminatedUnion('op', [denoiseStepSchema, normalizeStepSchema]))
  .min(1, 'must list at least one step')
  .max(10, 'at most 10 steps per job');

/** Multipart fields of POST /api/jobs: `steps` arrives as a JSON string next to the file. */
export const createJobFieldsSchema = z.object({
  steps: z
    .string({ error: 'is required (a JSON array such as [{"op":"denoise"}])' })
    .transform((raw, context) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be a JSON array of steps' });
        return z.NEVER;
      }
    })
    .pipe(pipelineStepsSchema),
});

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
