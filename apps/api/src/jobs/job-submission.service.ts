import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AudioValidationError, probeAudioFile, type AudioContainer } from '@voice/audio';
import type { Env } from '@voice/config';
import {
  InsufficientCreditsError,
  createJobWithHold,
  discardUnstartedJob,
  findAccountState,
  getJobForUser,
  type Database,
  type NewProcessingJob,
  type ProcessingJob,
} from '@voice/db';
import type { VoiceMetrics } from '@voice/metrics';
import {
  DEFAULT_SUBSCRIPTION_TIER,
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
  type SubscriptionTier,
} from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { DomainError } from '../common/domain-error';
import { METRICS } from '../common/metrics';
import { annotateRequestLog } from '../common/logging/logging.module';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, ENV, PAYMENT_CATALOG, STORAGE } from '../common/tokens';
import type { PaymentCatalog } from '../payments/payment-catalog';
import { insufficientCredits } from '../payments/payment-gate';
import { assertDeliverableUrl } from '../developer/webhooks.service';
import { jobIdForIdempotencyKey, type Idempotency } from './idempotency-key.decorator';
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
  /** The API key the request came with (recorded on the job, and so on its usage); null for a session. */
  apiKeyId: string | null;
  /** The submitter's tier as this request's authentication read it (AuthPrincipal.tier); read again when absent. */
  tier?: SubscriptionTier | undefined;
  idempotency?: Idempotency;
  /** Gets the job's terminal event, signed like a webhook (vetted against private addresses here, at submit). */
  callbackUrl?: string;
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
    @Inject(PAYMENT_CATALOG) private readonly catalog: PaymentCatalog,
    @Inject(METRICS) private readonly metrics: VoiceMetrics | null,
    @InjectPinoLogger(JobSubmissionService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Validates the request and starts the durable pipeline. Everything that can be rejected is rejected here,
   * before a job row, a stored file or a workflow exists. The job row and its credit hold are written in one
   * transaction, so a job is admitted only if its hold fits the balance. (UploadCleanupInterceptor removes the
   * temp upload.)
   */
  async submit(request: JobRequest): Promise<AcceptedJob> {
    const { userId, idempotency, source } = request;
    const fingerprint = idempotency ? await requestFingerprint(idempotency.route, request) : undefined;
    const jobId = idempotency ? jobIdForIdempotencyKey(userId, idempotency.key) : randomUUID();
    const callbackUrl = request.callbackUrl
      ? await assertDeliverableUrl(request.callbackUrl, this.env, 'callback_url')
      : null;
    const replayed = await this.replay(userId, jobId, fingerprint);
    // A pending job may be one whose instance died between writing its row and starting its workflow: this retry
    // carries the same request, so it finishes that submit below (storing the input again and starting is idempotent).
    if (replayed && replayed.status !== 'pending') return accepted(replayed);
    const context = createStepContext({ userId, db: this.db, modelsDir: this.env.MODELS_DIR });
    const steps = await prepareSteps(request.steps, context);
    const jobType = jobTypeFor(steps);
    const row = {
      id: jobId,
      userId,
      jobType,
      status: 'pending' as const,
      workflowId: workflowIdForJob(jobId),
      requestFingerprint: fingerprint ?? null,
      apiKeyId: request.apiKeyId,
      callbackUrl,
      parameters: { steps },
    };

    if (source.kind !== 'upload') {
      const [first] = steps;
      const holdMs = (first && estimateOutputMs(first, source.kind === 'text' ? { text: source.text } : {})) ?? 0;
      const pipelineSource: JobSource = source.kind === 'text' ? { kind: 'text', text: source.text } : { kind: 'none' };
      const admitted = await this.admit({ ...row, inputKey: null }, holdMs, fingerprint);
      if (!admitted.created && admitted.job.status !== 'pending') return accepted(admitted.job);
      return this.start(admitted, { steps, source: pipelineSource, estimatedOutputMs: holdMs }, request.tier);
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
    const inputKey = jobStorageKeys(jobId).input(probe.container);
    const admitted = await this.admit(
      {
        ...row,
        inputKey,
        inputFilename: sanitizeFilename(upload.originalname),
        inputFormat: probe.container,
        inputDurationMs: Math.round(probe.durationMs),
      },
      probe.durationMs,
      fingerprint,
    );
    if (!admitted.created && admitted.job.status !== 'pending') return accepted(admitted.job);
    try {
      // The upload is consumed: local storage moves it into place (UploadCleanupInterceptor tolerates that).
      await requireDependency(this.storage, 'storage').putFile(inputKey, upload.path, CONTENT_TYPES[probe.container], {
        consume: true,
      });
    } catch (error) {
      if (admitted.created) await discardUnstartedJob(this.db, jobId);
      throw error;
    }
    return this.start(admitted, { steps, source: { kind: 'audio', inputKey } }, request.tier);
  }

  /**
   * Writes the row with its hold, or answers 402 having written nothing. A concurrent request with the same
   * Idempotency-Key may have created the row first: then that job is the answer (if it is the same request).
   */
  private async admit(row: NewProcessingJob, holdMs: number, fingerprint: string | undefined) {
    try {
      const admitted = await createJobWithHold(this.db, row, creditsForDurationMs(holdMs));
      if (!admitted.created) assertSameRequest(admitted.job, fingerprint);
      return admitted;
    } catch (error) {
      if (error instanceof InsufficientCreditsError)
        throw insufficientCredits(this.catalog, error.required, error.available);
      throw error;
    }
  }

  /**
   * Starts the admitted job's workflow. If Temporal cannot be reached the job is undone (hold released, row
   * deleted, input dropped) and the client gets a 503 it can retry: nothing dangles.
   */
  private async start(
    admitted: { job: ProcessingJob; created: boolean },
    run: { steps: PipelineStep[]; source: JobSource; estimatedOutputMs?: number },
    submitterTier: SubscriptionTier | undefined,
  ): Promise<AcceptedJob> {
    const { job } = admitted;
    let tier = submitterTier;
    try {
      // The tier at submit sets the run's GPU priority for its whole life; a later tier change affects new jobs.
      tier ??= (await findAccountState(this.db, job.userId))?.subscriptionTier;
      await this.pipeline.start({
        jobId: job.id,
        userId: job.userId,
        jobType: job.jobType,
        source: run.source,
        steps: run.steps,
        ...(tier ? { tier } : {}),
        ...(run.estimatedOutputMs !== undefined ? { estimatedOutputMs: run.estimatedOutputMs } : {}),
      });
      // The request's own line gets the job id too: from it, the workflow's and activities' lines can be found.
      annotateRequestLog(this.logger, { jobId: job.id });
      this.logger.info({ jobId: job.id, jobType: job.jobType, tier: tier ?? 'free' }, 'job submitted');
    } catch (error) {
      // Only this request's own job is undone: a retried one may already be running (started by the request it
      // retries), and its row, hold and input stay for the next retry to finish.
      if (admitted.created) {
        await discardUnstartedJob(this.db, job.id);
        if (run.source.kind === 'audio') await this.storage?.delete(run.source.inputKey).catch(() => undefined);
      }
      throw error;
    }
    // Counted once the workflow runs, by the request that created the job: a replayed Idempotency-Key (even one
    // that finishes a start its first request died in) or an undone start is no new job.
    if (admitted.created) this.metrics?.jobSubmitted({ jobType: job.jobType, tier: tier ?? DEFAULT_SUBSCRIPTION_TIER });
    return accepted(job);
  }

  /** The job an earlier request with the same Idempotency-Key created, if there is one and it was this request. */
  private async replay(
    userId: string,
    jobId: string,
    fingerprint: string | undefined,
  ): Promise<ProcessingJob | undefined> {
    if (!fingerprint) return undefined;
    const existing = await getJobForUser(this.db, jobId, userId);
    if (!existing) return undefined;
    assertSameRequest(existing, fingerprint);
    return existing;
  }

  private async probeUpload(upload: UploadedAudio) {
    try {
      return await probeAudioFile(upload.path, { ffmpegPath: this.env.FFMPEG_PATH });
    } catch (error) {
      throw error instanceof AudioValidationError ? invalidAudio(error) : error;
    }
  }
}

function accepted(job: ProcessingJob): AcceptedJob {
  return { jobId: job.id, status: job.status, statusUrl: `/api/jobs/${job.id}/status` };
}

/** Stripe's rule: a key names one request; sending it with another request is a client bug, not a replay. */
function assertSameRequest(job: ProcessingJob, fingerprint: string | undefined): void {
  if (job.requestFingerprint === fingerprint) return;
  throw new DomainError(
    'IDEMPOTENCY_KEY_REUSED',
    HttpStatus.UNPROCESSABLE_ENTITY,
    'This Idempotency-Key was already used with a different request; use a new key for a new request',
  );
}

/**
 * SHA-256 over what makes a submit the request it is: the route, the steps as sent (keys sorted) and the text or
 * the uploaded file's bytes. The file is hashed as a stream, so a large upload never blocks the event loop.
 */
async function requestFingerprint(route: string, request: JobRequest): Promise<string> {
  const { source } = request;
  let material: string;
  if (source.kind === 'upload') {
    material = source.upload ? `file:${await sha256OfFile(source.upload.path)}` : 'file:none';
  } else if (source.kind === 'text') {
    material = `text:${createHash('sha256').update(source.text).digest('hex')}`;
  } else {
    material = 'none';
  }
  return (
    createHash('sha256')
      // A callback is part of the request; without one the fingerprint is what it always was.
      .update(
        JSON.stringify([
          route,
          canonicalJson(request.steps),
          material,
          ...(request.callbackUrl ? [request.callbackUrl] : []),
        ]),
      )
      .digest('hex')
  );
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same request. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** Keeps only a safe base name: it ends up in a Content-Disposition header. */
function sanitizeFilename(name: string): string {
  const base = path
    .basename(name)
    .replace(/[^\w.\- ]+/g, '_')
    .slice(0, 120);
  return base || 'audio';
}
