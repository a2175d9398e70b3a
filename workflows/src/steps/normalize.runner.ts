import type { StepRunner } from './step-runner';

export const normalizeRunner: StepRunner<'normalize'> = {
  method: () => 'bs1770-gain+true-peak-limiter',
  async run(step, { jobId, index, audio, activities, state }) {
    const inputKey = audio();
    if (step.target_lufs !== undefined) state.finalTargetLufs = step.target_lufs;
    // Peak-normalised on purpose (an impulsive effect that integrated loudness cannot rate): leave it.
    if (state.finalTargetLufs === null) return inputKey;
    const result = await activities.media.normalizeLoudness({
      jobId,
      stepIndex: index,
      inputKey,
      targetLufs: state.finalTargetLufs,
    });
    return result.outputKey;
  },
};
