import type { StepRunner } from './step-runner';

export const denoiseRunner: StepRunner<'denoise'> = {
  method: (step) => step.model ?? 'auto',
  async run(step, { jobId, index, audio, activities, state }) {
    const result = await activities.gpu.runDenoise({
      jobId,
      stepIndex: index,
      inputKey: audio(),
      modelId: step.model ?? '',
      noiseLevel: step.noise_level,
    });
    // A normalize right after reuses it instead of measuring the file again.
    if (result.loudness) state.loudness = { key: result.outputKey, ...result.loudness };
    return result.outputKey;
  },
};
