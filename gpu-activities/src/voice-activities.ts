import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ProgressHeartbeat, failureRule, permanentFailure, toFailure, withScratchDir } from '@voice/activity-kit';
import { WavFileReader, WavStreamWriter, resample } from '@voice/audio';
import { UnknownModelError, selectModel, type ModelLocation } from '@voice/models';
import { FailureTypes, jobStorageKeys, type VoiceCloneStep } from '@voice/shared';
import { reportStep } from '@voice/metrics';
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

const MODEL_FAILURES = [failureRule(UnknownModelError, FailureTypes.UnknownModel)];
/** No voiced speech, too short: the input, not the machine, is at fault. */
const CONVERSION_FAILURES = [failureRule(VoiceDspError, FailureTypes.InvalidAudio)];

/**
 * Voice cloning with the strongest method available offline: measure the source voice, then shift its pitch
 * to the target's median and equalise its long-term spectrum toward the target's. The method is labelled in
 * the job output; a neural converter pulled by an operator would be selected here by its registry entry.
 */
export function createVoiceActivities({
  storage,
  location,
  workDir,
  heartbeatIntervalMs,
}: {
  storage: BlobStorage;
  location: ModelLocation;
  workDir: string;
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
        throw toFailure(error, MODEL_FAILURES);
      }
      if (modelId !== 'dsp-voice-conversion') {
        throw permanentFailure(FailureTypes.UnknownModel, `No engine runs voice-conversion model ${modelId} yet`);
      }
      const target = step.target?.characteristics as VoiceCharacteristics | undefined;
      if (!target?.pitch || !Array.isArray(target.spectral?.bandEnergiesDb)) {
        throw permanentFailure(
          FailureTypes.InvalidRequest,
          `Voice ${step.target_voice_id} has no usable characteristics`,
        );
      }
      // Streamed from a local copy in chunks: memory stays flat however long the recording is.
      const context = Context.current();
      const heartbeat = new ProgressHeartbeat({ intervalMs: heartbeatIntervalMs });
      return withScratchDir(workDir, input.jobId, 'voice-clone', async (dir) => {
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
            const totalSeconds = reader.length / sampleRate;
            heartbeat.setTotalSeconds(totalSeconds);
            reportStep({ model: modelId, audioSeconds: totalSeconds });
            // Unthrottled: the analysis above took seconds, and the server must hear from us now.
            heartbeat.report(0);
            plan = planVoiceConversion(excerpt, sampleRate, source, target).plan;
            const writer = await WavStreamWriter.create(rendered, sampleRate, { format: 'float32' });
            try {
              let written = 0;
              for (const block of renderVoiceConversion(reader, plan)) {
                context.cancellationSignal.throwIfAborted();
                await writer.write(block);
                written += block.length;
                heartbeat.progress(written / sampleRate / Math.max(totalSeconds, 1e-9));
              }
            } finally {
              await writer.close();
            }
          } finally {
            await reader.close();
          }
          const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'voice_clone');
          await storage.putFile(outputKey, rendered, 'audio/wav', { consume: true });
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
          throw toFailure(error, CONVERSION_FAILURES);
        }
      });
    },
  };
}
