import type { paths } from '../../../api/schema';

type HistoryQuery = NonNullable<paths['/api/jobs/history']['get']['parameters']['query']>;
/** A step op, as the history's `type` filter takes it (the API's enum, so a new step breaks this build). */
export type StepType = NonNullable<HistoryQuery['type']>;

const STEP_LABELS: Record<StepType, string> = {
  denoise: 'Denoise',
  normalize: 'Normalize loudness',
  edit: 'Edit',
  stt: 'Transcribe',
  tts: 'Text to speech',
  voice_clone: 'Voice clone',
  dub: 'Dub',
  accent_change: 'Accent change',
  generate_music: 'Music',
  generate_sfx: 'Sound effect',
  mood_music: 'Mood music',
};

/** The type filter's options, in the order above. */
export const STEP_TYPES = Object.keys(STEP_LABELS) as StepType[];

export function isStepType(value: string): value is StepType {
  return Object.hasOwn(STEP_LABELS, value);
}

export function stepLabel(op: StepType): string {
  return STEP_LABELS[op];
}

/** "denoise+dub" (the stored job type: its steps joined by '+') as "Denoise → Dub"; unknown ops as they are. */
export function describeJobType(jobType: string): string {
  return jobType
    .split('+')
    .map((op) => (isStepType(op) ? STEP_LABELS[op] : op))
    .join(' → ');
}
