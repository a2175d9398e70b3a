import type { StepRunner } from './step-runner';

export const dubRunner: StepRunner<'dub'> = {
  method: () => 'auto',
  async run(step, { jobId, index, audio, activities, state, setModel }) {
    const inputKey = audio();
    // Transcribe this step's input first, in the source language, then translate and re-voice it.
    const heard = await activities.gpu.runStt({
      jobId,
      stepIndex: index,
      inputKey,
      step: { op: 'stt', language: step.source_language },
    });
    const result = await activities.gpu.runDub({
      jobId,
      stepIndex: index,
      inputKey,
      transcriptKey: heard.transcriptKey,
      step,
    });
    setModel(result.methods.speech);
    state.revoiced.push({ op: 'dub', source: heard, ...result });
    // A dub says other words: the synthesised text no longer describes the output.
    state.spokenText = undefined;
    return result.outputKey;
  },
};
