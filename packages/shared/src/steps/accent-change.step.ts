import { z } from 'zod/v4';
import { defineStep } from './step-definition';

/** Re-voice the transcript in another accent's voice, keeping the word timing. */
export const accentChangeStep = defineStep({
  op: 'accent_change',
  summary: "Re-voice speech in another accent's voice, keeping the word timing",
  schema: z.object({ op: z.literal('accent_change'), target_accent: z.string().trim().min(1).max(50) }).strict(),
  input: 'audio',
  prepare: (step, context) => {
    context.requireAccent(step.target_accent);
    return step;
  },
});
export type AccentChangeStep = z.output<typeof accentChangeStep.schema>;
