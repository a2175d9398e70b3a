import type { PipelineOp, PipelineStep } from './registry';

/**
 * Relative cost of each step type, so progress moves roughly with wall time. Kept here rather than in the step
 * modules because workflows import it: the step modules load zod, which would then be evaluated again in every
 * workflow's sandbox (tens of milliseconds per job start).
 */
export const STEP_WEIGHTS: Readonly<Record<PipelineOp, number>> = {
  denoise: 1,
  normalize: 0.15,
  stt: 1,
  tts: 1,
  edit: 0.3,
  voice_clone: 0.6,
  dub: 2,
  accent_change: 1.5,
  generate_music: 1,
  generate_sfx: 0.5,
  mood_music: 1,
};

/** Relative cost of one step, so progress moves roughly with wall time. */
export function stepWeight(op: PipelineOp): number {
  return STEP_WEIGHTS[op];
}

/** A job of transcription alone delivers text, so it gets no loudness stage and no audio quality check. */
export function isTranscriptOnly(steps: readonly PipelineStep[]): boolean {
  return steps.length > 0 && steps.every((step) => step.op === 'stt');
}

/**
 * Every audio output is loudness-normalised: unless the chain ends with `normalize`, one is appended that uses
 * the job's current target (the last explicit one, a generator's platform target, or the −16 LUFS default).
 */
export function withFinalNormalize(steps: readonly PipelineStep[]): PipelineStep[] {
  if (isTranscriptOnly(steps) || steps[steps.length - 1]?.op === 'normalize') return [...steps];
  return [...steps, { op: 'normalize' }];
}
