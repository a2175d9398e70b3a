import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { failureRule, permanentFailure, toFailure, withScratchDir } from '@voice/activity-kit';
import {
  AudioMeter,
  AudioValidationError,
  LoudnessNormalizerStream,
  WavStreamWriter,
  decodeStream,
  pcm16Quantized,
  planLoudnessGain,
  probeAudioFile,
  qualityProblems,
  readWavInfo,
  readWavStream,
  type LoudnessMeasurement,
} from '@voice/audio';
import {
  FailureTypes,
  PROCESSING_SAMPLE_RATE,
  TRUE_PEAK_CEILING_DBTP,
  jobStorageKeys,
  type InputReport,
  type MeasuredLoudness,
  type QualityReport,
} from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { createEditActivities } from './edit-activities';
import { finiteOrNull, withHeartbeats } from './heartbeat';

export interface MediaActivityDependencies {
  storage: BlobStorage;
  /** Scratch space for files that tools such as ffmpeg need on disk. */
  workDir: string;
  ffmpegPath?: string;
}

/** What preprocessing measured: the job record's `input`. */
export type PreprocessResult = InputReport;

/** The quality gate's measurements of the deliverable (the TTS intelligibility check is added by the workflow). */
export type QualityResult = Omit<QualityReport, 'intelligibility'>;

/** Bad input never gets better on retry: fail the job at once with the validator's message. */
const PROBE_FAILURES = [failureRule(AudioValidationError, FailureTypes.InvalidAudio)];

/** A measurement handed over in a payload is used only if it is one (JSON can turn numbers into null). */
const isMeasured = (value: MeasuredLoudness | undefined): value is MeasuredLoudness =>
  value !== undefined && Number.isFinite(value.integratedLufs) && Number.isFinite(value.truePeakDbtp);

/** Integrated loudness and true peak of a WAV file (non-finite for silence). */
async function measureLoudness(file: string, sampleRate: number): Promise<LoudnessMeasurement> {
  const meter = new AudioMeter(sampleRate);
  for await (const block of readWavStream(file)) meter.push(block);
  const { integratedLufs, truePeakDbtp } = meter.result();
  return { integratedLufs, truePeakDbtp };
}

/** The running activity's cancellation, so a cancelled job stops reading and decoding at the next block. */
const cancellation = (): AbortSignal => Context.current().cancellationSignal;

/**
 * CPU-heavy media activities: decoding, loudness, the quality gate and edits. They touch storage and ffmpeg,
 * never the database, so they run on their own task queue and, under `npm start`, in a process apart from
 * the API. Built over injected clients when the worker starts; safe to retry (storage keys are deterministic).
 */
export function createMediaActivities({ storage, workDir, ffmpegPath }: MediaActivityDependencies) {
  const scratch = <T>(jobId: string, label: string, work: (dir: string) => Promise<T>): Promise<T> =>
    withScratchDir(workDir, jobId, label, work);

  return {
    ...createEditActivities({ storage, workDir }),

    /** Decode, validate, resample to the processing rate and measure the input. */
    async preprocessAudio({ jobId, inputKey }: { jobId: string; inputKey: string }): Promise<PreprocessResult> {
      return withHeartbeats(() =>
        scratch(jobId, 'preprocess', async (dir) => {
          const localInput = path.join(dir, 'input');
          await storage.downloadToFile(inputKey, localInput);
          const probe = await probeAudioFile(localInput, { ffmpegPath }).catch((error: unknown) => {
            throw toFailure(error, PROBE_FAILURES);
          });
          // Block by block: an hour of audio never sits in memory, only one second of it at a time.
          const workFile = path.join(dir, 'work.wav');
          const writer = await WavStreamWriter.create(workFile, PROCESSING_SAMPLE_RATE, { format: 'float32' });
          const meter = new AudioMeter(PROCESSING_SAMPLE_RATE);
          try {
            for await (const block of decodeStream(localInput, PROCESSING_SAMPLE_RATE, {
              ffmpegPath,
              signal: cancellation(),
            })) {
              meter.push(block);
              await writer.write(block);
            }
          } finally {
            // Also on a failed decode or a cancel: a file handle left to the GC is a warning now, an error later.
            await writer.close();
          }
          const analysis = meter.result();
          const workKey = jobStorageKeys(jobId).preprocessed;
          await storage.putFile(workKey, workFile, 'audio/wav', { consume: true });
          const durationMs = Math.round(analysis.durationMs);
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

    /**
     * Gain to the loudness target, then a true-peak limiter at −1 dBTP: measure, then render (when the limiter
     * engages, planning first re-reads the input in cheap trial passes for a gain that lands on target after it).
     */
    async normalizeLoudness(input: {
      jobId: string;
      stepIndex: number;
      inputKey: string;
      targetLufs: number;
      /** The input's loudness as the step that wrote it measured it; without it, a first pass measures it. */
      measured?: MeasuredLoudness;
    }): Promise<{ outputKey: string; gainDb: number | null; limitedDb: number | null }> {
      return withHeartbeats(() =>
        scratch(input.jobId, 'normalize', async (dir) => {
          const source = path.join(dir, 'in.wav');
          await storage.downloadToFile(input.inputKey, source);
          const { sampleRate } = await readWavInfo(source);
          const target = { targetLufs: input.targetLufs, truePeakCeilingDbtp: TRUE_PEAK_CEILING_DBTP };
          const measurement = isMeasured(input.measured) ? input.measured : await measureLoudness(source, sampleRate);
          const rendered = path.join(dir, 'out.wav');
          // When the limiter engages, planning renders the output itself (its last pass is the one kept).
          const plan = await planLoudnessGain(() => readWavStream(source), sampleRate, measurement, target, {
            signal: cancellation(),
            outputPath: rendered,
            scratchDir: dir,
          });
          let limitedDb = plan.renderedLimitedDb;
          if (plan.passes === 0 || limitedDb === undefined) {
            const normalizer = new LoudnessNormalizerStream(sampleRate, measurement, target, { gainDb: plan.gainDb });
            const writer = await WavStreamWriter.create(rendered, sampleRate, { format: 'float32' });
            try {
              for await (const block of readWavStream(source)) await writer.write(normalizer.push(block));
              await writer.write(normalizer.flush());
            } finally {
              await writer.close();
            }
            limitedDb = normalizer.limitedDb;
          }
          const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'normalize');
          await storage.putFile(outputKey, rendered, 'audio/wav', { consume: true });
          return { outputKey, gainDb: finiteOrNull(plan.gainDb), limitedDb: finiteOrNull(limitedDb) };
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
        scratch(input.jobId, 'quality', async (dir) => {
          const candidate = path.join(dir, 'candidate.wav');
          await storage.downloadToFile(input.candidateKey, candidate);
          const { sampleRate } = await readWavInfo(candidate);
          const deliverable = path.join(dir, 'output.wav');
          const writer = await WavStreamWriter.create(deliverable, sampleRate, { format: 'pcm16' });
          // Measure the 16-bit samples themselves, exactly what the user will download (and what reading the file
          // back would give), in the loop that writes them.
          const meter = new AudioMeter(sampleRate);
          try {
            for await (const block of readWavStream(candidate)) {
              const stored = pcm16Quantized(block);
              meter.push(stored);
              await writer.write(stored);
            }
          } finally {
            await writer.close();
          }
          const analysis = meter.result();
          const problems = qualityProblems(analysis, input.expectedDurationMs, input.targetLufs);
          if (problems.length > 0) {
            throw permanentFailure(FailureTypes.QualityCheckFailed, `Quality check failed: ${problems.join('; ')}`);
          }
          const outputKey = jobStorageKeys(input.jobId).output;
          await storage.putFile(outputKey, deliverable, 'audio/wav', { consume: true });
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
  };
}

export type MediaActivities = ReturnType<typeof createMediaActivities>;
