import type { StepOf } from '@voice/shared';
import type { StepRun } from './step-runner';

/**
 * Dub and accent change both re-voice what was said: transcribe this step's input (in the source language),
 * then hand the transcript to the step's GPU activity and record what was heard next to what was made.
 */
export async function revoice(
  step: StepOf<'dub'> | StepOf<'accent_change'>,
  language: string,
  { jobId, index, audio, activities, state, setModel }: StepRun,
): Promise<string> {
  const inputKey = audio();
  const heard = await activities.gpu.runStt({ jobId, stepIndex: index, inputKey, step: { op: 'stt', language } });
  const request = { jobId, stepIndex: index, inputKey, transcriptKey: heard.transcriptKey };
  const result =
    step.op === 'dub'
      ? await activities.gpu.runDub({ ...request, step })
      : await activities.gpu.runAccentChange({ ...request, step });
  setModel(result.methods.speech);
  state.revoiced.push({ op: step.op, source: heard, ...result });
  return result.outputKey;
}
