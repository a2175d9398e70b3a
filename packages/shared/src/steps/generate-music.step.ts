import { z } from 'zod/v4';
import { seed } from './fields';
import { StepRejection, defineStep } from './step-definition';

/** The composer's limits (also enforced by @voice/music; a test keeps the two equal). */
export const MUSIC_LIMITS = { minSeconds: 1, maxSeconds: 300, minTempo: 40, maxTempo: 240 } as const;

export const generateMusicStep = defineStep({
  op: 'generate_music',
  summary: 'Compose music in a genre (seeded procedural composer rendered through a SoundFont)',
  schema: z
    .object({
      op: z.literal('generate_music'),
      genre: z.string().trim().min(1).max(50),
      duration: z.number().min(MUSIC_LIMITS.minSeconds).max(MUSIC_LIMITS.maxSeconds),
      tempo: z.number().min(MUSIC_LIMITS.minTempo).max(MUSIC_LIMITS.maxTempo).optional(),
      key: z.string().trim().max(30).optional(),
      seed: seed.optional(),
    })
    .strict(),
  input: 'none',
  prepare: (step, { music }) => {
    const genre = music.genre(step.genre);
    if (!genre) {
      throw new StepRejection(
        'INVALID_REQUEST',
        `Unknown genre "${step.genre}". Available: ${music.genres.join(', ')}`,
        400,
        {
          supported: music.genres,
        },
      );
    }
    if (step.key !== undefined) music.checkKey(step.key);
    return { ...step, genre };
  },
  estimateOutputMs: (step) => Math.round(step.duration * 1000),
});
export type GenerateMusicStep = z.output<typeof generateMusicStep.schema>;
