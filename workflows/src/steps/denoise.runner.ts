import type { StepRunner } from './step-runner';

export const denoiseRunner: StepRunner<'denoise'> = {
  method: (step) => step.model ?? 'auto',
  async run(step, { jobId, index, audio, activities }) {
    const result = await activities.gpu.runDenoise({
      jobId,
      stepIndex: index,
      inputKey: audio(),
      modelId: step.model ?? '',
      noiseLevel: step.noise_level,
    });
    return result.outputKey;
  },
};
