import { ProgressHeartbeat, failureRule, toFailure } from '@voice/activity-kit';
import { encodeWav } from '@voice/audio';
import { getModel, resolveModelFile, type ModelLocation } from '@voice/models';
import {
  MusicRequestError,
  generateMoodMusic,
  generateMusic,
  generateSfx,
  type GeneratedAudio,
  type LoudnessReport,
} from '@voice/music';
import { FailureTypes, jobStorageKeys, type GeneratorStep } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';

export interface RunGeneratorResult {
  outputKey: string;
  durationMs: number;
  /** The loudness the output was made for; null when it was deliberately peak-normalised (impulsive SFX). */
  targetLufs: number | null;
  /** How it was made (method, model, seed, key, tempo, …), recorded in the job output. */
  metadata: Record<string, unknown>;
}

/** A bad request stays bad on every retry. */
const GENERATOR_FAILURES = [failureRule(MusicRequestError, FailureTypes.InvalidRequest)];

/** Music, SFX and mood generation on the GPU queue (the procedural engines run on CPU; a generative model slots in here). */
export function createGeneratorActivities({
  storage,
  location,
  heartbeatIntervalMs,
}: {
  storage: BlobStorage;
  location: ModelLocation;
  heartbeatIntervalMs: number;
}) {
  const soundFontPath = (): string | undefined => {
    const model = getModel('procedural-soundfont');
    const file = model?.files[0];
    return model && file ? resolveModelFile(model, file, location) : undefined;
  };

  return {
    async runGenerator(input: { jobId: string; stepIndex: number; step: GeneratorStep }): Promise<RunGeneratorResult> {
      const { step } = input;
      const hooks = new ProgressHeartbeat({ intervalMs: heartbeatIntervalMs, totalSeconds: step.duration }).control();
      let generated: GeneratedAudio<{ loudness: LoudnessReport }>;
      try {
        switch (step.op) {
          case 'generate_music':
            generated = await generateMusic(
              {
                genre: step.genre,
                duration: step.duration,
                parameters: { tempo: step.tempo, key: step.key },
                seed: step.seed,
              },
              { ...hooks, soundFontPath: soundFontPath() },
            );
            break;
          case 'mood_music':
            generated = await generateMoodMusic(
              { mood: step.mood, platform: step.platform, duration: step.duration, seed: step.seed },
              { ...hooks, soundFontPath: soundFontPath() },
            );
            break;
          case 'generate_sfx':
            generated = await generateSfx(
              { description: step.description, duration: step.duration, seed: step.seed },
              hooks,
            );
            break;
        }
      } catch (error) {
        throw toFailure(error, GENERATOR_FAILURES);
      }
      const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, step.op);
      await storage.putBuffer(
        outputKey,
        encodeWav(generated.samples, generated.sampleRate, { format: 'float32' }),
        'audio/wav',
      );
      const loudness = generated.metadata.loudness;
      return {
        outputKey,
        durationMs: Math.round((generated.samples.length / generated.sampleRate) * 1000),
        targetLufs: loudness.normalisedBy === 'true-peak' ? null : loudness.targetLufs,
        metadata: { ...generated.metadata },
      };
    },
  };
}
