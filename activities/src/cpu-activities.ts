import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  AudioMeter,
  AudioValidationError,
  LoudnessNormalizerStream,
  WavStreamWriter,
  decodeStream,
  planLoudnessGain,
  probeAudioFile,
  readWavInfo,
  readWavStream,
} from '@voice/audio';
import {
  InsufficientCreditsError,
  JobNotActiveError,
  markJobCancelled,
  markJobCompleted,
  markJobFailed,
  markJobRunning,
  recordJobInput,
  releaseCredits,
  reserveCredits,
  settleCredits,
  updateJobProgress,
  type Database,
} from '@voice/db';
import { UnknownModelError, selectModel } from '@voice/models';
import {
  FailureTypes,
  PROCESSING_SAMPLE_RATE,
  QUALITY_LIMITS,
  TRUE_PEAK_CEILING_DBTP,
  creditsForDurationMs,
  jobStorageKeys,
  type PipelineStep,
} from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { createEditActivities } from './edit-activities';
import { finiteOrNull, withHeartbeats } from './heartbeat';
import { withScratchDir as withScratchDirIn } from './scratch';

export interface CpuActivityDependencies {
  db: Database;
  storage: BlobStorage;
  /** Scratch space for files that tools such as ffmpeg need on disk. */
  workDir: string;
  ffmpegPath?: string;
  /** Where PyPI and operator-pulled models are installed (MODELS_DIR). */
  modelsDir?: string;
}

export interface PreprocessResult {
  workKey: string;
  durationMs: number;
  sampleRate: number;
  container: string;
  originalSampleRate: number;
  channels: number;
  integratedLufs: number | null;
  peakDbfs: number | null;
  truePeakDbtp: number | null;
}

export interface QualityResult {
  outputKey: string;
  durationMs: number;
  integratedLufs: number;
  truePeakDbtp: number;
  peakDbfs: number;
  targetLufs: number | null;
}

/** The non-inference model used by the normalize step, listed so job output names every stage's method. */
export const NORMALIZE_METHOD = 'bs1770-gain+true-peak-limiter';

/**
 * CPU activities, built over injected clients when the worker starts (never at import time).
 * Each is safe to retry: storage keys are deterministic and every credit mutation carries an idempotency
 * key derived from the job id and the step.
 */
/** The running activity's cancellation, so a cancelled job stops reading and decoding at the next block. */
const cancellation = (): AbortSignal => Context.current().cancellationSignal;

export function createCpuActivities({ db, storage, workDir, ffmpegPath, modelsDir }: CpuActivityDependencies) {
  const withScratchDir = <T>(jobId: string, work: (dir: string) => Promise<T>): Promise<T> =>
    withScratchDirIn(workDir, jobId, work);

  return {
    ...createEditActivities({ storage, workDir }),
    /** Baseline for the benchmark: what a bare activity round trip costs. */
    async noop(): Promise<void> {},

    async markJobRunning({ jobId }: { jobId: string; workflowRunId: string }): Promise<void> {
      await markJobRunning(db, jobId, new Date());
    },

    async updateJobProgress({ jobId, progress }: { jobId: string; progress: number }): Promise<void> {
      await updateJobProgress(db, jobId, progress);
    },

    /** Decode, validate, resample to the processing rate and measure the input. */
    async preprocessAudio({ jobId, inputKey }: { jobId: string; inputKey: string }): Promise<PreprocessResult> {
      return withHeartbeats(() =>
        withScratchDir(jobId, async (dir) => {
          const localInput = path.join(dir, 'input');
          await storage.downloadToFile(inputKey, localInput);
          const probe = await probeAudioFile(localInput, { ffmpegPath }).catch((error: unknown) => {
            // Bad input never gets better on retry: fail the job at once with the validator's message.
            if (error instanceof AudioValidationError) {
              throw ApplicationFailure.nonRetryable(error.message, FailureTypes.InvalidAudio);
            }
            throw error;
          });
          // Block by block: an hour of audio never sits in memory, only one second of it at a time.
          const workFile = path.join(dir, 'work.wav');
          const writer = await WavStreamWriter.create(workFile, PROCESSING_SAMPLE_RATE, { format: 'float32' });
          const meter = new AudioMeter(PROCESSING_SAMPLE_RATE);
          for await (const block of decodeStream(localInput, PROCESSING_SAMPLE_RATE, {
            ffmpegPath,
            signal: cancellation(),
          })) {
            meter.push(block);
            await writer.write(block);
          }
          await writer.close();
          const analysis = meter.result();
          const workKey = jobStorageKeys(jobId).preprocessed;
          await storage.putFile(workKey, workFile, 'audio/wav');
          const durationMs = Math.round(analysis.durationMs);
          await recordJobInput(db, jobId, { inputDurationMs: durationMs, inputFormat: probe.container });
          return {
            workKey,
            durationMs,
            sampleRate: PROCESSING_SAMPLE_RATE,
            container: probe.container,
            originalSampleRate: probe.sampleRate,
            channels: probe.channels,
            integratedLufs: finiteOrNull(analysis.integratedLufs),
            peakDbfs: finiteOrNull(analysis.peakDbfs),
            truePeakDbtp: finiteOrNull(analysis.truePeakDbtp),
          };
        }),
      );
    },

    /** Hold credits for the input's length before any inference runs. */
    async reserveCredits({ jobId, userId, durationMs }: { jobId: string; userId: string; durationMs: number }) {
      const amount = creditsForDurationMs(durationMs);
      try {
        return await reserveCredits(db, { userId, jobId, amount, idempotencyKey: `job-${jobId}:reserve` });
      } catch (error) {
        if (error instanceof InsufficientCreditsError) {
          throw ApplicationFailure.nonRetryable(
            `Insufficient credits: this job needs ${error.required} credit-seconds but ${error.available} are available`,
            FailureTypes.InsufficientCredits,
          );
        }
        // The job was already cancelled or failed: holding credits for it would strand them.
        if (error instanceof JobNotActiveError) throw ApplicationFailure.nonRetryable(error.message, 'JobNotActive');
        throw error;
      }
    },

    /** Resolve the model of every step once, so an unknown model fails before any work is done. */
    async selectModels({ steps }: { steps: PipelineStep[] }): Promise<string[]> {
      return steps.map((step) => {
        switch (step.op) {
          case 'denoise':
            try {
              return selectModel({ task: 'denoise', requested: step.model }, { modelsDir }).id;
            } catch (error) {
              if (error instanceof UnknownModelError) {
                throw ApplicationFailure.nonRetryable(error.message, FailureTypes.UnknownModel);
              }
              throw error;
            }
          case 'normalize':
            return NORMALIZE_METHOD;
          case 'generate_music':
          case 'mood_music':
            return 'procedural-soundfont';
          case 'generate_sfx':
            return 'parametric-sfx';
          case 'stt':
          case 'tts':
            // The speech engines pick the best installed model for the language; the step records which one ran.
            return step.model ?? 'auto';
          case 'edit':
            return 'voice-dsp-edit';
          case 'voice_clone':
            return step.model ?? 'dsp-voice-conversion';
          case 'dub':
          case 'accent_change':
            return 'auto';
        }
      });
    },

    /**
     * Gain to the loudness target, then a true-peak limiter at −1 dBTP, in two streamed passes: measure, then
     * render (with re-reads to plan a gain that still lands on target after limiting).
     */
    async normalizeLoudness(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      targetLufs: number;
    }): Promise<{ outputKey: string; gainDb: number | null; limitedDb: number | null }> {
      return withHeartbeats(() =>
        withScratchDir(input.jobId, async (dir) => {
          const source = path.join(dir, 'in.wav');
          await storage.downloadToFile(input.inputKey, source);
          const { sampleRate } = await readWavInfo(source);
          const meter = new AudioMeter(sampleRate);
          for await (const block of readWavStream(source)) meter.push(block);
          const measured = meter.result();
          const target = { targetLufs: input.targetLufs, truePeakCeilingDbtp: TRUE_PEAK_CEILING_DBTP };
          const measurement = { integratedLufs: measured.integratedLufs, truePeakDbtp: measured.truePeakDbtp };
          const plan = await planLoudnessGain(() => readWavStream(source), sampleRate, measurement, target, {
            signal: cancellation(),
          });
          const normalizer = new LoudnessNormalizerStream(sampleRate, measurement, target, { gainDb: plan.gainDb });
          const rendered = path.join(dir, 'out.wav');
          const writer = await WavStreamWriter.create(rendered, sampleRate, { format: 'float32' });
          for await (const block of readWavStream(source)) await writer.write(normalizer.push(block));
          await writer.write(normalizer.flush());
          await writer.close();
          const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'normalize');
          await storage.putFile(outputKey, rendered, 'audio/wav');
          return { outputKey, gainDb: finiteOrNull(normalizer.gainDb), limitedDb: finiteOrNull(normalizer.limitedDb) };
        }),
      );
    },

    /**
     * Encode the deliverable and measure exactly what the user will download: not silent, not clipped,
     * the input's duration, on the loudness target, under the true-peak ceiling.
     */
    async checkQuality(input: {
      jobId: string;
      candidateKey: string;
      /** The input's (or a generator's requested) length; undefined when the output length is free (TTS). */
      expectedDurationMs?: number;
      /** null: deliberately peak-normalised output, so only the true-peak ceiling applies. */
      targetLufs: number | null;
    }): Promise<QualityResult> {
      return withHeartbeats(() =>
        withScratchDir(input.jobId, async (dir) => {
          const candidate = path.join(dir, 'candidate.wav');
          await storage.downloadToFile(input.candidateKey, candidate);
          const { sampleRate } = await readWavInfo(candidate);
          const deliverable = path.join(dir, 'output.wav');
          const writer = await WavStreamWriter.create(deliverable, sampleRate, { format: 'pcm16' });
          for await (const block of readWavStream(candidate)) await writer.write(block);
          await writer.close();
          // Measure the 16-bit file itself: exactly what the user will download.
          const meter = new AudioMeter(sampleRate);
          for await (const block of readWavStream(deliverable)) meter.push(block);
          const analysis = meter.result();
          const problems = qualityProblems(analysis, input.expectedDurationMs, input.targetLufs);
          if (problems.length > 0) {
            throw ApplicationFailure.nonRetryable(
              `Quality check failed: ${problems.join('; ')}`,
              FailureTypes.QualityCheckFailed,
            );
          }
          const outputKey = jobStorageKeys(input.jobId).output;
          await storage.putFile(outputKey, deliverable, 'audio/wav');
          return {
            outputKey,
            durationMs: Math.round(analysis.durationMs),
            integratedLufs: finiteOrNull(analysis.integratedLufs) ?? -Infinity,
            truePeakDbtp: finiteOrNull(analysis.truePeakDbtp) ?? -Infinity,
            peakDbfs: finiteOrNull(analysis.peakDbfs) ?? -Infinity,
            targetLufs: input.targetLufs,
          };
        }),
      );
    },

    /** Move the hold from the input's length to the output's: that is what the first download charges. */
    async settleCredits({ jobId, outputDurationMs }: { jobId: string; outputDurationMs: number }) {
      return settleCredits(db, {
        jobId,
        amount: creditsForDurationMs(outputDurationMs),
        idempotencyKey: `job-${jobId}:settle`,
      });
    },

    async releaseCredits({ jobId }: { jobId: string }): Promise<void> {
      await releaseCredits(db, { jobId, idempotencyKey: `job-${jobId}:release` });
    },

    async markJobCompleted(input: {
      jobId: string;
      outputKey: string;
      outputDurationMs: number;
      result: Record<string, unknown>;
    }): Promise<void> {
      await markJobCompleted(db, input.jobId, {
        outputKey: input.outputKey,
        outputDurationMs: input.outputDurationMs,
        result: input.result,
        at: new Date(),
      });
    },

    async markJobFailed({ jobId, error }: { jobId: string; error: string }): Promise<void> {
      await markJobFailed(db, jobId, error, new Date());
    },

    async markJobCancelled({ jobId }: { jobId: string }): Promise<void> {
      await markJobCancelled(db, jobId, new Date());
    },
  };
}

export type CpuActivities = ReturnType<typeof createCpuActivities>;

interface MeasuredAudio {
  durationMs: number;
  integratedLufs: number;
  truePeakDbtp: number;
  clippedSampleRatio: number;
  silent: boolean;
}

/** Human-readable reasons an output may not be delivered; empty when it passes. */
export function qualityProblems(
  analysis: MeasuredAudio,
  expectedDurationMs: number | undefined,
  targetLufs: number | null,
): string[] {
  const problems: string[] = [];
  if (analysis.silent) problems.push('output is silent');
  if (analysis.clippedSampleRatio > QUALITY_LIMITS.maxClippedSampleRatio) {
    problems.push(`output is clipped (${(analysis.clippedSampleRatio * 100).toFixed(3)}% of samples at full scale)`);
  }
  if (expectedDurationMs !== undefined) {
    const durationTolerance = Math.max(QUALITY_LIMITS.durationToleranceMs, expectedDurationMs * 0.005);
    if (Math.abs(analysis.durationMs - expectedDurationMs) > durationTolerance) {
      problems.push(`output lasts ${Math.round(analysis.durationMs)} ms but ${expectedDurationMs} ms were expected`);
    }
  }
  if (
    targetLufs !== null &&
    !analysis.silent &&
    Math.abs(analysis.integratedLufs - targetLufs) > QUALITY_LIMITS.loudnessToleranceLu
  ) {
    problems.push(`loudness ${analysis.integratedLufs.toFixed(1)} LUFS misses the ${targetLufs} LUFS target`);
  }
  if (analysis.truePeakDbtp > TRUE_PEAK_CEILING_DBTP + QUALITY_LIMITS.truePeakToleranceDb) {
    problems.push(`true peak ${analysis.truePeakDbtp.toFixed(2)} dBTP exceeds ${TRUE_PEAK_CEILING_DBTP} dBTP`);
  }
  return problems;
}
