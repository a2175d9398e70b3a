import type { StepRunner } from './step-runner';

export const normalizeRunner: StepRunner<'normalize'> = {
  method: () => 'bs1770-gain+true-peak-limiter',
  async run(step, { jobId, index, audio, activities, state }) {
    const inputKey = audio();
    if (step.target_lufs !== undefined) state.finalTargetLufs = step.target_lufs;
    // Peak-normalised on purpose (an impulsive effect that integrated loudness cannot rate): leave it.
    if (state.finalTargetLufs === null) return inputKey;
    // Measured by the step that wrote this very file (the key names it), so normalize skips its metering pass.
    const known = state.loudness?.key === inputKey ? state.loudness : undefined;
    const result = await activities.media.normalizeLoudness({
      jobId,
      stepIndex: index,
      inputKey,
      targetLufs: state.finalTargetLufs,
      ...(known ? { measured: { integratedLufs: known.integratedLufs, truePeakDbtp: known.truePeakDbtp } } : {}),
    });
    return result.outputKey;
  },
};
