import { AsyncLocalStorage } from 'node:async_hooks';

/** What an activity knows about the step it ran, beyond its duration. */
export interface StepReport {
  /** The model that ran the step. */
  model?: string;
  /** Length of the audio the step processed (input or output, whichever the model worked through). */
  audioSeconds?: number;
  /** The model's own time, when the step measured it apart from downloads and uploads. */
  processingSeconds?: number;
}

const reports = new AsyncLocalStorage<StepReport>();

/**
 * Tells the step metrics (voice_step_duration_seconds, voice_model_real_time_factor) which model ran and over how
 * much audio. A no-op outside a metered activity (metrics off, unit tests), so activities call it unconditionally.
 */
export function reportStep(report: StepReport): void {
  const current = reports.getStore();
  if (current) Object.assign(current, report);
}

/** Runs `work` with a fresh report that `reportStep` calls inside it fill in (the activity interceptor's side). */
export function withStepReport<T>(work: () => Promise<T>): { report: StepReport; result: Promise<T> } {
  const report: StepReport = {};
  return { report, result: reports.run(report, work) };
}
