import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AudioValidationError, probeAudioFile, type AudioContainer } from '@voice/audio';
import type { Env } from '@voice/config';
import { createJob, getCreditSummary, getJobForUser, markJobFailed, type Database } from '@voice/db';
import {
  checkStepsAgainstInput,
  creditsForDurationMs,
  estimateOutputMs,
  jobStorageKeys,
  jobTypeFor,
  prepareSteps,
  workflowIdForJob,
  type JobSource,
  type JobStatus,
  type PipelineStep,
} from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { DomainError } from '../common/domain-error';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, ENV, STORAGE } from '../common/tokens';
import { jobIdForIdempotencyKey } from './idempotency-key.decorator';
import { invalidAudio } from './invalid-audio';
import { PIPELINE_CLIENT, type PipelineClient } from '../common/pipeline-client';
import { createStepContext } from './step-context';

/** An upload as multer leaves it on disk. */
export interface UploadedAudio {
  path: string;
  originalname: string;
  size: number;
}

/** Where a submitted job's material comes from. */
export type SubmittedSource =
  { kind: 'upload'; upload: UploadedAudio | undefined } | { kind: 'text'; text: string } | { kind: 'none' };

export interface JobRequest {
  userId: string;
  idempotencyKey?: string;
  source: SubmittedSource;
  /** In order; the first one of a text or generated job is the step that makes the audio. */
  steps: PipelineStep[];
}

export interface AcceptedJob {
  jobId: string;
  status: JobStatus;
  statusUrl: string;
}

const CONTENT_TYPES: Record<AudioContainer, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
};

/** The one way a job is submitted, whichever endpoint the request came through. */
@Injectable()
export class JobSubmissionService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
    @Inject(PIPELINE_CLIENT) private readonly pipeline: PipelineClient,
  ) {}

  /**
   * Validates the request and starts the durable pipeline. Everything that can be rejected is rejected here,
   * before a job row, a stored file or a workflow exists. (UploadCleanupInterceptor removes the temp upload.)
   */
  async submit(request: JobRequest): Promise<AcceptedJob> {
    const { userId, idempotencyKey, source } = request;
    const replayed = await this.replay(userId, idempotencyKey);
    if (replayed) return replayed;
    const context = createStepContext({ userId, db: this.db, modelsDir: this.env.MODELS_DIR });
    const steps = await prepareSteps(request.steps, context);
    const jobId = idempotencyKey ? jobIdForIdempotencyKey(userId, idempotencyKey) : randomUUID();
    const jobType = jobTypeFor(steps);

    if (source.kind !== 'upload') {
      const [first] = steps;
      const holdMs = (first && estimateOutputMs(first, source.kind === 'text' ? { text: source.text } : {})) ?? 0;
      await this.assertAffordable(userId, holdMs);
      const pipelineSource: JobSource = source.kind === 'text' ? { kind: 'text', text: source.text } : { kind: 'none' };
      return this.start({ jobId, userId, jobType, steps, source: pipelineSource, estimatedOutputMs: holdMs });
    }

    const { upload } = source;
    if (!upload) {
      throw new DomainError(
        'AUDIO_FILE_REQUIRED',
        HttpStatus.BAD_REQUEST,
        'Attach the audio as the multipart field "audio_file"',
      );
    }
    const probe = await this.probeUpload(upload);
    checkStepsAgainstInput(steps, { durationMs: probe.durationMs });
    await this.assertAffordable(userId, probe.durationMs);
    const storage = requireDependency(this.storage, 'storage');
    const inputKey = jobStorageKeys(jobId).input(probe.container);
    await storage.putFile(inputKey, upload.path, CONTENT_TYPES[probe.container]);
    return this.start({
      jobId,
      userId,
      jobType,
      steps,
      source: { kind: 'audio', inputKey },
      row: {
        inputFilename: sanitizeFilename(upload.originalname),
        inputFormat: probe.container,
        inputDurationMs: Math.round(probe.durationMs),
      },
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
  private async start(job: {
    jobId: string;
    userId: string;
    jobType: string;
    steps: PipelineStep[];
    source: JobSource;
    estimatedOutputMs?: number;
    row?: { inputFilename: string; inputFormat: string; inputDurationMs: number };
  }): Promise<AcceptedJob> {
    const { jobId, source } = job;
    await createJob(this.db, {
      id: jobId,
      userId: job.userId,
      jobType: job.jobType,
      status: 'pending',
      workflowId: workflowIdForJob(jobId),
      parameters: { steps: job.steps },
      inputKey: source.kind === 'audio' ? source.inputKey : null,
      ...job.row,
    });
    try {
      await this.pipeline.start({
        jobId,
        userId: job.userId,
        jobType: job.jobType,
        source,
        steps: job.steps,
        ...(job.estimatedOutputMs !== undefined ? { estimatedOutputMs: job.estimatedOutputMs } : {}),
      });
    } catch (error) {
      // Without a workflow nothing would ever move this job: close it and drop its input.
      await markJobFailed(this.db, jobId, 'The job could not be started; please retry', new Date());
      if (source.kind === 'audio') await this.storage?.delete(source.inputKey).catch(() => undefined);
      throw error;
    }
    return { jobId, status: 'pending', statusUrl: `/api/jobs/${jobId}/status` };
  }

  /** The job an earlier request with the same Idempotency-Key created, if there is one. */
  private async replay(userId: string, idempotencyKey: string | undefined): Promise<AcceptedJob | undefined> {
    if (!idempotencyKey) return undefined;
    const jobId = jobIdForIdempotencyKey(userId, idempotencyKey);
    const existing = await getJobForUser(this.db, jobId, userId);
    return existing ? { jobId, status: existing.status, statusUrl: `/api/jobs/${jobId}/status` } : undefined;
  }

  private async probeUpload(upload: UploadedAudio) {
    try {
      return await probeAudioFile(upload.path, { ffmpegPath: this.env.FFMPEG_PATH });
    } catch (error) {
      throw error instanceof AudioValidationError ? invalidAudio(error) : error;
    }
  }
}

/** Keeps only a safe base name: it ends up in a Content-Disposition header. */
function sanitizeFilename(name: string): string {
  const base = path
    .basename(name)
    .replace(/[^\w.\- ]+/g, '_')
    .slice(0, 120);
  return base || 'audio';
}
