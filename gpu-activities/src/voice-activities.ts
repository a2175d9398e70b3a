import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WavFileReader, WavStreamWriter, resample } from '@voice/audio';
import { UnknownModelError, selectModel, type ModelLocation } from '@voice/models';
import { FailureTypes, jobStorageKeys, type InferenceHeartbeat, type VoiceCloneStep } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import {
  ANALYSIS_RATE,
  VOICE_CONVERSION_METHOD,
  VoiceDspError,
  analyzeVoice,
  planVoiceConversion,
  renderVoiceConversion,
  sampleExcerpts,
  type VoiceCharacteristics,
  type VoiceConversionPlan,
} from '@voice/voice-dsp';

/**
 * Voice cloning with the strongest method available offline: measure the source voice, then shift its pitch
 * to the target's median and equalise its long-term spectrum toward the target's. The method is labelled in
 * the job output; a neural converter pulled by an operator would be selected here by its registry entry.
 */
export function createVoiceActivities({
  storage,
  location,
  heartbeatIntervalMs,
}: {
  storage: BlobStorage;
  location: ModelLocation;
  heartbeatIntervalMs: number;
}) {
  return {
    async runVoiceConversion(input: { jobId: string; stepIndex: number; inputKey: string; step: VoiceCloneStep }) {
      Context.current().heartbeat();
      const { step } = input;
      let modelId: string;
      try {
        modelId = selectModel({ task: 'voice-conversion', requested: step.model }, location).id;
      } catch (error) {
        if (error instanceof UnknownModelError)
          throw ApplicationFailure.nonRetryable(error.message, FailureTypes.UnknownModel);
        throw error;
      }
      if (modelId !== 'dsp-voice-conversion') {
        throw ApplicationFailure.nonRetryable(
          `No engine runs voice-conversion model ${modelId} yet`,
          FailureTypes.UnknownModel,
        );
      }
      const target = step.target?.characteristics as VoiceCharacteristics | undefined;
      if (!target?.pitch || !Array.isArray(target.spectral?.bandEnergiesDb)) {
        throw ApplicationFailure.nonRetryable(
          `Voice ${step.target_voice_id} has no usable characteristics`,
          FailureTypes.InvalidRequest,
        );
      }
      // Streamed from a local copy in chunks: memory stays flat however long the recording is.
      const context = Context.current();
      const dir = await mkdtemp(path.join(tmpdir(), `voice-clone-${input.jobId}-`));
      try {
        const local = path.join(dir, 'in.wav');
        await storage.downloadToFile(input.inputKey, local);
        const reader = await WavFileReader.open(local);
        const rendered = path.join(dir, 'out.wav');
        let plan: VoiceConversionPlan;
        let source: VoiceCharacteristics;
        try {
          const { sampleRate } = reader;
          // A minute sampled across the whole recording stands for the speaker, and keeps each synchronous
          // analysis step to seconds, well inside the heartbeat timeout.
          const excerpt = sampleExcerpts(reader, sampleRate);
          source = analyzeVoice(resample(excerpt, sampleRate, ANALYSIS_RATE), ANALYSIS_RATE);
          context.heartbeat({
            fraction: 0,
            processedSeconds: 0,
            totalSeconds: reader.length / sampleRate,
          } satisfies InferenceHeartbeat);
          plan = planVoiceConversion(excerpt, sampleRate, source, target).plan;
          const writer = await WavStreamWriter.create(rendered, sampleRate, { format: 'float32' });
          try {
            const totalSeconds = reader.length / sampleRate;
            let written = 0;
            let lastBeat = 0;
            for (const block of renderVoiceConversion(reader, plan)) {
              context.cancellationSignal.throwIfAborted();
              await writer.write(block);
              written += block.length;
              if (performance.now() - lastBeat >= heartbeatIntervalMs) {
                lastBeat = performance.now();
                const processedSeconds = written / sampleRate;
                context.heartbeat({
                  fraction: processedSeconds / Math.max(totalSeconds, 1e-9),
                  processedSeconds,
                  totalSeconds,
                } satisfies InferenceHeartbeat);
              }
            }
          } finally {
            await writer.close();
          }
        } finally {
          await reader.close();
        }
        const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'voice_clone');
        await storage.putFile(outputKey, rendered, 'audio/wav');
        return {
          outputKey,
          modelId,
          method: VOICE_CONVERSION_METHOD,
          applied: {
            pitchShiftSemitones: plan.semitones,
            sourceMedianHz: source.pitch.medianHz,
            targetMedianHz: target.pitch.medianHz,
          },
        };
      } catch (error) {
        // No voiced speech, too short: the input, not the machine, is at fault.
        if (error instanceof VoiceDspError)
          throw ApplicationFailure.nonRetryable(error.message, FailureTypes.InvalidAudio);
        throw error;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
