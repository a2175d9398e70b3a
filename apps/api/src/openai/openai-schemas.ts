import { ttsTextSchema } from '@voice/shared';
import { z } from 'zod/v4';

/** Request shapes of the OpenAI-compatible audio endpoints, as OpenAI documents them. */

export const TRANSCRIPTION_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
export type TranscriptionFormat = (typeof TRANSCRIPTION_FORMATS)[number];
export const TIMESTAMP_GRANULARITIES = ['word', 'segment'] as const;
export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];
/** OpenAI's speed range; the platform's voices speak 0.5–2, the rest is a tempo change after synthesis. */
export const MIN_SPEECH_SPEED = 0.25;
export const MAX_SPEECH_SPEED = 4;

const granularity = z.enum(TIMESTAMP_GRANULARITIES);

/** Multipart fields (all strings). Unknown fields are ignored, as OpenAI adds optional ones over time. */
export const transcriptionFieldsSchema = z
  .object({
    model: z.string().trim().min(1).max(100),
    language: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z]{2,3}$/, 'must be an ISO-639-1 code such as "en"')
      .optional(),
    prompt: z.string().max(4000).optional(),
    temperature: z.coerce.number().min(0).max(1).optional(),
    response_format: z.enum(TRANSCRIPTION_FORMATS).default('json'),
    // The SDK sends `timestamp_granularities[]` repeated; multer folds that into an array (one value: a string).
    timestamp_granularities: z
      .union([granularity, z.array(granularity)])
      .optional()
      .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value])),
  })
  .refine((fields) => fields.timestamp_granularities.length === 0 || fields.response_format === 'verbose_json', {
    message: 'timestamp_granularities needs response_format verbose_json',
    path: ['timestamp_granularities'],
  });
export type TranscriptionFields = z.output<typeof transcriptionFieldsSchema>;

/** Translations take the same fields minus language (the output is English) and granularities. */
export const translationFieldsSchema = z.object({
  model: z.string().trim().min(1).max(100),
  prompt: z.string().max(4000).optional(),
  temperature: z.coerce.number().min(0).max(1).optional(),
  response_format: z.enum(TRANSCRIPTION_FORMATS).default('json'),
});
export type TranslationFields = z.output<typeof translationFieldsSchema>;

export const speechBodySchema = z.object({
  model: z.string().trim().min(1).max(100),
  input: ttsTextSchema,
  voice: z.string().trim().min(1).max(100),
  response_format: z.enum(SPEECH_FORMATS).default('mp3'),
  speed: z.number().min(MIN_SPEECH_SPEED).max(MAX_SPEECH_SPEED).default(1),
  /** gpt-4o-mini-tts's style prompt: accepted and ignored, as the installed voices take no instructions. */
  instructions: z.string().max(4000).optional(),
  stream_format: z.literal('audio', 'only stream_format "audio" is supported').optional(),
});
export type SpeechBody = z.output<typeof speechBodySchema>;
