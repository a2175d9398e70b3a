/** How a job ended, as voice_jobs_finished_total counts it. */
export type JobOutcome = 'completed' | 'failed' | 'cancelled';

/** What a payment event did, as voice_payments_total counts it. */
export type PaymentOutcome = 'paid' | 'refunded' | 'disputed' | 'review';

/**
 * What the processes record as it happens. `VoiceMetrics` implements it over prom-client; components take it as an
 * optional dependency and record nothing when it is absent (metrics off: METRICS_PORT unset).
 */
export interface MetricsRecorder {
  /** One finished HTTP request; `route` is the route template (or "unmatched"), never the raw path. */
  httpRequest(request: { method: string; route: string; status: number; seconds: number }): void;
  /** A job the API accepted (its workflow started). */
  jobSubmitted(job: { jobType: string; tier: string }): void;
  /** A job that reached a terminal state, `seconds` after it was submitted. */
  jobFinished(job: { jobType: string; tier: string; status: JobOutcome; seconds: number }): void;
  /**
   * One step (activity) that completed. With `audioSeconds` and a model, its real-time factor is recorded too:
   * `processingSeconds` (the model's own time, when the step measured it) or else `seconds`, over the audio length.
   */
  stepFinished(step: {
    step: string;
    model: string;
    seconds: number;
    audioSeconds?: number;
    processingSeconds?: number;
  }): void;
  /** A model session loaded into memory. */
  modelLoaded(load: { model: string; seconds: number }): void;
  /** Credit-seconds a job's settlement fixed as its charge. */
  creditsCharged(creditSeconds: number): void;
  /** A payment event applied for the first time; `creditsPurchased` is what it granted (0 unless paid). */
  paymentApplied(payment: { provider: string; outcome: PaymentOutcome; creditsPurchased: number }): void;
}
