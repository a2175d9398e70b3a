import { ApplicationFailure } from '@temporalio/workflow';
import { FailureTypes } from '@voice/shared';
import type { StepRunner } from './step-runner';

export const ttsRunner: StepRunner<'tts'> = {
  method: (step) => step.model ?? 'auto',
  async run(step, { jobId, index, source, activities, state, setModel }) {
    if (source.kind !== 'text') {
      throw ApplicationFailure.nonRetryable('The tts step needs text to speak', FailureTypes.InvalidRequest);
    }
    const result = await activities.gpu.runTts({ jobId, stepIndex: index, text: source.text, step });
    setModel(result.modelId);
    state.spokenText = { text: source.text, ...(step.language ? { language: step.language } : {}) };
    return result.outputKey;
  },
};
