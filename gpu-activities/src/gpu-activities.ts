import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { decodeWav, encodeWav, resample } from '@voice/audio';
import { UnknownModelError, selectModel } from '@voice/models';
import { FailureTypes, jobStorageKeys, type InferenceHeartbeat, type NoiseLevel } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { UnsupportedModelError, loadDenoiser, strengthForNoiseLevel, type Denoiser } from './engines';
import { createGeneratorActivities } from './generators';
import { ModelSessionCache } from './model-cache';
import { SpeechEngines } from './speech';
import { createSpeechActivities } from './speech-activities';
import { createVoiceActivities } from './voice-activities';
import { createDubActivities } from './dub-activities';

export interface GpuActivityDependencies {
  storage: BlobStorage;
  /** Unload a model after this long without a job; the next job pays the load again. */
  modelIdleUnloadMs?: number;
  /** Minimum spacing of heartbeats; each one is a server round trip. */
  heartbeatIntervalMs?: number;
  /** Where PyPI and operator-pulled models are installed (MODELS_DIR). */
  modelsDir?: string;
  /** Speech engines shared by this worker's activities; built from `modelsDir` when not given. */
  speech?: SpeechEngines;
}

export interface RunDenoiseInput {
  jobId: string;
  stepIndex: number;
  inputKey: string;
  modelId: string;
  noiseLevel: NoiseLevel;
}

export interface RunDenoiseResult {
  outputKey: string;
  modelId: string;
  strength: number;
  /** Processing seconds per second of audio on this worker. */
  realTimeFactor: number;
}

/**
 * Inference activities for the GPU task queue. Sessions are loaded once per worker and shared by
 * concurrent jobs; heartbeats carry progress and are how cancellation reaches a running model.
 */
export function createGpuActivities({
  storage,
  modelIdleUnloadMs = 10 * 60_000,
  heartbeatIntervalMs = 500,
  modelsDir,
  speech = new SpeechEngines({ modelsDir, idleUnloadMs: modelIdleUnloadMs }),
}: GpuActivityDependencies) {
  const location = { modelsDir };
  const denoisers = new ModelSessionCache<Denoiser>(modelIdleUnloadMs);

  return {
    ...createGeneratorActivities({ storage, location, heartbeatIntervalMs }),
    ...createSpeechActivities({ storage, engines: speech, heartbeatIntervalMs }),
    ...createVoiceActivities({ storage, location }),
    ...createDubActivities({ storage, speech, location, heartbeatIntervalMs }),

    async runDenoise(input: RunDenoiseInput): Promise<RunDenoiseResult> {
      const context = Context.current();
      const model = (() => {
        try {
          return selectModel({ task: 'denoise', requested: input.modelId }, location);
        } catch (error) {
          if (error instanceof UnknownModelError) {
            throw ApplicationFailure.nonRetryable(error.message, FailureTypes.UnknownModel);
          }
          throw error;
        }
      })();
      const strength = strengthForNoiseLevel(input.noiseLevel);
      context.heartbeat({ fraction: 0, processedSeconds: 0, totalSeconds: 0 } satisfies InferenceHeartbeat);

      const { samples, sampleRate } = decodeWav(await storage.getBuffer(input.inputKey));
      const startedAt = performance.now();
      const denoised = await denoisers.with(
        model.id,
        () =>
          loadDenoiser(model, location).catch((error: unknown) => {
            // A missing or corrupt install does not heal on retry; the message says how to install it.
            if (error instanceof UnsupportedModelError) throw ApplicationFailure.nonRetryable(error.message, FailureTypes.UnknownModel);
            throw error;
          }),
        async (denoiser) => {
          const modelInput = sampleRate === denoiser.sampleRate ? samples : resample(samples, sampleRate, denoiser.sampleRate);
          const totalSeconds = modelInput.length / denoiser.sampleRate;
          let lastBeat = 0;
          const output = await denoiser.process(modelInput, {
            strength,
            signal: context.cancellationSignal,
            onProgress: (fraction) => {
              const now = performance.now();
              if (now - lastBeat < heartbeatIntervalMs && fraction < 1) return;
              lastBeat = now;
              context.heartbeat({
                fraction,
                processedSeconds: fraction * totalSeconds,
                totalSeconds,
              } satisfies InferenceHeartbeat);
            },
          });
          return sampleRate === denoiser.sampleRate ? output : resample(output, denoiser.sampleRate, sampleRate);
        },
      );
      const elapsedSeconds = (performance.now() - startedAt) / 1000;

      const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'denoise');
      await storage.putBuffer(outputKey, encodeWav(denoised, sampleRate, { format: 'float32' }), 'audio/wav');
      return {
        outputKey,
        modelId: model.id,
        strength,
        realTimeFactor: elapsedSeconds / Math.max(samples.length / sampleRate, 1e-9),
      };
    },
  };
}

export type GpuActivities = ReturnType<typeof createGpuActivities>;
