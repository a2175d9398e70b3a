import { z } from 'zod/v4';
import { defineStep } from './step-definition';

export const normalizeStep = defineStep({
  op: 'normalize',
  summary: 'Loudness-normalise to a target (ITU-R BS.1770) under a −1 dBTP true-peak limiter',
  schema: z
    .object({
      op: z.literal('normalize'),
      // Broadcast (−23) to loud social (−9); outside that range a target is almost certainly a typo.
      target_lufs: z
        .number()
        .min(-40)
        .max(-5)
        .optional()
        .meta({ description: "Integrated loudness target; default: the job's current target (−16 LUFS)" }),
    })
    .strict(),
  input: 'audio',
});
export type NormalizeStep = z.output<typeof normalizeStep.schema>;
