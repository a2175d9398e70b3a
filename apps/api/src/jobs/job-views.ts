import type { ProcessingJob } from '@voice/db';
import type {
  EditRecord,
  InputReport,
  IntelligibilityReport,
  JobResult,
  JobStatus,
  PipelineProgress,
  QualityReport,
  RevoicedRecord,
  StepProgress,
  TranscriptArtifacts,
  VoiceConversionRecord,
} from '@voice/shared';

/**
 * A transcript as clients see it: what it is, not where it is stored. Its text (`preview`) is paid content:
 * present only once the job's download has been charged.
 */
export type PublicTranscript = Omit<TranscriptArtifacts, 'transcriptKey' | 'srtKey' | 'vttKey' | 'preview'> & {
  preview?: string;
};

/** What a completed job made and how: models, methods and measurements, never storage keys. */
export interface PublicJobResult {
  models: JobResult['models'];
  input: Omit<InputReport, 'workKey'> | { source: 'text' | 'none' };
  output: PublicQualityReport | { words: number };
  transcript?: PublicTranscript;
  edits?: EditRecord[];
  voiceConversion?: VoiceConversionRecord[];
  revoiced?: Array<
    Omit<RevoicedRecord, 'outputKey' | 'scriptKey' | 'source' | 'preview'> & {
      source: PublicTranscript;
      preview?: string;
    }
  >;
}

export interface JobStatusView {
  jobId: string;
  jobType: string;
  status: JobStatus;
  progress: number;
  error?: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  inputDurationMs: number | null;
  outputDurationMs: number | null;
  creditsHeld: number;
  creditsCharged: number | null;
  downloadable: boolean;
  /** When the job's download window ended and its files went (retention); absent while they are kept. */
  filesExpiredAt?: string;
  /** For completed jobs: the models and methods used and what was measured. */
  result?: PublicJobResult;
}

export interface JobProgressView {
  jobId: string;
  status: JobStatus;
  progress: number;
  /** True when the numbers come from the running workflow rather than the stored job row. */
  live: boolean;
  steps: StepProgress[];
  error?: string;
}

/** The quality gate's measurements; `intelligibility.heard` (text of the output) only once paid for. */
export type PublicQualityReport = Omit<QualityReport, 'outputKey' | 'intelligibility'> & {
  intelligibility?: Omit<IntelligibilityReport, 'heard'> & { heard?: string };
};

/** Whether the job's output has been paid for: only then may anything of its content be shown. */
interface Visibility {
  paid: boolean;
}

function publicTranscript(
  { transcriptKey: _json, srtKey: _srt, vttKey: _vtt, preview, ...metadata }: TranscriptArtifacts,
  { paid }: Visibility,
): PublicTranscript {
  return paid ? { ...metadata, preview } : metadata;
}

/** The quality report without its storage key, and without what was heard in the output until it is paid for. */
function publicOutput(output: JobResult['output'], { paid }: Visibility): PublicJobResult['output'] {
  if (!('outputKey' in output)) return output;
  const { outputKey: _key, intelligibility, ...measured } = output;
  if (!intelligibility) return measured;
  const { heard, ...scores } = intelligibility;
  return { ...measured, intelligibility: paid ? { ...scores, heard } : scores };
}

/**
 * The explicit mapper from the stored record to what clients may see: models, methods and measurements. Text
 * derived from the output (transcripts, translated scripts, what the TTS check heard) is paid content and is
 * shown only once the download has been charged; before that the status carries word counts and durations.
 */
export function toPublicJobResult(result: JobResult, visibility: Visibility): PublicJobResult {
  const input = 'workKey' in result.input ? omitKey(result.input, 'workKey') : result.input;
  const output = publicOutput(result.output, visibility);
  return {
    models: result.models,
    input,
    output,
    ...(result.transcript ? { transcript: publicTranscript(result.transcript, visibility) } : {}),
    ...(result.edits ? { edits: result.edits } : {}),
    ...(result.voiceConversion ? { voiceConversion: result.voiceConversion } : {}),
    ...(result.revoiced
      ? {
          revoiced: result.revoiced.map(({ outputKey: _output, scriptKey: _script, source, preview, ...revoiced }) => ({
            ...revoiced,
            ...(visibility.paid ? { preview } : {}),
            source: publicTranscript(source, visibility),
          })),
        }
      : {}),
  };
}

function omitKey<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _omitted, ...rest } = value;
  return rest;
}

export function toStatusView(job: ProcessingJob, liveProgress?: number): JobStatusView {
  return {
    jobId: job.id,
    jobType: job.jobType,
    status: job.status,
    progress: job.status === 'completed' ? 100 : Math.max(job.progress, liveProgress ?? 0),
    ...(job.error ? { error: job.error } : {}),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    completedAt: job.completedAt?.toISOString() ?? null,
    inputDurationMs: job.inputDurationMs,
    outputDurationMs: job.outputDurationMs,
    creditsHeld: job.creditsHeld,
    creditsCharged: job.creditsCharged,
    downloadable: job.status === 'completed' && job.filesExpiredAt === null,
    ...(job.filesExpiredAt ? { filesExpiredAt: job.filesExpiredAt.toISOString() } : {}),
    ...(job.status === 'completed' && job.result
      ? { result: toPublicJobResult(job.result, { paid: job.chargedAt !== null }) }
      : {}),
  };
}

/** The per-step record the workflow stored when the job ended. */
export function storedSteps(job: ProcessingJob): StepProgress[] {
  return job.result?.steps ?? [];
}

/**
 * Per-step progress: live from the running workflow when it answered (`live`), else what the row holds (the
 * steps the workflow stored when the job ended).
 */
export function toProgressView(job: ProcessingJob, live: PipelineProgress | undefined): JobProgressView {
  const error = job.error ? { error: job.error } : {};
  if (live)
    return { jobId: job.id, status: job.status, progress: live.progress, live: true, steps: live.steps, ...error };
  return {
    jobId: job.id,
    status: job.status,
    progress: job.status === 'completed' ? 100 : job.progress,
    live: false,
    steps: storedSteps(job),
    ...error,
  };
}
