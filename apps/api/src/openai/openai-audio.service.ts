import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ffmpegBinary } from '@voice/audio';
import type { Env } from '@voice/config';
import {
  chargeJobDownload,
  getCreditSummary,
  getJobForUser,
  InsufficientCreditsError,
  releaseCredits,
  type Database,
  type ProcessingJob,
} from '@voice/db';
import { creditsForDurationMs, jobStorageKeys, type JobStatus, type PipelineStep, type StreamEnd } from '@voice/shared';
import type { VoiceMetrics } from '@voice/metrics';
import type { BlobStorage } from '@voice/storage';
import type { Response } from 'express';

import { apiKeyIdOf, type AuthPrincipal } from '../auth/auth-principal';
import { requireVerifiedEmail } from '../auth/verified-email';
import { DomainError } from '../common/domain-error';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, ENV, PAYMENT_CATALOG, STORAGE } from '../common/tokens';
import { METRICS } from '../common/metrics';
import { JobSubmissionService, type UploadedAudio } from '../jobs/job-submission.service';
import { JobsService } from '../jobs/jobs.service';
import { listModelAvailability, type ModelListing } from '../jobs/model-listing';
import type { PaymentCatalog } from '../payments/payment-catalog';
import { insufficientCredits } from '../payments/payment-gate';
import {
  acceptedModelIds,
  resolveSttModel,
  resolveTranslationModel,
  resolveTtsEngine,
  resolveVoice,
} from './openai-models';
import type {
  SpeechBody,
  SpeechFormat,
  TranscriptionFields,
  TranscriptionFormat,
  TranslationFields,
} from './openai-schemas';
import { toVerboseJson, type StoredTranscript } from './openai-transcript';
import { openEndedWavHeader, SPEECH_CONTENT_TYPES, spawnEncoder } from './speech-encoder';

const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);
/** Each long-poll holds this long before it is renewed; the wait itself lasts as long as the job does. */
const LONG_POLL_SECONDS = 25;
/** The platform's voices speak at 0.5–2× (the TTS step's range); OpenAI's wider range is finished by atempo. */
const VOICE_SPEED = { min: 0.5, max: 2 } as const;
/** How often a streaming request looks for the next part: short, as it bounds the time to first byte. */
const PART_POLL_MS = 15;
/** Every this many empty looks, the job row is read too (about every 0.3 s). */
const JOB_CHECK_EVERY = 20;

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** Follows a response's connection: `gone` once the client hung up before the response was fully written. */
function watchConnection(response: Response): { readonly gone: boolean } {
  // Each layer watches the response end for its own reason (lifecycle drain, metrics, tracing, the request log,
  // express), and a stream pipeline adds three more: past Node's default of 10, which is not a leak here.
  response.setMaxListeners(Math.max(response.getMaxListeners(), 20));
  const state = { gone: false };
  response.once('close', () => {
    if (!response.writableFinished) state.gone = true;
  });
  return state;
}

function badModel(model: string, what: string): DomainError {
  return new DomainError(
    'UNKNOWN_MODEL',
    HttpStatus.BAD_REQUEST,
    `The model '${model}' does not exist or is not installed for ${what}; GET /v1/models lists the accepted ids`,
    { details: { param: 'model' } },
  );
}

/**
 * OpenAI's audio API over the platform's jobs. Every call is an ordinary durable job (submitted the one way every
 * endpoint submits, so it is in the job history and the Temporal UI) that the request waits for; the output is
 * charged through the download's charge-once path when it is handed over, and released when the client left first.
 */
@Injectable()
export class OpenAiAudioService {
  private readonly logger = new Logger('OpenAiAudioService');
  /** OpenAI's `created`; installed models carry no date, so the time this server started. */
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
    @Inject(PAYMENT_CATALOG) private readonly catalog: PaymentCatalog,
    private readonly submissions: JobSubmissionService,
    private readonly jobs: JobsService,
    @Inject(METRICS) private readonly metrics: VoiceMetrics | null,
  ) {}

  async listModels(): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    const ids = acceptedModelIds(await this.listing());
    return { object: 'list', data: ids.map((id) => this.model(id)) };
  }

  async getModel(id: string): Promise<OpenAiModel> {
    if (!acceptedModelIds(await this.listing()).includes(id)) {
      throw new DomainError('MODEL_NOT_FOUND', HttpStatus.NOT_FOUND, `The model '${id}' does not exist`, {
        details: { param: 'model' },
      });
    }
    return this.model(id);
  }

  /** POST /v1/audio/transcriptions: answers when the job has, in the format asked for. */
  async transcribe(
    user: AuthPrincipal,
    upload: UploadedAudio | undefined,
    fields: TranscriptionFields,
    response: Response,
  ): Promise<void> {
    const step: PipelineStep = {
      op: 'stt',
      language: fields.language ?? 'en',
      ...(await this.sttModel(fields.model)),
    };
    await this.runTranscript(user, upload, step, response, {
      task: 'transcribe',
      format: fields.response_format,
      temperature: fields.temperature ?? 0,
      words: fields.timestamp_granularities.includes('word'),
    });
  }

  /** POST /v1/audio/translations: English text from speech in any language Whisper knows (its translate task). */
  async translate(
    user: AuthPrincipal,
    upload: UploadedAudio | undefined,
    fields: TranslationFields,
    response: Response,
  ): Promise<void> {
    const listing = await this.listing();
    const model = resolveTranslationModel(fields.model, listing);
    if (!model) throw badModel(fields.model, 'translation (it needs a multilingual Whisper model)');
    await this.runTranscript(user, upload, { op: 'stt', language: 'en', task: 'translate', model }, response, {
      task: 'translate',
      format: fields.response_format,
      temperature: fields.temperature ?? 0,
      words: false,
    });
  }

  /**
   * POST /v1/audio/speech, as a TTS job. With an engine voice the job streams: each sentence is relayed as soon as
   * the worker has spoken it, while the next one is synthesised. A library voice is converted after synthesis, so
   * that job is delivered once it is done. Encoding (mp3, opus, aac, flac, or a tempo change) is an ffmpeg child.
   */
  async speech(user: AuthPrincipal, body: SpeechBody, response: Response): Promise<void> {
    const connection = watchConnection(response);
    const listing = await this.listing();
    const engine = resolveTtsEngine(body.model, listing);
    if (!engine) throw badModel(body.model, 'speech');
    const voice = resolveVoice(body.voice, engine, listing);
    const voiceSpeed = Math.min(VOICE_SPEED.max, Math.max(VOICE_SPEED.min, body.speed));
    const streamed = voice.kind === 'engine';
    const steps: PipelineStep[] = [
      {
        op: 'tts',
        model: engine,
        ...(voice.kind === 'engine' && voice.voiceId ? { voice_id: voice.voiceId } : {}),
        ...(voiceSpeed !== 1 ? { speed: voiceSpeed } : {}),
        ...(streamed ? { stream: true } : {}),
      },
      ...(voice.kind === 'library' ? [{ op: 'voice_clone' as const, target_voice_id: voice.voiceId }] : []),
    ];
    await requireVerifiedEmail(this.db, user.userId, 'download');
    const { jobId } = await this.submissions.submit({
      userId: user.userId,
      apiKeyId: apiKeyIdOf(user),
      tier: user.tier,
      source: { kind: 'text', text: body.input },
      steps,
    });
    const output = { format: body.response_format, tempo: body.speed / voiceSpeed };
    if (streamed) return this.deliverStreamed(user.userId, jobId, output, response, connection);
    return this.deliverFinished(user.userId, jobId, output, response, connection);
  }

  /** Relays the job's parts as they appear; the charge waits for the job to complete (and the stream to be out). */
  private async deliverStreamed(
    userId: string,
    jobId: string,
    output: { format: SpeechFormat; tempo: number },
    response: Response,
    connection: { readonly gone: boolean },
  ): Promise<void> {
    const parts = this.followParts(userId, jobId);
    const raw = Math.abs(output.tempo - 1) < 1e-6 && (output.format === 'pcm' || output.format === 'wav');
    // Started now, so ffmpeg's start-up overlaps the synthesis of the first sentence, not the time to first byte.
    const encoder = raw
      ? undefined
      : spawnEncoder(await ffmpegBinary({ ffmpegPath: this.env.FFMPEG_PATH }), output.format, output.tempo, 'pcm');
    let first: IteratorResult<Buffer, void>;
    try {
      // The first part decides the status: a job that fails before speaking anything answers a proper error.
      first = await parts.next();
    } catch (error) {
      encoder?.kill();
      throw error;
    }
    const chunks = (async function* () {
      if (!first.done) yield first.value;
      yield* parts;
    })();
    let delivered = false;
    if (connection.gone) encoder?.kill();
    else {
      response.status(HttpStatus.OK);
      response.setHeader('Content-Type', SPEECH_CONTENT_TYPES[output.format]);
      response.setHeader('X-Job-Id', jobId);
      response.flushHeaders();
      try {
        if (encoder) await this.encodeInto(encoder, Readable.from(chunks), response);
        else {
          // The parts are already OpenAI's pcm: relayed as they are, behind an open-ended header for wav.
          const format = output.format;
          const withHeader = async function* () {
            if (format === 'wav') yield openEndedWavHeader();
            yield* chunks;
          };
          await pipeline(Readable.from(withHeader()), response);
        }
        delivered = response.writableFinished;
      } catch (error) {
        this.logger.warn(`speech stream of job ${jobId} broke off: ${String(error)}`);
        response.destroy();
      }
    }
    await chunks.return(undefined);
    await parts.return(undefined);
    // The rest of the pipeline (loudness, the quality gate) runs on; the charge waits for it to complete.
    try {
      const job = await this.waitForTerminal(userId, jobId);
      if (!delivered) return await this.releaseUndelivered(job);
      if (job.status === 'completed') await this.charge(job);
    } catch (error) {
      // The response is out: nobody to answer. A server stopping before the job ended lands here too; the hold
      // then stays on the completed job, charged by its first download.
      this.logger.warn(
        `speech job ${jobId} was ${delivered ? 'delivered' : 'not delivered'} but not settled: ${String(error)}`,
      );
    }
  }

  /** A finished job's output, encoded on the way out. */
  private async deliverFinished(
    userId: string,
    jobId: string,
    output: { format: SpeechFormat; tempo: number },
    response: Response,
    connection: { readonly gone: boolean },
  ): Promise<void> {
    const job = await this.waitForTerminal(userId, jobId);
    if (connection.gone) return this.releaseUndelivered(job);
    const outputKey = this.requireOutput(job, 'speech');
    await this.assertCanPay(job);
    const storage = requireDependency(this.storage, 'storage');
    const encoder = spawnEncoder(await ffmpegBinary({ ffmpegPath: this.env.FFMPEG_PATH }), output.format, output.tempo);
    response.status(HttpStatus.OK);
    response.setHeader('Content-Type', SPEECH_CONTENT_TYPES[output.format]);
    response.setHeader('X-Job-Id', job.id);
    try {
      await this.encodeInto(encoder, await storage.getStream(outputKey), response);
    } catch (error) {
      if (!response.writableFinished) await this.releaseUndelivered(job);
      if (connection.gone) return;
      throw error;
    }
    await this.charge(job).catch((error: unknown) => {
      // Delivered, with a precheck that it could be paid: only a concurrent spend gets here. Logged, not hidden.
      this.logger.error(`speech job ${job.id} was delivered but could not be charged: ${String(error)}`);
    });
  }

  /** Source → ffmpeg → response, all streaming; fails if any side does or ffmpeg exits non-zero. */
  private async encodeInto(
    encoder: ReturnType<typeof spawnEncoder>,
    source: Readable,
    response: Response,
  ): Promise<void> {
    const stderr: Buffer[] = [];
    encoder.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const exited = once(encoder, 'close') as Promise<[number | null]>;
    try {
      await Promise.all([pipeline(source, encoder.stdin), pipeline(encoder.stdout, response)]);
      const [code] = await exited;
      if (code !== 0) throw new Error(`ffmpeg exited ${String(code)}: ${Buffer.concat(stderr).toString('utf8')}`);
    } catch (error) {
      encoder.kill();
      throw error;
    }
  }

  /**
   * The job's streamed parts in order, each as soon as the worker has stored it, until the end marker's count.
   * Storage is where the worker's writes land, so it is read directly; the job row is checked now and then so a
   * failed job ends the stream with its error instead of a wait.
   */
  private async *followParts(userId: string, jobId: string): AsyncGenerator<Buffer, void, undefined> {
    const storage = requireDependency(this.storage, 'storage');
    const keys = jobStorageKeys(jobId);
    let total: number | undefined;
    let idle = 0;
    for (let index = 0; total === undefined || index < total;) {
      if (await storage.exists(keys.streamPart(index))) {
        yield await storage.getBuffer(keys.streamPart(index));
        index += 1;
        idle = 0;
        continue;
      }
      if (total === undefined && (await storage.exists(keys.streamEnd))) {
        total = (JSON.parse((await storage.getBuffer(keys.streamEnd)).toString('utf8')) as StreamEnd).parts;
        continue;
      }
      idle += 1;
      if (idle % JOB_CHECK_EVERY === 0) {
        const job = await getJobForUser(this.db, jobId, userId);
        if (!job) throw new DomainError('JOB_NOT_FOUND', HttpStatus.NOT_FOUND, `Job ${jobId} not found`);
        // A completed job wrote every part and the marker before it completed: the next round finds them.
        if (job.status === 'failed' || job.status === 'cancelled') throw this.jobFailure(job, 'speech');
      }
      await sleep(PART_POLL_MS);
    }
  }

  private async runTranscript(
    user: AuthPrincipal,
    upload: UploadedAudio | undefined,
    step: PipelineStep,
    response: Response,
    options: { task: 'transcribe' | 'translate'; format: TranscriptionFormat; temperature: number; words: boolean },
  ): Promise<void> {
    const connection = watchConnection(response);
    if (!upload) {
      throw new DomainError('FILE_REQUIRED', HttpStatus.BAD_REQUEST, "Attach the audio as the multipart field 'file'", {
        details: { param: 'file' },
      });
    }
    await requireVerifiedEmail(this.db, user.userId, 'download');
    const accepted = await this.submissions.submit({
      userId: user.userId,
      apiKeyId: apiKeyIdOf(user),
      tier: user.tier,
      source: { kind: 'upload', upload },
      steps: [step],
    });
    const job = await this.waitForTerminal(user.userId, accepted.jobId);
    if (connection.gone) return this.releaseUndelivered(job);
    const transcript = job.result?.transcript;
    if (job.status !== 'completed' || !transcript) throw this.jobFailure(job);
    const storage = requireDependency(this.storage, 'storage');
    let body: string;
    let contentType = 'text/plain; charset=utf-8';
    if (options.format === 'srt' || options.format === 'vtt') {
      body = (await storage.getBuffer(options.format === 'srt' ? transcript.srtKey : transcript.vttKey)).toString(
        'utf8',
      );
    } else {
      const stored = JSON.parse(
        (await storage.getBuffer(transcript.transcriptKey)).toString('utf8'),
      ) as StoredTranscript;
      if (options.format === 'text') body = `${stored.text}\n`;
      else {
        contentType = 'application/json; charset=utf-8';
        body = JSON.stringify(options.format === 'json' ? { text: stored.text } : toVerboseJson(stored, options));
      }
    }
    // The client may have gone while the transcript was read: then nothing is charged.
    if (connection.gone) return this.releaseUndelivered(job);
    await this.charge(job);
    response.status(HttpStatus.OK).setHeader('Content-Type', contentType).setHeader('X-Job-Id', job.id).end(body);
  }

  private async sttModel(model: string): Promise<{ model?: string }> {
    const resolved = resolveSttModel(model, await this.listing());
    if (!resolved.ok) throw badModel(model, 'speech to text');
    return resolved.model ? { model: resolved.model } : {};
  }

  /** Renewed long-polls on the job row until the job ends, however long it runs (no client-side polling). */
  private async waitForTerminal(userId: string, jobId: string): Promise<ProcessingJob> {
    for (;;) {
      const view = await this.jobs.getStatus(userId, jobId, LONG_POLL_SECONDS);
      if (TERMINAL.has(view.status)) break;
    }
    const job = await getJobForUser(this.db, jobId, userId);
    if (!job) throw new DomainError('JOB_NOT_FOUND', HttpStatus.NOT_FOUND, `Job ${jobId} not found`);
    return job;
  }

  private requireOutput(job: ProcessingJob, what: string): string {
    if (job.status !== 'completed' || !job.outputKey) throw this.jobFailure(job, what);
    return job.outputKey;
  }

  /** A job that did not complete: a 500 naming the job, so it can be looked up in the history and Temporal UI. */
  private jobFailure(job: ProcessingJob, what = 'transcription'): DomainError {
    return new DomainError(
      'JOB_FAILED',
      HttpStatus.INTERNAL_SERVER_ERROR,
      `The ${what} job ${job.id} ${job.status === 'cancelled' ? 'was cancelled' : 'failed'}${job.error ? `: ${job.error}` : ''}`,
    );
  }

  /** The download's charge: once per job, with the download's own idempotency key, so neither path charges twice. */
  private async charge(job: ProcessingJob): Promise<void> {
    try {
      const charge = await chargeJobDownload(this.db, {
        jobId: job.id,
        userId: job.userId,
        idempotencyKey: `job-${job.id}:download`,
      });
      if (!charge.alreadyCharged) this.metrics?.creditsCharged(charge.creditsCharged);
    } catch (error) {
      if (error instanceof InsufficientCreditsError)
        throw insufficientCredits(this.catalog, error.required, error.available);
      throw error;
    }
  }

  /** A stream is charged after it is delivered, so it is checked first that the charge will fit (as a 402). */
  private async assertCanPay(job: ProcessingJob): Promise<void> {
    if (job.chargedAt || job.outputDurationMs === null) return;
    const required = creditsForDurationMs(job.outputDurationMs);
    const { balance } = await getCreditSummary(this.db, job.userId);
    if (balance + job.creditsHeld < required)
      throw insufficientCredits(this.catalog, required, balance + job.creditsHeld);
  }

  /** Nobody received the output: the job stays in the history, downloadable later, and holds nothing meanwhile. */
  private async releaseUndelivered(job: ProcessingJob): Promise<void> {
    if (job.status !== 'completed' || job.chargedAt) return;
    await releaseCredits(this.db, { jobId: job.id, idempotencyKey: `job-${job.id}:v1-undelivered` });
  }

  private listing(): Promise<ModelListing> {
    return listModelAvailability({ modelsDir: this.env.MODELS_DIR });
  }

  private model(id: string): OpenAiModel {
    return { id, object: 'model', created: this.created, owned_by: 'voice-platform' };
  }
}
