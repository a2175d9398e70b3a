import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AudioValidationError, type AudioContainer } from '@voice/audio';
import type { Env } from '@voice/config';
import {
  deleteVoiceOfUser,
  insertVoice,
  listPublicVoices,
  listVoicesForUser,
  setVoiceVisibilityOfUser,
  type Database,
  type Voice,
} from '@voice/db';
import type { BlobStorage } from '@voice/storage';
import { bandCentersHz, type VoiceCharacteristics } from '@voice/voice-dsp';
import { DomainError, notFound, serviceUnavailable } from '../common/domain-error';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, ENV, STORAGE } from '../common/tokens';
import type { UploadedAudio } from '../jobs/job-submission.service';
import { invalidAudio } from '../jobs/invalid-audio';
import type { VoiceCharacteristicsDto, VoiceDto, VoiceListDto } from './dto/voice.dto';
import type { VoiceSampleRejection } from './voice-analysis';
import {
  VOICE_ANALYSIS_POOL,
  VoiceAnalysisBusyError,
  VoiceAnalysisClosedError,
  VoiceAnalysisPool,
  VoiceAnalysisTimeoutError,
} from './voice-analysis-pool';

/** Enough speech for stable pitch and timbre statistics. */
const MIN_SAMPLE_SECONDS = 1;

/** What an upload stores in `voice_characteristics`: the analysis plus facts about the sample itself. */
type StoredVoiceCharacteristics = VoiceCharacteristics & {
  sampleDurationSeconds: number;
  sampleFormat: AudioContainer;
};

/** The bands are fixed by the analysis, so their centres are computed once, not stored with every voice. */
let bandCenters: number[] | undefined;

@Injectable()
export class VoicesService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
    @Inject(VOICE_ANALYSIS_POOL) private readonly analysis: VoiceAnalysisPool,
  ) {}

  /** Validates a voice sample, measures its characteristics and stores both. */
  async upload(
    userId: string,
    upload: UploadedAudio | undefined,
    fields: { name: string; description?: string; is_public: boolean },
  ): Promise<VoiceDto> {
    if (!upload) {
      throw new DomainError(
        'AUDIO_FILE_REQUIRED',
        HttpStatus.BAD_REQUEST,
        'Attach the voice sample as the multipart field "audio_file"',
      );
    }
    const storage = requireDependency(this.storage, 'storage');
    const maxSeconds = this.env.VOICE_SAMPLE_MAX_SECONDS;
    // Decode and DSP run on a pool thread: this event loop only hands over the path (issue 8).
    const outcome = await this.analysis
      .analyze({ filePath: upload.path, ffmpegPath: this.env.FFMPEG_PATH, minSeconds: MIN_SAMPLE_SECONDS, maxSeconds })
      .catch((error: unknown): never => {
        throw analysisUnavailable(error);
      });
    if (!outcome.ok) throw rejectionError(outcome.rejection, maxSeconds);
    const { probe, characteristics } = outcome;
    const seconds = probe.durationMs / 1000;
    const id = randomUUID();
    const sampleKey = `voices/${userId}/${id}.${probe.container}`;
    // consume: the temp upload is done with, so local storage moves it into place instead of copying.
    await storage.putFile(sampleKey, upload.path, undefined, { consume: true });
    try {
      const voice = await insertVoice(this.db, {
        id,
        userId,
        name: fields.name,
        description: fields.description ?? null,
        isPublic: fields.is_public,
        sampleKey,
        voiceCharacteristics: {
          ...characteristics,
          sampleDurationSeconds: seconds,
          sampleFormat: probe.container,
        } satisfies StoredVoiceCharacteristics,
      });
      return toView(voice, userId);
    } catch (error) {
      await storage.delete(sampleKey).catch(() => undefined);
      throw error;
    }
  }

  async library(userId: string): Promise<VoiceListDto> {
    return { items: (await listVoicesForUser(this.db, userId)).map((voice) => toView(voice, userId)) };
  }

  async publicVoices(userId: string): Promise<VoiceListDto> {
    return { items: (await listPublicVoices(this.db)).map((voice) => toView(voice, userId)) };
  }

  /** Owner only, like delete: anyone else's voice, public or not, answers 404 (its existence is not revealed). */
  async setVisibility(userId: string, voiceId: string, isPublic: boolean): Promise<VoiceDto> {
    const voice = await setVoiceVisibilityOfUser(this.db, voiceId, userId, isPublic);
    if (!voice) throw notFound('VOICE_NOT_FOUND', `Voice ${voiceId} not found`);
    return toView(voice, userId);
  }

  /** Owner only: anyone else's voice, public or not, answers 404. */
  async remove(userId: string, voiceId: string): Promise<void> {
    const deleted = await deleteVoiceOfUser(this.db, voiceId, userId);
    if (!deleted) throw notFound('VOICE_NOT_FOUND', `Voice ${voiceId} not found`);
    await requireDependency(this.storage, 'storage')
      .delete(deleted.sampleKey)
      .catch(() => undefined);
  }
}

function toView(voice: Voice, userId: string): VoiceDto {
  return {
    id: voice.id,
    name: voice.name,
    description: voice.description,
    isPublic: voice.isPublic,
    // Only upload() writes this column, always in the StoredVoiceCharacteristics shape.
    voiceCharacteristics: toCharacteristicsView(voice.voiceCharacteristics as StoredVoiceCharacteristics | null),
    createdAt: voice.createdAt.toISOString(),
    owned: voice.userId === userId,
  };
}

function toCharacteristicsView(stored: StoredVoiceCharacteristics | null): VoiceCharacteristicsDto | null {
  if (!stored) return null;
  const { pitch, speakingRate, spectral } = stored;
  bandCenters ??= bandCentersHz();
  return {
    pitch: {
      medianHz: pitch.medianHz,
      meanHz: pitch.meanHz,
      p10Hz: pitch.p10Hz,
      p90Hz: pitch.p90Hz,
      stdSemitones: pitch.stdSemitones,
      voicedRatio: pitch.voicedRatio,
    },
    loudnessLufs: stored.loudnessLufs,
    speakingRate: { syllablesPerSecond: speakingRate.syllablesPerSecond, method: speakingRate.method },
    spectral: {
      centroidHz: spectral.centroidHz,
      rolloffHz: spectral.rolloffHz,
      tiltDbPerOctave: spectral.tiltDbPerOctave,
      bandEnergiesDb: spectral.bandEnergiesDb,
      // Centres pair with energies of the current band layout only; a row from another layout gets none.
      bandCentersHz: spectral.bandEnergiesDb.length === bandCenters.length ? bandCenters : [],
    },
    embedding: stored.embedding,
    durationSeconds: stored.durationSeconds,
    sampleDurationSeconds: stored.sampleDurationSeconds,
    sampleFormat: stored.sampleFormat,
  };
}

function limitText(maxSeconds: number): string {
  return maxSeconds % 60 === 0 ? `${maxSeconds / 60} minutes (${maxSeconds} s)` : `${maxSeconds} s`;
}

/** The 4xx for a sample the analysis refused; every message names the accepted range. */
function rejectionError(rejection: VoiceSampleRejection, maxSeconds: number): DomainError {
  const range = `A voice sample must last between ${MIN_SAMPLE_SECONDS} s and ${limitText(maxSeconds)}`;
  switch (rejection.kind) {
    case 'invalid_audio':
      if (rejection.reason === 'too_long') {
        return new DomainError(
          'INVALID_VOICE_SAMPLE',
          HttpStatus.UNPROCESSABLE_ENTITY,
          `${range}: ${rejection.message}`,
          {
            details: { reason: 'too_long', maxSeconds },
          },
        );
      }
      return invalidAudio(new AudioValidationError(rejection.reason, rejection.message));
    case 'too_short':
      return new DomainError(
        'INVALID_VOICE_SAMPLE',
        HttpStatus.UNPROCESSABLE_ENTITY,
        `${range}; this one lasts ${rejection.seconds.toFixed(1)} s`,
        { details: { reason: 'too_short', minSeconds: MIN_SAMPLE_SECONDS } },
      );
    case 'unanalysable':
      return new DomainError('INVALID_VOICE_SAMPLE', HttpStatus.UNPROCESSABLE_ENTITY, rejection.message, {
        details: { reason: rejection.code },
      });
  }
}

/** Pool conditions become 503s; anything else (a thread's unexpected failure) stays a 500. */
function analysisUnavailable(error: unknown): unknown {
  if (error instanceof VoiceAnalysisBusyError) {
    return new DomainError(
      'VOICE_ANALYSIS_BUSY',
      HttpStatus.SERVICE_UNAVAILABLE,
      `Voice analysis is at capacity; try again in ${error.retryAfterSeconds} seconds`,
      {
        details: { retryAfterSeconds: error.retryAfterSeconds },
        headers: { 'Retry-After': String(error.retryAfterSeconds) },
      },
    );
  }
  if (error instanceof VoiceAnalysisTimeoutError || error instanceof VoiceAnalysisClosedError) {
    return serviceUnavailable('Voice analysis is unavailable right now; try again later');
  }
  return error;
}
