import type { PipelineStep } from '@voice/shared';
import { accentChangeRunner } from './accent-change.runner';
import { denoiseRunner } from './denoise.runner';
import { dubRunner } from './dub.runner';
import { editRunner } from './edit.runner';
import { generateMusicRunner } from './generate-music.runner';
import { generateSfxRunner } from './generate-sfx.runner';
import { moodMusicRunner } from './mood-music.runner';
import { normalizeRunner } from './normalize.runner';
import type { StepRunner, StepRunners } from './step-runner';
import { sttRunner } from './stt.runner';
import { ttsRunner } from './tts.runner';
import { voiceCloneRunner } from './voice-clone.runner';

export type { JobState, PipelineActivities, StepRun, StepRunner } from './step-runner';

/** How each step type runs: dispatch is a lookup, so a new step type adds a runner here, not a case. */
export const STEP_RUNNERS: StepRunners = {
  denoise: denoiseRunner,
  normalize: normalizeRunner,
  stt: sttRunner,
  tts: ttsRunner,
  edit: editRunner,
  voice_clone: voiceCloneRunner,
  dub: dubRunner,
  accent_change: accentChangeRunner,
  generate_music: generateMusicRunner,
  generate_sfx: generateSfxRunner,
  mood_music: moodMusicRunner,
};

/** The runner of `step`'s type; the mapped type guarantees the pairing the cast cannot express. */
export function runnerFor<S extends PipelineStep>(step: S): StepRunner<S['op']> {
  return STEP_RUNNERS[step.op] as unknown as StepRunner<S['op']>;
}
