import { revoice } from './revoice';
import type { StepRunner } from './step-runner';

export const accentChangeRunner: StepRunner<'accent_change'> = {
  method: () => 'auto',
  // Accents are English voices, so the words are heard as English.
  run: (step, run) => revoice(step, 'en', run),
};
