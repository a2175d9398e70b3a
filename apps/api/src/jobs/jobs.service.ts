import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { AudioValidationError, probeAudioFile, type AudioContainer } from '@voice/audio';
import type { Env } from '@voice/config';
import {
  chargeJobDownload,
  createJob,
  getCreditSummary,
  getJobForUser,
  getUsableVoice,
  listJobsForUser,
  markJobFailed,
  type Database,
  type NewProcessingJob,
  type ProcessingJob,
} from '@voice/db';
import {
  UnsupportedAccentError,
  UnsupportedLanguagePairError,
  accentVoiceFor,
  baseLanguage,
  resolveTranslationPair,
} from '@voice/dubbing';
import { UnknownModelError, getModel, isInstalled, listModels, selectModel } from '@voice/models';
import {
  JobIdSearchAttribute,
  JobStatusSearchAttribute,
  JobTypeSearchAttribute,
  PIPELINE_PROGRESS_QUERY,
  PIPELINE_WORKFLOW_TYPE,
  UserIdSearchAttribute,
  creditsForDurationMs,
  jobStorageKeys,
  overallProgress,
  workflowIdForJob,
  type GeneratorStep,
  type InferenceHeartbeat,
  type JobSource,
  type JobStatus,
  type PipelineInput,
  type PipelineProgress,
  type PipelineStep,
  type StepProgress,
  type TtsStep,
} from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { DomainError, conflict, notFound } from '../common/domain-error';
import { DATABASE, ENV, STORAGE, TEMPORAL_CLIENT } from '../common/tokens';
import { requireDependency } from '../common/require-dependency';
import { jobIdForIdempotencyKey } from './idempotency-key.decorator';
import { invalidAudio } from './invalid-audio';

/** An upload as multer leaves it on disk. */
export interface UploadedAudio {
  path: string;
  originalname: string;
  size: number;
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
  result?: Record<string, unknown>;
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

const CONTENT_TYPES: Record<AudioContainer, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
};

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client | null,
  ) {}

  /**
   * Validates an upload and its steps, then starts the durable pipeline. Everything that can be rejected is
   * rejected here, before a job row, a stored file or a workflow exists. (UploadCleanupInterceptor removes
   * the temp upload afterwards.)
   */
  async submitAudioJob(input: {
    userId: string;
    idempotencyKey?: string;
    upload: UploadedAudio | undefined;
    steps: PipelineStep[];
    jobType: string;
  }): Promise<{ jobId: string; status: JobStatus; statusUrl: string }> {
    const replay = await this.replay(input.userId, input.idempotencyKey);
    if (replay) return replay;
    const steps = await this.prepareSteps(input.userId, input.steps);
    const { upload } = input;
    if (!upload) {
      throw new DomainError(
        'AUDIO_FILE_REQUIRED',
        HttpStatus.BAD_REQUEST,
        'Attach the audio as the multipart field "audio_file"',
      );
    }
    const probe = await this.probeUpload(upload);
    assertCutsInside(steps, probe.durationMs);

    await this.assertAffordable(input.userId, probe.durationMs);

    const storage = requireDependency(this.storage, 'storage');
    const jobId = this.newJobId(input.userId, input.idempotencyKey);
    const inputKey = jobStorageKeys(jobId).input(probe.container);
    await storage.putFile(inputKey, upload.path, CONTENT_TYPES[probe.container]);
    return this.startJob({
      userId: input.userId,
      jobType: input.jobType,
      steps,
      source: { kind: 'audio', inputKey },
      jobId,
      row: {
        inputFilename: sanitizeFilename(upload.originalname),
        inputFormat: probe.container,
        inputDurationMs: Math.round(probe.durationMs),
      },
    });
  }

  /**
   * Starts a job that makes audio from nothing (music, SFX, mood). Credits for the requested length are
   * checked now and held by the workflow; the first download charges the real output length.
   */
  async submitGeneratedJob(input: {
    userId: string;
    idempotencyKey?: string;
    step: GeneratorStep;
    then?: PipelineStep[];
    jobType: string;
  }) {
    const replay = await this.replay(input.userId, input.idempotencyKey);
    if (replay) return replay;
    const estimatedOutputMs = Math.round(input.step.duration * 1000);
    const steps = [input.step, ...(await this.prepareSteps(input.userId, input.then ?? []))];
    await this.assertAffordable(input.userId, estimatedOutputMs);
    return this.startJob({
      userId: input.userId,
      jobType: chainedJobType(input.jobType, input.then),
      steps,
      source: { kind: 'none' },
      estimatedOutputMs,
      jobId: this.newJobId(input.userId, input.idempotencyKey),
    });
  }

  private async assertAffordable(userId: string, durationMs: number): Promise<void> {
    const required = creditsForDurationMs(durationMs);
    const credits = await getCreditSummary(this.db, userId);
    if (credits.balance < required) {
      throw new DomainError(
        'INSUFFICIENT_CREDITS',
        HttpStatus.PAYMENT_REQUIRED,
        `Insufficient credits: this job needs ${required} credit-seconds but ${credits.balance} are available`,
        { details: { required, available: credits.balance, unit: 'second' } },
      );
    }
  }

  /** Creates the job row and starts its workflow; if the start fails the row is closed so nothing dangles. */
  private async startJob(input: {
    userId: string;
    jobType: string;
    steps: PipelineStep[];
    source: JobSource;
    estimatedOutputMs?: number;
    jobId?: string;
    row?: Partial<NewProcessingJob>;
  }): Promise<{ jobId: string; status: JobStatus; statusUrl: string }> {
    const temporal = requireDependency(this.temporal, 'Temporal');
    const jobId = input.jobId ?? randomUUID();
    const workflowId = workflowIdForJob(jobId);
    await createJob(this.db, {
      id: jobId,
      userId: input.userId,
      jobType: input.jobType,
      status: 'pending',
      workflowId,
      parameters: { steps: input.steps },
      inputKey: input.source.kind === 'audio' ? input.source.inputKey : null,
      ...input.row,
    });
    const workflowInput: PipelineInput = {
      jobId,
      userId: input.userId,
      jobType: input.jobType,
      source: input.source,
      steps: input.steps,
      gpuTaskQueue: this.env.TASK_QUEUE_GPU,
      mediaTaskQueue: this.env.TASK_QUEUE_MEDIA,
      ...(input.estimatedOutputMs !== undefined ? { estimatedOutputMs: input.estimatedOutputMs } : {}),
    };
    try {
      await temporal.workflow.start(PIPELINE_WORKFLOW_TYPE, {
        taskQueue: this.env.TASK_QUEUE_CPU,
        workflowId,
        args: [workflowInput],
        typedSearchAttributes: [
          { key: JobIdSearchAttribute, value: jobId },
          { key: UserIdSearchAttribute, value: input.userId },
          { key: JobTypeSearchAttribute, value: input.jobType },
          { key: JobStatusSearchAttribute, value: 'pending' },
        ],
      });
    } catch (error) {
      // A concurrent retry with the same Idempotency-Key started it first: that run is this request's job.
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return { jobId, status: 'pending', statusUrl: `/api/jobs/${jobId}/status` };
      }
      // Without a workflow nothing would ever move this job: close it and drop its input.
      await markJobFailed(this.db, jobId, 'The job could not be started; please retry', new Date());
      if (input.source.kind === 'audio') await this.storage?.delete(input.source.inputKey).catch(() => undefined);
      throw error;
    }
    return { jobId, status: 'pending', statusUrl: `/api/jobs/${jobId}/status` };
  }

  /** The job an earlier request with the same Idempotency-Key created, if there is one. */
  private async replay(userId: string, idempotencyKey: string | undefined) {
    if (!idempotencyKey) return undefined;
    const jobId = jobIdForIdempotencyKey(userId, idempotencyKey);
    const existing = await getJobForUser(this.db, jobId, userId);
    return existing ? { jobId, status: existing.status, statusUrl: `/api/jobs/${jobId}/status` } : undefined;
  }

  private newJobId(userId: string, idempotencyKey: string | undefined): string {
    return idempotencyKey ? jobIdForIdempotencyKey(userId, idempotencyKey) : randomUUID();
  }

  async getStatus(userId: string, jobId: string): Promise<JobStatusView> {
    const job = await this.requireJob(userId, jobId);
    const live = TERMINAL.has(job.status) ? undefined : await this.liveProgress(job);
    return toStatusView(job, live?.progress);
  }

  async getProgress(userId: string, jobId: string): Promise<JobProgressView> {
    const job = await this.requireJob(userId, jobId);
    const live = TERMINAL.has(job.status) ? undefined : await this.liveProgress(job);
    if (live) {
      return {
        jobId,
        status: job.status,
        progress: live.progress,
        live: true,
        steps: live.steps,
        error: job.error ?? undefined,
      };
    }
    const stored = storedSteps(job);
    return {
      jobId,
      status: job.status,
      progress: job.status === 'completed' ? 100 : job.progress,
      live: false,
      steps: stored,
      ...(job.error ? { error: job.error } : {}),
    };
  }

  async cancel(userId: string, jobId: string): Promise<{ jobId: string; status: 'cancelling' }> {
    const job = await this.requireJob(userId, jobId);
    if (TERMINAL.has(job.status)) {
      throw conflict('JOB_ALREADY_FINISHED', `Job ${jobId} is already ${job.status}`);
    }
    const temporal = requireDependency(this.temporal, 'Temporal');
    await temporal.workflow.getHandle(job.workflowId).cancel();
    return { jobId, status: 'cancelling' };
  }

  async history(userId: string, limit: number, offset: number) {
    const page = await listJobsForUser(this.db, userId, { limit, offset });
    return { items: page.items.map((job) => toStatusView(job)), total: page.total, limit, offset };
  }

  /**
   * Charges the output's length once, however many times or how concurrently it is called, then hands out a
   * time-limited link. The charge and its idempotency live in one database transaction.
   */
  async download(userId: string, jobId: string) {
    const charge = await chargeJobDownload(this.db, { jobId, userId, idempotencyKey: `job-${jobId}:download` });
    const job = await this.requireJob(userId, jobId);
    if (!job.outputKey) throw conflict('JOB_NOT_COMPLETED', `Job ${jobId} has no output`);
    const storage = requireDependency(this.storage, 'storage');
    const link = await storage.signedDownloadUrl(job.outputKey, { downloadFilename: outputFilename(job) });
    const artifacts = await this.signArtifacts(job, storage);
    return {
      url: link.url,
      expiresAt: link.expiresAt.toISOString(),
      creditsCharged: charge.creditsCharged,
      alreadyCharged: charge.alreadyCharged,
      unit: 'second' as const,
      ...(artifacts ? { artifacts } : {}),
    };
  }

  /** A transcription job also hands out its subtitles, under the same charge. */
  private async signArtifacts(job: ProcessingJob, storage: BlobStorage) {
    const transcript = job.result?.['transcript'] as { srtKey?: unknown; vttKey?: unknown } | undefined;
    if (typeof transcript?.srtKey !== 'string' || typeof transcript.vttKey !== 'string') return undefined;
    const stem = (job.inputFilename ?? 'transcript').replace(/\.[^.]+$/, '');
    const [srt, vtt] = await Promise.all([
      storage.signedDownloadUrl(transcript.srtKey, { downloadFilename: `${stem}.srt` }),
      storage.signedDownloadUrl(transcript.vttKey, { downloadFilename: `${stem}.vtt` }),
    ]);
    return { srt: srt.url, vtt: vtt.url };
  }

  private async requireJob(userId: string, jobId: string): Promise<ProcessingJob> {
    const job = await getJobForUser(this.db, jobId, userId);
    // Someone else's job is indistinguishable from a missing one.
    if (!job) throw notFound('JOB_NOT_FOUND', `Job ${jobId} not found`);
    return job;
  }

  private async probeUpload(upload: UploadedAudio) {
    try {
      return await probeAudioFile(upload.path, { ffmpegPath: this.env.FFMPEG_PATH });
    } catch (error) {
      throw error instanceof AudioValidationError ? invalidAudio(error) : error;
    }
  }

  /** Every model a step names (or needs for its language) must be installed: a 400 lists what is. */
  assertModelsExist(steps: readonly PipelineStep[]): void {
    const location = { modelsDir: this.env.MODELS_DIR };
    for (const step of steps) {
      const need =
        step.op === 'denoise'
          ? { task: 'denoise' as const, requested: step.model }
          : step.op === 'voice_clone'
            ? { task: 'voice-conversion' as const, requested: step.model }
            : step.op === 'stt' || step.op === 'tts'
              ? { task: step.op, requested: step.model, language: step.language }
              : undefined;
      if (!need) continue;
      try {
        selectModel(need, location);
      } catch (error) {
        if (!(error instanceof UnknownModelError)) throw error;
        if (need.requested === undefined && 'language' in need && need.language !== undefined) {
          const languages = [
            ...new Set(
              listModels(need.task)
                .filter((model) => isInstalled(model, location))
                .flatMap((model) => model.languages),
            ),
          ];
          throw new DomainError(
            'UNSUPPORTED_LANGUAGE',
            HttpStatus.BAD_REQUEST,
            `Language "${need.language}" is not supported for ${need.task}. Supported: ${languages.join(', ')}`,
            { details: { supported: languages } },
          );
        }
        throw new DomainError('UNKNOWN_MODEL', HttpStatus.BAD_REQUEST, error.message, {
          details: { available: error.available },
        });
      }
    }
  }

  /**
   * Checks every step against what is installed and fills in what the worker needs, before anything is
   * stored or started: models and languages exist, a dub's language pair translates and its target language
   * can be spoken, an accent maps to an installed voice, and a voice-clone target is a voice this user may
   * use (its measured characteristics travel in the step, so the worker needs no database).
   */
  private async prepareSteps(userId: string, steps: readonly PipelineStep[]): Promise<PipelineStep[]> {
    const prepared: PipelineStep[] = [];
    for (const step of steps) {
      switch (step.op) {
        case 'voice_clone': {
          const voice = await getUsableVoice(this.db, step.target_voice_id, userId);
          if (!voice?.voiceCharacteristics)
            throw notFound('VOICE_NOT_FOUND', `Voice ${step.target_voice_id} not found`);
          this.assertModelsExist([step]);
          prepared.push({
            ...step,
            target_voice_id: voice.id,
            target: { name: voice.name, characteristics: voice.voiceCharacteristics },
          });
          break;
        }
        case 'dub': {
          const sourceLanguage = step.source_language ?? 'en';
          await assertTranslatable(sourceLanguage, step.target_language);
          this.assertModelsExist([
            { op: 'stt', language: sourceLanguage },
            { op: 'tts', language: step.target_language },
          ]);
          prepared.push({ ...step, source_language: sourceLanguage });
          break;
        }
        case 'accent_change':
          this.assertAccentAvailable(step.target_accent);
          prepared.push(step);
          break;
        case 'denoise':
          this.assertModelsExist([step]);
          // Resolved once, here: the workflow and the GPU activity use this id.
          prepared.push({
            ...step,
            model: selectModel({ task: 'denoise', requested: step.model }, { modelsDir: this.env.MODELS_DIR }).id,
          });
          break;
        default:
          this.assertModelsExist([step]);
          prepared.push(step);
      }
    }
    return prepared;
  }

  private assertAccentAvailable(targetAccent: string): void {
    const location = { modelsDir: this.env.MODELS_DIR };
    try {
      accentVoiceFor(targetAccent, {
        isAvailable: (id) => {
          const model = getModel(id);
          return model !== undefined && isInstalled(model, location);
        },
      });
    } catch (error) {
      if (error instanceof UnsupportedAccentError) {
        throw new DomainError('UNSUPPORTED_ACCENT', HttpStatus.BAD_REQUEST, error.message, {
          details: { supported: error.supported },
        });
      }
      throw error;
    }
  }

  /**
   * Starts a text-to-speech job. Credits are held for an estimate of the speech length (about 15 characters
   * a second at normal speed); the first download charges the real length.
   */
  async submitTextJob(input: {
    userId: string;
    idempotencyKey?: string;
    text: string;
    step: TtsStep;
    then?: PipelineStep[];
  }) {
    const replay = await this.replay(input.userId, input.idempotencyKey);
    if (replay) return replay;
    const steps = await this.prepareSteps(input.userId, [input.step, ...(input.then ?? [])]);
    const estimatedOutputMs = Math.ceil((input.text.length / 15 / (input.step.speed ?? 1)) * 1000);
    await this.assertAffordable(input.userId, estimatedOutputMs);
    return this.startJob({
      userId: input.userId,
      jobType: chainedJobType('tts', input.then),
      steps,
      source: { kind: 'text', text: input.text },
      estimatedOutputMs,
      jobId: this.newJobId(input.userId, input.idempotencyKey),
    });
  }

  /** Per-step state from the workflow query, with the running step's fraction from its last heartbeat. */
  private async liveProgress(job: ProcessingJob): Promise<PipelineProgress | undefined> {
    if (!this.temporal) return undefined;
    try {
      const handle = this.temporal.workflow.getHandle(job.workflowId);
      const [state, description] = await Promise.all([
        handle.query<PipelineProgress>(PIPELINE_PROGRESS_QUERY),
        handle.describe(),
      ]);
      const running = state.steps.find((step) => step.state === 'running');
      const heartbeat = latestHeartbeat(description.raw.pendingActivities ?? []);
      if (running && heartbeat) running.progress = Math.round(Math.min(1, Math.max(0, heartbeat.fraction)) * 100);
      return { ...state, progress: overallProgress(state.steps) };
    } catch (error) {
      // The row is still a valid answer; a query can fail while the workflow has no worker.
      this.logger.debug(`live progress unavailable for ${job.id}: ${String(error)}`);
      return undefined;
    }
  }
}

interface PendingActivityLike {
  heartbeatDetails?: { payloads?: unknown[] | null } | null;
}

function latestHeartbeat(pending: readonly PendingActivityLike[]): InferenceHeartbeat | undefined {
  for (const activity of pending) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const detail = defaultPayloadConverter.fromPayload<unknown>(
      payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0],
    );
    if (isHeartbeat(detail)) return detail;
  }
  return undefined;
}

function isHeartbeat(value: unknown): value is InferenceHeartbeat {
  return typeof value === 'object' && value !== null && typeof (value as { fraction?: unknown }).fraction === 'number';
}

function storedSteps(job: ProcessingJob): StepProgress[] {
  const steps = job.result?.['steps'];
  return Array.isArray(steps) ? (steps as StepProgress[]) : [];
}

function toStatusView(job: ProcessingJob, liveProgress?: number): JobStatusView {
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
    ...(job.status === 'completed' && job.result ? { result: publicResult(job.result) } : {}),
  };
}

/** What a job made and how (models, methods, measurements, transcript preview), without storage keys or per-step detail. */
function publicResult(result: Record<string, unknown>): Record<string, unknown> {
  const hidden = new Set([
    'steps',
    'transcriptKey',
    'srtKey',
    'vttKey',
    'scriptKey',
    'outputKey',
    'workKey',
    'inputKey',
  ]);
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => !hidden.has(key))
          .map(([key, inner]) => [key, strip(inner)]),
      );
    }
    return value;
  };
  return strip(result) as Record<string, unknown>;
}

/** Keeps only a safe base name: it ends up in a Content-Disposition header. */
function sanitizeFilename(name: string): string {
  const base = path
    .basename(name)
    .replace(/[^\w.\- ]+/g, '_')
    .slice(0, 120);
  return base || 'audio';
}

function outputFilename(job: ProcessingJob): string {
  const stem = (job.inputFilename ?? 'audio').replace(/\.[^.]+$/, '');
  const extension = job.outputKey?.endsWith('.json') ? 'json' : 'wav';
  return `${stem}-${job.jobType}.${extension}`;
}

/** A cut that starts past the end of the recording can never be right; say so before any work is done. */
function assertCutsInside(steps: readonly PipelineStep[], durationMs: number): void {
  const seconds = durationMs / 1000;
  for (const step of steps) {
    if (step.op !== 'edit') continue;
    for (const operation of step.operations) {
      if (operation.type === 'remove_blooper' && operation.end_time > seconds + 0.001) {
        throw new DomainError(
          'CUT_OUTSIDE_AUDIO',
          HttpStatus.BAD_REQUEST,
          `remove_blooper ${operation.start_time}–${operation.end_time} s ends after the recording (${seconds.toFixed(2)} s)`,
        );
      }
    }
  }
}

/** Rejects a dub whose language pair has no installed translation (same language needs none). */
async function assertTranslatable(sourceLanguage: string, targetLanguage: string): Promise<void> {
  if (baseLanguage(sourceLanguage) === baseLanguage(targetLanguage)) return;
  try {
    await resolveTranslationPair(sourceLanguage, targetLanguage);
  } catch (error) {
    if (error instanceof UnsupportedLanguagePairError) {
      throw new DomainError('UNSUPPORTED_LANGUAGE_PAIR', HttpStatus.BAD_REQUEST, error.message, {
        details: { installedPairs: error.installedPairs.map((pair) => `${pair.source}-${pair.target}`) },
      });
    }
    throw error;
  }
}

/** "tts", or "tts+voice_clone" when follow-up steps run in the same job (as POST /api/jobs names its chains). */
function chainedJobType(first: string, then: readonly PipelineStep[] | undefined): string {
  return [first, ...(then ?? []).map((step) => step.op)].join('+');
}
