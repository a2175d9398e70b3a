import { z } from 'zod/v4';
import { languageCode } from './fields';
import { defineStep } from './step-definition';

/** Transcribe, translate and re-voice the speech in another language, fitted to the original timing. */
export const dubStep = defineStep({
  op: 'dub',
  summary: 'Dub speech into another language, fitted to the original timing',
  schema: z
    .object({ op: z.literal('dub'), target_language: languageCode, source_language: languageCode.default('en') })
    .strict(),
  input: 'audio',
  // The pair must translate, the source must be recognisable and the target speakable.
  prepare: async (step, context) => {
    await context.requireTranslation(step.source_language, step.target_language);
    context.resolveModel({ task: 'stt', language: step.source_language });
    context.resolveModel({ task: 'tts', language: step.target_language });
    return step;
  },
});
export type DubStep = z.output<typeof dubStep.schema>;
