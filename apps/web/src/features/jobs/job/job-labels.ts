import type { StepView } from './job-queries';

/** What each step does, in words; a Record over the documented ops, so a new op fails the build until named. */
export const STEP_LABELS: Record<StepView['op'], string> = {
  preprocess: 'Prepare the input',
  denoise: 'Remove noise',
  normalize: 'Normalise loudness',
  stt: 'Transcribe',
  tts: 'Speak the text',
  edit: 'Edit',
  voice_clone: 'Convert the voice',
  dub: 'Dub',
  accent_change: 'Change the accent',
  generate_music: 'Compose music',
  generate_sfx: 'Make the sound effect',
  mood_music: 'Compose mood music',
  quality: 'Quality check',
  settle: 'Settle credits',
};

export const STEP_STATE_LABELS: Record<StepView['state'], string> = {
  pending: 'Waiting',
  running: 'Running',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

/** The job's name from its type (`denoise`, `stt`, or a chain such as `denoise+stt`). */
export function jobTitle(jobType: string): string {
  return jobType
    .split('+')
    .map((op) => (Object.hasOwn(STEP_LABELS, op) ? STEP_LABELS[op as StepView['op']] : op))
    .join(', then ');
}
