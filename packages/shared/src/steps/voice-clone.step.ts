import { z } from 'zod/v4';
import { modelId, voiceId } from './fields';
import { defineStep, type UsableVoice } from './step-definition';

const voiceCloneSchema = z
  .object({ op: z.literal('voice_clone'), target_voice_id: voiceId, model: modelId.optional() })
  .strict();

export type VoiceCloneStep = z.output<typeof voiceCloneSchema> & {
  /** Filled in by the API from the voice library, so the worker needs no database access. */
  target?: Omit<UsableVoice, 'id'>;
};

/** Convert the speech toward a library voice; the API embeds the target's measured characteristics. */
export const voiceCloneStep = defineStep({
  op: 'voice_clone',
  summary: 'Convert speech toward a voice from your library (or a public one)',
  schema: voiceCloneSchema,
  input: 'audio',
  prepare: async (step, context): Promise<VoiceCloneStep> => {
    const voice = await context.resolveVoice(step.target_voice_id);
    const model = context.resolveModel({ task: 'voice-conversion', requested: step.model });
    return {
      ...step,
      target_voice_id: voice.id,
      model,
      target: { name: voice.name, characteristics: voice.characteristics },
    };
  },
});
