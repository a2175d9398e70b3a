import { z } from 'zod/v4';
import { seed } from './fields';
import { StepRejection, defineStep } from './step-definition';
import { MUSIC_LIMITS } from './generate-music.step';

export const moodMusicStep = defineStep({
  op: 'mood_music',
  summary: 'Music for a mood, sized and loudness-normalised for a platform',
  schema: z
    .object({
      op: z.literal('mood_music'),
      mood: z.string().trim().min(1).max(50),
      platform: z.string().trim().min(1).max(30),
      duration: z.number().positive(),
      seed: seed.optional(),
    })
    .strict(),
  input: 'none',
  prepare: (step, { music }) => {
    const mood = music.mood(step.mood);
    if (!mood) {
      throw new StepRejection(
        'INVALID_REQUEST',
        `Unknown mood "${step.mood}". Available: ${music.moods.join(', ')}`,
        400,
        {
          supported: music.moods,
        },
      );
    }
    const platform = music.platform(step.platform);
    if (!platform) {
      throw new StepRejection(
        'INVALID_REQUEST',
        `Unknown platform "${step.platform}". Available: ${music.platforms.join(', ')}`,
        400,
        { supported: music.platforms },
      );
    }
    if (step.duration < MUSIC_LIMITS.minSeconds || step.duration > platform.maxDurationSeconds) {
      throw new StepRejection(
        'INVALID_REQUEST',
        `duration must be between ${MUSIC_LIMITS.minSeconds} and ${platform.maxDurationSeconds} seconds for ${platform.name}`,
      );
    }
    return { ...step, mood, platform: platform.name };
  },
  estimateOutputMs: (step) => Math.round(step.duration * 1000),
});
export type MoodMusicStep = z.output<typeof moodMusicStep.schema>;
