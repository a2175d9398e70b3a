import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  chargeJobDownload,
  findUserById,
  getJobForUser,
  InsufficientCreditsError,
  type Database,
  type ProcessingJob,
} from '@voice/db';
import type { VoiceMetrics } from '@voice/metrics';
import type { BlobStorage } from '@voice/storage';
import { accountGone, conflict, DomainError, notFound } from '../common/domain-error';
import { METRICS } from '../common/metrics';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, PAYMENT_CATALOG, STORAGE } from '../common/tokens';
import { requireVerifiedEmail } from '../auth/verified-email';
import type { PaymentCatalog } from '../payments/payment-catalog';
import { insufficientCredits } from '../payments/payment-gate';

/**
 * Delivery: the paid output (the charge, then time-limited links to it and its artifacts) and the free input
 * (the owner's own upload, for playback).
 */
@Injectable()
export class DownloadService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
    @Inject(PAYMENT_CATALOG) private readonly catalog: PaymentCatalog,
    @Inject(METRICS) private readonly metrics: VoiceMetrics | null,
  ) {}

  /**
   * Charges the output's length once, however many times or how concurrently it is called, then hands out a
   * time-limited link. The charge and its idempotency live in one database transaction. Past the job's download
   * window (RETENTION_DAYS after it ended) the charge refuses it: 410 OUTPUT_EXPIRED, and nothing is charged.
   */
  async download(userId: string, jobId: string) {
    await requireVerifiedEmail(this.db, userId, 'download');
    const charge = await chargeJobDownload(this.db, { jobId, userId, idempotencyKey: `job-${jobId}:download` }).catch(
      (error: unknown) => {
        // The seed's payment gate: the 402 says what is missing and which package covers it.
        if (error instanceof InsufficientCreditsError) {
          throw insufficientCredits(this.catalog, error.required, error.available);
        }
        throw error;
      },
    );
    // Only the call that took the credits counts them; the charge-once path answers the rest as alreadyCharged.
    if (!charge.alreadyCharged) this.metrics?.creditsCharged(charge.creditsCharged);
    const job = await getJobForUser(this.db, jobId, userId);
    if (!job) throw notFound('JOB_NOT_FOUND', `Job ${jobId} not found`);
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

  /**
   * A link to the job's input as uploaded, so its owner can play it back. It is the user's own material, so it
   * costs nothing, before or after the job ends; only the owner gets it (anyone else's job is not found).
   */
  async inputLink(userId: string, jobId: string) {
    const job = await getJobForUser(this.db, jobId, userId);
    if (!job) throw notFound('JOB_NOT_FOUND', `Job ${jobId} not found`);
    if (!job.inputKey)
      throw notFound('NO_INPUT_AUDIO', `Job ${jobId} started from text or nothing: it has no input audio`);
    if (job.filesExpiredAt) {
      throw new DomainError(
        'INPUT_EXPIRED',
        HttpStatus.GONE,
        `The files of job ${jobId} were deleted after the retention period (expired ${job.filesExpiredAt.toISOString()})`,
      );
    }
    const storage = requireDependency(this.storage, 'storage');
    // No download filename: an attachment disposition would be noise for a player, and S3 signs it into the URL.
    const link = await storage.signedDownloadUrl(job.inputKey);
    return {
      url: link.url,
      expiresAt: link.expiresAt.toISOString(),
      filename: job.inputFilename,
      format: job.inputFormat,
      durationMs: job.inputDurationMs,
    };
  }

  /** A transcription job also hands out its subtitles, under the same charge. */
  private async signArtifacts(job: ProcessingJob, storage: BlobStorage) {
    const transcript = job.result?.transcript;
    if (!transcript) return undefined;
    const stem = (job.inputFilename ?? 'transcript').replace(/\.[^.]+$/, '');
    const [srt, vtt] = await Promise.all([
      storage.signedDownloadUrl(transcript.srtKey, { downloadFilename: `${stem}.srt` }),
      storage.signedDownloadUrl(transcript.vttKey, { downloadFilename: `${stem}.vtt` }),
    ]);
    return { srt: srt.url, vtt: vtt.url };
  }
}

function outputFilename(job: ProcessingJob): string {
  const stem = (job.inputFilename ?? 'audio').replace(/\.[^.]+$/, '');
  const extension = job.outputKey?.endsWith('.json') ? 'json' : 'wav';
  return `${stem}-${job.jobType}.${extension}`;
}
