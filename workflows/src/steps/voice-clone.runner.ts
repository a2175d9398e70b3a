import type { StepRunner } from './step-runner';

export const voiceCloneRunner: StepRunner<'voice_clone'> = {
  method: (step) => step.model ?? 'dsp-voice-conversion',
  async run(step, { jobId, index, audio, activities, state, setModel }) {
    const result = await activities.gpu.runVoiceConversion({ jobId, stepIndex: index, inputKey: audio(), step });
    setModel(result.modelId);
    state.voiceConversion.push({
      method: result.method,
      applied: result.applied,
      target: step.target?.name ?? step.target_voice_id,
    });
    return result.outputKey;
  },
};
