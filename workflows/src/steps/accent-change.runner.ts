import type { StepRunner } from './step-runner';

export const accentChangeRunner: StepRunner<'accent_change'> = {
  method: () => 'auto',
  async run(step, { jobId, index, audio, activities, state, setModel }) {
    const inputKey = audio();
    // Re-voices what was said: transcribe this step's input first.
    const heard = await activities.gpu.runStt({
      jobId,
      stepIndex: index,
      inputKey,
      step: { op: 'stt', language: 'en' },
    });
    const result = await activities.gpu.runAccentChange({
      jobId,
      stepIndex: index,
      inputKey,
      transcriptKey: heard.transcriptKey,
      step,
    });
    setModel(result.methods.speech);
    state.revoiced.push({ op: 'accent_change', source: heard, ...result });
    return result.outputKey;
  },
};
