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
import { reportStep } from '@voice/metrics';
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

type Generated = GeneratedAudio<{ loudness: LoudnessReport }>;
interface GeneratorHooks {
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
  /** The General MIDI SoundFont the procedural composer renders through, when installed. */
  soundFontPath: () => string | undefined;
}

/** One engine per generator op: a new generator is one entry here (and its step schema), not another case. */
const GENERATORS: {
  [Op in GeneratorStep['op']]: (step: Extract<GeneratorStep, { op: Op }>, hooks: GeneratorHooks) => Promise<Generated>;
} = {
  generate_music: (step, { soundFontPath, ...hooks }) =>
    generateMusic(
      { genre: step.genre, duration: step.duration, parameters: { tempo: step.tempo, key: step.key }, seed: step.seed },
      { ...hooks, soundFontPath: soundFontPath() },
    ),
  mood_music: (step, { soundFontPath, ...hooks }) =>
    generateMoodMusic(
      { mood: step.mood, platform: step.platform, duration: step.duration, seed: step.seed },
      { ...hooks, soundFontPath: soundFontPath() },
    ),
  // SFX are parametric synthesis: no SoundFont.
  generate_sfx: (step, { signal, onProgress }) =>
    generateSfx({ description: step.description, duration: step.duration, seed: step.seed }, { signal, onProgress }),
};

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
      let generated: Generated;
      try {
        // The table is keyed by op, so each entry gets its own step type; TypeScript cannot correlate the lookup.
        const generate = GENERATORS[step.op] as (step: GeneratorStep, hooks: GeneratorHooks) => Promise<Generated>;
        generated = await generate(step, { ...hooks, soundFontPath });
      } catch (error) {
        throw toFailure(error, GENERATOR_FAILURES);
      }
      const { metadata } = generated;
      if ('model' in metadata && typeof metadata.model === 'string') {
        reportStep({ model: metadata.model, audioSeconds: generated.samples.length / generated.sampleRate });
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
