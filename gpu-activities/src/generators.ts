import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
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
import { FailureTypes, jobStorageKeys, type GeneratorStep, type InferenceHeartbeat } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';

export interface RunGeneratorResult {
  outputKey: string;
  durationMs: number;
  /** The loudness the output was made for; null when it was deliberately peak-normalised (impulsive SFX). */
  targetLufs: number | null;
  /** How it was made (method, model, seed, key, tempo, …), recorded in the job output. */
  metadata: Record<string, unknown>;
}

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
      const context = Context.current();
      const { step } = input;
      let lastBeat = 0;
      const hooks = {
        signal: context.cancellationSignal,
        onProgress: (fraction: number) => {
          const now = performance.now();
          if (now - lastBeat < heartbeatIntervalMs && fraction < 1) return;
          lastBeat = now;
          context.heartbeat({
            fraction,
            processedSeconds: fraction * step.duration,
            totalSeconds: step.duration,
          } satisfies InferenceHeartbeat);
        },
      };
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
        // A bad request stays bad on every retry.
        if (error instanceof MusicRequestError)
          throw ApplicationFailure.nonRetryable(error.message, FailureTypes.InvalidRequest);
        throw error;
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
