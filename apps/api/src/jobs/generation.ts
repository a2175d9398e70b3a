import { HttpStatus } from '@nestjs/common';
import {
  GENRES,
  MAX_MUSIC_SECONDS,
  MAX_SFX_SECONDS,
  MAX_TEMPO,
  MIN_MUSIC_SECONDS,
  MIN_SFX_SECONDS,
  MIN_TEMPO,
  MOODS,
  MusicRequestError,
  PLATFORM_PRESETS,
  PLATFORMS,
  parseKey,
  planSfx,
  resolveGenre,
  resolveMood,
  resolvePlatform,
} from '@voice/music';
import type { GenerateMusicStep, GenerateSfxStep, MoodMusicStep } from '@voice/shared';
import { z } from 'zod/v4';
import { DomainError } from '../common/domain-error';
import { followUpStepsSchema } from './job-schemas';

const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .optional();

export const generateMusicSchema = z
  .object({
    genre: z.string().trim().min(1).max(50),
    duration: z.number().min(MIN_MUSIC_SECONDS).max(MAX_MUSIC_SECONDS),
    parameters: z
      .object({ tempo: z.number().min(MIN_TEMPO).max(MAX_TEMPO).optional(), key: z.string().trim().max(30).optional() })
      .strict()
      .optional(),
    seed,
    then: followUpStepsSchema,
  })
  .strict();

export const generateSfxSchema = z
  .object({
    description: z.string().trim().min(1).max(500),
    duration: z.number().min(MIN_SFX_SECONDS).max(MAX_SFX_SECONDS),
    seed,
    then: followUpStepsSchema,
  })
  .strict();

export const moodMusicSchema = z
  .object({
    mood: z.string().trim().min(1).max(50),
    platform: z.string().trim().min(1).max(30),
    duration: z.number().positive(),
    seed,
    then: followUpStepsSchema,
  })
  .strict();

export type GenerateMusicBody = z.output<typeof generateMusicSchema>;
export type GenerateSfxBody = z.output<typeof generateSfxSchema>;
export type MoodMusicBody = z.output<typeof moodMusicSchema>;

function invalid(message: string, supported?: readonly string[]): DomainError<'INVALID_REQUEST'> {
  return new DomainError(
    'INVALID_REQUEST',
    HttpStatus.BAD_REQUEST,
    message,
    supported ? { details: { supported } } : {},
  );
}

/** Checks what the schema cannot (known genre, parseable key) and builds the pipeline step. */
export function musicStep(body: GenerateMusicBody): GenerateMusicStep {
  const genre = resolveGenre(body.genre);
  if (!genre) throw invalid(`Unknown genre "${body.genre}". Available: ${GENRES.join(', ')}`, GENRES);
  if (body.parameters?.key !== undefined) {
    try {
      parseKey(body.parameters.key);
    } catch (error) {
      if (error instanceof MusicRequestError) throw invalid(error.message);
      throw error;
    }
  }
  return {
    op: 'generate_music',
    genre,
    duration: body.duration,
    ...(body.parameters?.tempo !== undefined ? { tempo: body.parameters.tempo } : {}),
    ...(body.parameters?.key !== undefined ? { key: body.parameters.key } : {}),
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
  };
}

export function sfxStep(body: GenerateSfxBody): GenerateSfxStep {
  try {
    planSfx(body.description);
  } catch (error) {
    if (error instanceof MusicRequestError) throw invalid(error.message, error.supported);
    throw error;
  }
  return {
    op: 'generate_sfx',
    description: body.description,
    duration: body.duration,
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
  };
}

export function moodStep(body: MoodMusicBody): MoodMusicStep {
  const mood = resolveMood(body.mood);
  if (!mood) throw invalid(`Unknown mood "${body.mood}". Available: ${MOODS.join(', ')}`, MOODS);
  const platform = resolvePlatform(body.platform);
  if (!platform) throw invalid(`Unknown platform "${body.platform}". Available: ${PLATFORMS.join(', ')}`, PLATFORMS);
  const preset = PLATFORM_PRESETS[platform];
  if (body.duration < MIN_MUSIC_SECONDS || body.duration > preset.maxDurationSeconds) {
    throw invalid(
      `duration must be between ${MIN_MUSIC_SECONDS} and ${preset.maxDurationSeconds} seconds for ${platform}`,
    );
  }
  return {
    op: 'mood_music',
    mood,
    platform,
    duration: body.duration,
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
  };
}
