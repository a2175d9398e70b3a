import type { ProcessingJob } from '@voice/db';
import type {
  EditRecord,
  InputReport,
  JobResult,
  JobStatus,
  QualityReport,
  RevoicedRecord,
  StepProgress,
  TranscriptArtifacts,
  VoiceConversionRecord,
} from '@voice/shared';

/** A transcript as clients see it: what it is, not where it is stored. */
export type PublicTranscript = Omit<TranscriptArtifacts, 'transcriptKey' | 'srtKey' | 'vttKey'>;

/** What a completed job made and how: models, methods and measurements, never storage keys. */
export interface PublicJobResult {
  models: JobResult['models'];
  input: Omit<InputReport, 'workKey'> | { source: 'text' | 'none' };
  output: Omit<QualityReport, 'outputKey'> | { words: number };
  transcript?: PublicTranscript;
  edits?: EditRecord[];
  voiceConversion?: VoiceConversionRecord[];
  revoiced?: Array<Omit<RevoicedRecord, 'outputKey' | 'scriptKey' | 'source'> & { source: PublicTranscript }>;
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

function publicTranscript({ transcriptKey: _json, srtKey: _srt, vttKey: _vtt, ...rest }: TranscriptArtifacts) {
  return rest;
}

/** The explicit mapper from the stored record to what clients may see. */
export function toPublicJobResult(result: JobResult): PublicJobResult {
  const input = 'workKey' in result.input ? omitKey(result.input, 'workKey') : result.input;
  const output = 'outputKey' in result.output ? omitKey(result.output, 'outputKey') : result.output;
  return {
    models: result.models,
    input,
    output,
    ...(result.transcript ? { transcript: publicTranscript(result.transcript) } : {}),
    ...(result.edits ? { edits: result.edits } : {}),
    ...(result.voiceConversion ? { voiceConversion: result.voiceConversion } : {}),
    ...(result.revoiced
      ? {
          revoiced: result.revoiced.map(({ outputKey: _output, scriptKey: _script, source, ...revoiced }) => ({
            ...revoiced,
            source: publicTranscript(source),
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
    downloadable: job.status === 'completed',
    ...(job.status === 'completed' && job.result ? { result: toPublicJobResult(job.result) } : {}),
  };
}

/** The per-step record the workflow stored when the job ended. */
export function storedSteps(job: ProcessingJob): StepProgress[] {
  return job.result?.steps ?? [];
}
