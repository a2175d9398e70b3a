import { z } from 'zod/v4';
import { NOISE_LEVELS, modelId } from './fields';
import { defineStep } from './step-definition';

const denoiseSchema = z
  .object({
    op: z.literal('denoise'),
    noise_level: z.enum(NOISE_LEVELS).default('moderate'),
    model: modelId.optional().meta({ description: 'Denoise model id (GET /api/models); default: the best installed' }),
  })
  .strict();

export const denoiseStep = defineStep({
  op: 'denoise',
  summary: 'Remove background noise with a neural denoiser (or a classical one)',
  schema: denoiseSchema,
  input: 'audio',
  // Resolved once, here: the workflow records it and the GPU activity loads exactly this model.
  prepare: (step, context): DenoiseStep => ({
    ...step,
    model: context.resolveModel({ task: 'denoise', requested: step.model }),
  }),
});
export type DenoiseStep = z.output<typeof denoiseSchema>;
