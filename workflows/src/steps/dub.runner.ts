import { revoice } from './revoice';
import type { StepRunner } from './step-runner';

export const dubRunner: StepRunner<'dub'> = {
  method: () => 'auto',
  async run(step, run) {
    const outputKey = await revoice(step, step.source_language, run);
    // A dub says other words: the synthesised text no longer describes the output.
    run.state.spokenText = undefined;
    return outputKey;
  },
};
