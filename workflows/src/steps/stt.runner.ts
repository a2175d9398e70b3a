import type { StepRunner } from './step-runner';

export const sttRunner: StepRunner<'stt'> = {
  // The speech engines pick the best installed model for the language; the step records which one ran.
  method: (step) => step.model ?? 'auto',
  async run(step, { jobId, index, audio, activities, state, setModel }) {
    const inputKey = audio();
    state.transcript = await activities.gpu.runStt({ jobId, stepIndex: index, inputKey, step });
    setModel(state.transcript.modelId);
    return inputKey;
  },
};
