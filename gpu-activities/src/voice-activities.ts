import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { decodeWav, encodeWav, resample } from '@voice/audio';
import { UnknownModelError, selectModel, type ModelLocation } from '@voice/models';
import { FailureTypes, jobStorageKeys, type VoiceCloneStep } from '@voice/shared';
import type { BlobStorage } from '@voice/storage';
import { ANALYSIS_RATE, VoiceDspError, analyzeVoice, convertVoiceToward, type VoiceCharacteristics } from '@voice/voice-dsp';

/**
 * Voice cloning with the strongest method available offline: measure the source voice, then shift its pitch
 * to the target's median and equalise its long-term spectrum toward the target's. The method is labelled in
 * the job output; a neural converter pulled by an operator would be selected here by its registry entry.
 */
export function createVoiceActivities({ storage, location }: { storage: BlobStorage; location: ModelLocation }) {
  return {
    async runVoiceConversion(input: { jobId: string; stepIndex: number; inputKey: string; step: VoiceCloneStep }) {
      Context.current().heartbeat();
      const { step } = input;
      let modelId: string;
      try {
        modelId = selectModel({ task: 'voice-conversion', requested: step.model }, location).id;
      } catch (error) {
        if (error instanceof UnknownModelError) throw ApplicationFailure.nonRetryable(error.message, FailureTypes.UnknownModel);
        throw error;
      }
      if (modelId !== 'dsp-voice-conversion') {
        throw ApplicationFailure.nonRetryable(`No engine runs voice-conversion model ${modelId} yet`, FailureTypes.UnknownModel);
      }
      const target = step.target?.characteristics as VoiceCharacteristics | undefined;
      if (!target?.pitch || !Array.isArray(target.spectral?.bandEnergiesDb)) {
        throw ApplicationFailure.nonRetryable(`Voice ${step.target_voice_id} has no usable characteristics`, FailureTypes.InvalidRequest);
      }
      const { samples, sampleRate } = decodeWav(await storage.getBuffer(input.inputKey));
      try {
        const source = analyzeVoice(resample(samples, sampleRate, ANALYSIS_RATE), ANALYSIS_RATE);
        Context.current().heartbeat();
        const converted = convertVoiceToward(samples, sampleRate, source, target);
        const outputKey = jobStorageKeys(input.jobId).step(input.stepIndex, 'voice_clone');
        await storage.putBuffer(outputKey, encodeWav(converted.samples, sampleRate, { format: 'float32' }), 'audio/wav');
        return {
          outputKey,
          modelId,
          method: converted.method,
          applied: {
            pitchShiftSemitones: converted.applied.pitchShiftSemitones,
            sourceMedianHz: source.pitch.medianHz,
            targetMedianHz: target.pitch.medianHz,
          },
        };
      } catch (error) {
        // No voiced speech, too short: the input, not the machine, is at fault.
        if (error instanceof VoiceDspError) throw ApplicationFailure.nonRetryable(error.message, FailureTypes.InvalidAudio);
        throw error;
      }
    },
  };
}
