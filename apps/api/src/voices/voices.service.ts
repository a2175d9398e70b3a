import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AudioValidationError, decodeToMonoFloat, probeAudioFile } from '@voice/audio';
import type { Env } from '@voice/config';
import {
  deleteVoiceOfUser,
  insertVoice,
  listPublicVoices,
  listVoicesForUser,
  type Database,
  type Voice,
} from '@voice/db';
import type { BlobStorage } from '@voice/storage';
import { VoiceDspError, analyzeVoice } from '@voice/voice-dsp';
import { DomainError, notFound } from '../common/domain-error';
import { requireDependency } from '../common/require-dependency';
import { DATABASE, ENV, STORAGE } from '../common/tokens';
import type { UploadedAudio } from '../jobs/job-submission.service';
import { invalidAudio } from '../jobs/invalid-audio';

/** Analysis runs at this rate: voice-dsp resamples to 16 kHz anyway, and it keeps memory small. */
const ANALYSIS_RATE = 16_000;
/** Enough speech for stable pitch and timbre statistics, short enough to analyse inside a request. */
const MIN_SAMPLE_SECONDS = 1;
const MAX_SAMPLE_SECONDS = 600;

export interface VoiceView {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  voiceCharacteristics: Record<string, unknown> | null;
  createdAt: string;
  owned: boolean;
}

@Injectable()
export class VoicesService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(STORAGE) private readonly storage: BlobStorage | null,
  ) {}

  /** Validates a voice sample, measures its characteristics and stores both. */
  async upload(
    userId: string,
    upload: UploadedAudio | undefined,
    fields: { name: string; description?: string; is_public: boolean },
  ): Promise<VoiceView> {
    if (!upload) {
      throw new DomainError(
        'AUDIO_FILE_REQUIRED',
        HttpStatus.BAD_REQUEST,
        'Attach the voice sample as the multipart field "audio_file"',
      );
    }
    const probe = await probeAudioFile(upload.path, { ffmpegPath: this.env.FFMPEG_PATH }).catch((error: unknown) => {
      throw error instanceof AudioValidationError ? invalidAudio(error) : error;
    });
    const seconds = probe.durationMs / 1000;
    if (seconds < MIN_SAMPLE_SECONDS || seconds > MAX_SAMPLE_SECONDS) {
      throw new DomainError(
        'INVALID_VOICE_SAMPLE',
        HttpStatus.UNPROCESSABLE_ENTITY,
        `A voice sample must last between ${MIN_SAMPLE_SECONDS} s and ${MAX_SAMPLE_SECONDS / 60} minutes; this one lasts ${seconds.toFixed(1)} s`,
      );
    }
    const samples = await decodeToMonoFloat(upload.path, ANALYSIS_RATE, { ffmpegPath: this.env.FFMPEG_PATH });
    let characteristics: ReturnType<typeof analyzeVoice>;
    try {
      characteristics = analyzeVoice(samples, ANALYSIS_RATE);
    } catch (error) {
      if (error instanceof VoiceDspError) {
        throw new DomainError('INVALID_VOICE_SAMPLE', HttpStatus.UNPROCESSABLE_ENTITY, error.message, {
          details: { reason: error.code },
        });
      }
      throw error;
    }
    const storage = requireDependency(this.storage, 'storage');
    const id = randomUUID();
    const sampleKey = `voices/${userId}/${id}.${probe.container}`;
    await storage.putFile(sampleKey, upload.path);
    try {
      const voice = await insertVoice(this.db, {
        id,
        userId,
        name: fields.name,
        description: fields.description ?? null,
        isPublic: fields.is_public,
        sampleKey,
        voiceCharacteristics: { ...characteristics, sampleDurationSeconds: seconds, sampleFormat: probe.container },
      });
      return toView(voice, userId);
    } catch (error) {
      await storage.delete(sampleKey).catch(() => undefined);
      throw error;
    }
  }

  async library(userId: string): Promise<{ items: VoiceView[] }> {
    return { items: (await listVoicesForUser(this.db, userId)).map((voice) => toView(voice, userId)) };
  }

  async publicVoices(userId: string): Promise<{ items: VoiceView[] }> {
    return { items: (await listPublicVoices(this.db)).map((voice) => toView(voice, userId)) };
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

function toView(voice: Voice, userId: string): VoiceView {
  return {
    id: voice.id,
    name: voice.name,
    description: voice.description,
    isPublic: voice.isPublic,
    voiceCharacteristics: voice.voiceCharacteristics ?? null,
    createdAt: voice.createdAt.toISOString(),
    owned: voice.userId === userId,
  };
}
