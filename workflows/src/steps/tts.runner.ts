import { ApplicationFailure } from '@temporalio/workflow';
import { FailureTypes } from '@voice/shared/workflow';
import type { StepRunner } from './step-runner';

export const ttsRunner: StepRunner<'tts'> = {
  method: (step) => step.model ?? 'auto',
  async run(step, { jobId, index, source, activities, state, setModel }) {
    if (source.kind !== 'text') {
      throw ApplicationFailure.nonRetryable('The tts step needs text to speak', FailureTypes.InvalidRequest);
    }
    const result = await activities.gpu.runTts({ jobId, stepIndex: index, text: source.text, step });
    setModel(result.modelId);
    // The quality check hears it in the language it was spoken in: left to detect the language from a few
    // synthetic words, Whisper sometimes picks another and fails good speech.
    state.spokenText = { text: source.text, language: result.language };
    return result.outputKey;
  },
};
