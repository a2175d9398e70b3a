/**
 * @voice/metrics — Prometheus metrics for every process: `VoiceMetrics` (a registry of its own with the platform's
 * metric definitions, see README "Operations"), the HTTP middleware and the Temporal activity interceptor that feed
 * it, `reportStep` for activities, and `startMetricsServer` for /metrics on METRICS_PORT.
 */
export type { JobOutcome, MetricsRecorder, PaymentOutcome } from './recorder';
export {
  VoiceMetrics,
  type HeldCreditFigures,
  type TaskQueueFigures,
  type VoiceMetricsOptions,
  type WorkerSlotSource,
} from './voice-metrics';
export { httpMetricsMiddleware, routeTemplate, UNMATCHED_ROUTE, type RoutedRequest } from './http-metrics';
export {
  startMetricsServer,
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
} from './metrics-server';
export { mergedMetricsSource, type MetricsSnapshot } from './merge';
export { reportStep, withStepReport, type StepReport } from './step-report';
export { activityMetricsInterceptor } from './activity-metrics';
export { readSample } from './read-sample';
