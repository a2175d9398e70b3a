import {
  accentChangeStep,
  audioStepsSchema,
  denoiseStep,
  dubStep,
  editOperationsSchema,
  generateMusicStep,
  JOB_STATUSES,
  PIPELINE_OPS,
  generateSfxStep,
  moodMusicStep,
  sttStep,
  ttsParameterProblem,
  ttsStep,
  ttsTextSchema,
  voiceCloneStep,
} from '@voice/shared';
import { z } from 'zod/v4';

/**
 * Request shapes of the job endpoints, derived from the step schemas in @voice/shared (the single source of
 * each step's fields, limits and defaults); only the envelopes (multipart JSON fields, `text`, `then`,
 * `parameters`) are declared here.
 */

/** A step's own fields as multipart form fields: its schema without `op`, unknown fields ignored. */
function formFieldsOf<Shape extends z.ZodRawShape & { op: z.ZodType }>(step: { schema: z.ZodObject<Shape> }) {
  return z.object(step.schema.shape).omit({ op: true } as { [K in 'op']: true });
}

/** A JSON-encoded multipart field, parsed then validated by `schema`. */
function jsonField<Schema extends z.ZodType>(schema: Schema, example: string) {
  return z
    .string({ error: `is required (JSON such as ${example})` })
    .transform((raw, context) => {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        // `continue: false` stops the pipe here: otherwise `schema` runs on z.NEVER (an object) and adds a
        // second, false "expected array, received object".
        context.addIssue({ code: 'custom', message: `must be JSON such as ${example}`, continue: false });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** Optional `then` of the TTS and generator bodies: audio steps run on what they make, in the same job. */
const followUpSteps = audioStepsSchema.optional().meta({
  description:
    'Steps run on the generated audio in the same job, as in POST /api/jobs, e.g. [{"op":"voice_clone","target_voice_id":"…"}]',
});

export const createJobFieldsSchema = z.object({ steps: jsonField(audioStepsSchema, '[{"op":"denoise"}]') });
export const denoiseFieldsSchema = formFieldsOf(denoiseStep);
export const sttFieldsSchema = formFieldsOf(sttStep);
export const voiceCloneFieldsSchema = formFieldsOf(voiceCloneStep);
export const dubFieldsSchema = formFieldsOf(dubStep);
export const accentFieldsSchema = formFieldsOf(accentChangeStep);
export const editFieldsSchema = z.object({
  operations: jsonField(editOperationsSchema, '[{"type":"remove_blooper","start_time":1.5,"end_time":2.1}]'),
});

const tts = ttsStep.schema.shape;
/** `text` comes out normalised (`speakableText`): that is the text the job stores and the engine speaks. */
export const ttsBodySchema = z
  .object({
    text: ttsTextSchema,
    model: tts.model,
    voice_id: tts.voice_id,
    language: tts.language,
    parameters: z.object({ speed: tts.speed, pitch: tts.pitch }).strict().optional(),
    then: followUpSteps,
  })
  .strict()
  .superRefine((body, context) => {
    const problem = ttsParameterProblem(body.text, body.parameters ?? {});
    if (problem) context.addIssue({ code: 'custom', path: ['parameters', 'pitch'], message: problem });
  });

const music = generateMusicStep.schema.shape;
export const generateMusicSchema = z
  .object({
    genre: music.genre,
    duration: music.duration,
    parameters: z.object({ tempo: music.tempo, key: music.key }).strict().optional(),
    seed: music.seed,
    then: followUpSteps,
  })
  .strict();

const sfx = generateSfxStep.schema.shape;
export const generateSfxSchema = z
  .object({ description: sfx.description, duration: sfx.duration, seed: sfx.seed, then: followUpSteps })
  .strict();

const mood = moodMusicStep.schema.shape;
export const moodMusicSchema = z
  .object({ mood: mood.mood, platform: mood.platform, duration: mood.duration, seed: mood.seed, then: followUpSteps })
  .strict();

/**
 * `?type=` names one step op, not a whole job type: a chain's type is its ops joined by '+' (`denoise+dub`), so
 * filtering by step finds every job that ran it, chains included, from a short fixed list a client can offer.
 */
export const historyQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
  status: z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(', ')}` }).optional(),
  type: z
    .enum(PIPELINE_OPS, {
      error: `must be one step type (a chain matches each of its steps): ${PIPELINE_OPS.join(', ')}`,
    })
    .optional(),
});

/** `?wait=30`: hold the status request until the status changes, up to this many seconds. */
export const statusQuerySchema = z.object({ wait: z.coerce.number().min(0).max(60).default(0) });

export const jobIdSchema = z.uuid({ error: 'must be a job id (UUID)' });

export type CreateJobFields = z.output<typeof createJobFieldsSchema>;
export type DenoiseFields = z.output<typeof denoiseFieldsSchema>;
export type SttFields = z.output<typeof sttFieldsSchema>;
export type VoiceCloneFields = z.output<typeof voiceCloneFieldsSchema>;
export type DubFields = z.output<typeof dubFieldsSchema>;
export type AccentFields = z.output<typeof accentFieldsSchema>;
export type EditFields = z.output<typeof editFieldsSchema>;
export type TtsBody = z.output<typeof ttsBodySchema>;
export type GenerateMusicBody = z.output<typeof generateMusicSchema>;
export type GenerateSfxBody = z.output<typeof generateSfxSchema>;
export type MoodMusicBody = z.output<typeof moodMusicSchema>;
export type HistoryQuery = z.output<typeof historyQuerySchema>;
export type StatusQuery = z.output<typeof statusQuerySchema>;
