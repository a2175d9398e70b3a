export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const NOISE_LEVELS = ['light', 'moderate', 'aggressive'] as const;
export type NoiseLevel = (typeof NOISE_LEVELS)[number];

/** Podcast stereo target from the field notes; the normalize step defaults to it. */
export const DEFAULT_TARGET_LUFS = -16;
/** True-peak ceiling every output must respect. */
export const TRUE_PEAK_CEILING_DBTP = -1;

export interface DenoiseStep {
  op: 'denoise';
  noise_level?: NoiseLevel;
  model?: string;
}
export interface NormalizeStep {
  op: 'normalize';
  target_lufs?: number;
}
export type PipelineStep = DenoiseStep | NormalizeStep;
export type PipelineOp = PipelineStep['op'];

/** Input of pipelineWorkflow. Audio travels only as storage keys: payloads are capped at 2 MB. */
export interface PipelineInput {
  jobId: string;
  userId: string;
  jobType: string;
  inputKey: string;
  steps: PipelineStep[];
}

export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';

export interface StepProgress {
  index: number;
  op: PipelineOp | 'preprocess' | 'quality' | 'settle';
  state: StepState;
  /** 0–100 within this step. */
  progress: number;
  model?: string;
  startedAt?: string;
  completedAt?: string;
}

/** What the `progress` query returns; the API merges in live heartbeat detail. */
export interface PipelineProgress {
  status: JobStatus;
  /** 0–100 over the whole job. */
  progress: number;
  steps: StepProgress[];
  error?: string;
}

/** Heartbeat detail every long activity reports; the API reads it through describe(). */
export interface InferenceHeartbeat {
  /** 0–1 of the activity's own work. */
  fraction: number;
  processedSeconds: number;
  totalSeconds: number;
}

export interface PipelineResult {
  outputKey: string;
  outputDurationMs: number;
  integratedLufs: number;
  truePeakDbtp: number;
  creditsHeld: number;
}
