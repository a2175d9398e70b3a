import type { StepRunner } from './step-runner';

export const editRunner: StepRunner<'edit'> = {
  method: () => 'voice-dsp-edit',
  async run(step, { jobId, index, audio, activities, state }) {
    const inputKey = audio();
    // Muting a word needs to know where it is said in this step's input, so transcribe that audio.
    const timings = step.operations.some((operation) => operation.type === 'mute_word')
      ? await activities.gpu.runStt({ jobId, stepIndex: index, inputKey, step: { op: 'stt', language: 'en' } })
      : undefined;
    const result = await activities.media.applyEdits({
      jobId,
      stepIndex: index,
      inputKey,
      operations: step.operations,
      ...(timings ? { transcriptKey: timings.transcriptKey } : {}),
    });
    state.expectedDurationMs = result.durationMs;
    state.edits.push(...result.applied);
    // Cuts and mutes remove words on purpose, so the output is no longer the synthesised text.
    state.spokenText = undefined;
    return result.outputKey;
  },
};
