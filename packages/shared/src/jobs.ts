import type { PipelineOp, PipelineStep } from './steps';
import type { SubscriptionTier } from './tiers';

export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Podcast stereo target from the field notes; the normalize step defaults to it. */
export const DEFAULT_TARGET_LUFS = -16;
/** True-peak ceiling every output must respect. */
export const TRUE_PEAK_CEILING_DBTP = -1;

/** Where a job's material comes from: an upload, text (TTS), or nothing (generators). */
export type JobSource = { kind: 'audio'; inputKey: string } | { kind: 'text'; text: string } | { kind: 'none' };

/** Input of pipelineWorkflow. Audio travels only as storage keys: payloads are capped at 2 MB. */
export interface PipelineInput {
  jobId: string;
  userId: string;
  jobType: string;
  source: JobSource;
  steps: PipelineStep[];
  /** Task queue of apps/gpu-worker; configurable, so the API passes it in. */
  gpuTaskQueue: string;
  /** Task queue of the media activities (decode, loudness, quality, edits). */
  mediaTaskQueue: string;
  /** Credit-seconds to hold for jobs without input audio (TTS, generators), estimated by the API. */
  estimatedOutputMs?: number;
  /**
   * The owner's tier at submit, which sets the GPU activities' task priority. Absent in workflows started before
   * tiers existed: those run as free.
   */
  tier?: SubscriptionTier;
}

/** Overall 0–100 progress from per-step progress and weights. */
export function overallProgress(steps: readonly StepProgress[]): number {
  let total = 0;
  for (const step of steps) {
    const fraction = step.state === 'completed' || step.state === 'skipped' ? 1 : step.progress / 100;
    total += step.weight * fraction;
  }
  return Math.max(0, Math.min(100, Math.floor(total * 100)));
}

export type StepState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'skipped';

export interface StepProgress {
  index: number;
  op: PipelineOp | 'preprocess' | 'quality' | 'settle';
  state: StepState;
  /** 0–100 within this step. */
  progress: number;
  /** Share of the whole job this step accounts for; weights sum to 1. */
  weight: number;
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
export interface InferenceHeartbeat<Checkpoint = unknown> {
  /** 0–1 of the activity's own work. */
  fraction: number;
  processedSeconds: number;
  totalSeconds: number;
  /**
   * Where a retry may resume, pointing at durable state (storage keys, never local files): the activity reads
   * it back from `Context.current().info.heartbeatDetails` on its next attempt. Absent for stages that restart.
   */
  checkpoint?: Checkpoint;
}

export interface PipelineResult {
  /** The deliverable: the output audio, or the transcript JSON of a transcription job. */
  outputKey: string;
  outputDurationMs: number;
  integratedLufs: number | null;
  truePeakDbtp: number | null;
  creditsHeld: number;
}

/** Every pipeline works on mono float audio at this rate: the neural denoisers run at 48 kHz. */
export const PROCESSING_SAMPLE_RATE = 48_000;

/** Quality gates applied to every output before it is billed. */
export const QUALITY_LIMITS = {
  /** Allowed distance from the loudness target, in LU. */
  loudnessToleranceLu: 1,
  /** Measurement slack on the true-peak ceiling, in dB. */
  truePeakToleranceDb: 0.1,
  /** Output may differ from input duration by this much, or 0.5%, whichever is larger. */
  durationToleranceMs: 50,
  /** Share of samples at full scale above which the output counts as clipped. */
  maxClippedSampleRatio: 0.0005,
} as const;
