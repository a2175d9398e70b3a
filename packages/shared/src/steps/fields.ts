import { z } from 'zod/v4';

/** Fields several step schemas share. */
export const modelId = z.string().trim().min(1).max(100);

export const languageCode = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as "en" or "es"');

export const seconds = z
  .number()
  .min(0)
  .max(24 * 3600);

export const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

export const voiceId = z.uuid({ error: 'must be a voice id (UUID) from /api/voices' });

export const NOISE_LEVELS = ['light', 'moderate', 'aggressive'] as const;
export type NoiseLevel = (typeof NOISE_LEVELS)[number];
