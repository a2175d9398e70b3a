import type { BookkeepingActivities, MediaActivities } from '@voice/activities';
import type { GpuActivities } from '@voice/gpu-activities';
import type {
  EditRecord,
  JobSource,
  MeasuredLoudness,
  PipelineOp,
  RevoicedRecord,
  StepOf,
  TranscriptArtifacts,
  VoiceConversionRecord,
} from '@voice/shared';

/** The activity proxies a runner may call, one per task queue. */
export interface PipelineActivities {
  bookkeeping: BookkeepingActivities;
  media: MediaActivities;
  gpu: GpuActivities;
}

/** What the steps of one job learn as they run, and what the job's record reports at the end. */
export interface JobState {
  /** The length the deliverable must have; undefined when it is free (TTS). */
  expectedDurationMs?: number;
  /** The loudness target of the final normalize; null when the output is peak-normalised on purpose. */
  finalTargetLufs: number | null;
  /** The loudness of the audio at `key`, as the step that wrote it measured it; used only while that is the audio. */
  loudness?: MeasuredLoudness & { key: string };
  /** Text the output must still say, for the intelligibility check; cleared by steps that change the words. */
  spokenText?: { text: string; language?: string };
  transcript?: TranscriptArtifacts;
  edits: EditRecord[];
  voiceConversion: VoiceConversionRecord[];
  revoiced: RevoicedRecord[];
}

/** One step's view of the running job. */
export interface StepRun {
  jobId: string;
  /** The step's progress slot; also part of its storage keys. */
  index: number;
  source: JobSource;
  activities: PipelineActivities;
  state: JobState;
  /** The current audio's storage key; fails the job when no step before this one produced audio. */
  audio(): string;
  /** Records the model that actually ran, once the activity says which. */
  setModel(model: string): void;
}

export interface StepRunner<Op extends PipelineOp> {
  /** The model or method recorded before the step runs (the API resolved the model ids at submit). */
  method(step: StepOf<Op>): string;
  /** Runs the step and returns the key of the audio it leaves (its input when it passes audio through). */
  run(step: StepOf<Op>, run: StepRun): Promise<string>;
}

export type StepRunners = { [Op in PipelineOp]: StepRunner<Op> };
