import { z } from 'zod/v4';
import { seed } from './fields';
import { defineStep } from './step-definition';

/** The synthesiser's limits (also enforced by @voice/music; a test keeps the two equal). */
export const SFX_LIMITS = { minSeconds: 0.2, maxSeconds: 60 } as const;

export const generateSfxStep = defineStep({
  op: 'generate_sfx',
  summary: 'Synthesise a sound effect from a short description (parametric synthesis)',
  schema: z
    .object({
      op: z.literal('generate_sfx'),
      description: z.string().trim().min(1).max(500),
      duration: z.number().min(SFX_LIMITS.minSeconds).max(SFX_LIMITS.maxSeconds),
      seed: seed.optional(),
    })
    .strict(),
  input: 'none',
  prepare: (step, { music }) => {
    music.checkSfx(step.description);
    return step;
  },
  estimateOutputMs: (step) => Math.round(step.duration * 1000),
});
export type GenerateSfxStep = z.output<typeof generateSfxStep.schema>;
