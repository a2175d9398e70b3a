import type { StepRunner } from './step-runner';

/** Music, SFX and mood music all make audio from nothing through one GPU activity. */
export function generatorRunner<Op extends 'generate_music' | 'generate_sfx' | 'mood_music'>(
  method: string,
): StepRunner<Op> {
  return {
    method: () => method,
    async run(step, { jobId, index, activities, state }) {
      const result = await activities.gpu.runGenerator({ jobId, stepIndex: index, step });
      state.finalTargetLufs = result.targetLufs;
      state.expectedDurationMs = result.durationMs;
      return result.outputKey;
    },
  };
}
