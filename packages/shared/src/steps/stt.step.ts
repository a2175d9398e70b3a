import { z } from 'zod/v4';
import { languageCode, modelId } from './fields';
import { defineStep } from './step-definition';

/** Transcribe the current audio; the transcript (with word timings) becomes a job artifact. */
export const sttStep = defineStep({
  op: 'stt',
  summary: 'Speech to text with word timestamps, plus SRT and VTT',
  schema: z
    .object({
      op: z.literal('stt'),
      language: languageCode.default('en'),
      model: modelId
        .optional()
        .meta({ description: 'STT model id (GET /api/models); default: the best installed for the language' }),
      task: z
        .enum(['transcribe', 'translate'])
        .optional()
        .meta({
          description:
            "translate: Whisper's translate task, English text from speech in any language it knows (the spoken " +
            'language is detected; needs a multilingual Whisper model). Default transcribe.',
        }),
    })
    .strict(),
  input: 'audio',
  prepare: (step, context) => {
    context.resolveModel({ task: 'stt', requested: step.model, language: step.language });
    return step;
  },
});
export type SttStep = z.output<typeof sttStep.schema>;
