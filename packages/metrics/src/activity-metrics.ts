import type { ActivityInterceptorsFactory } from '@temporalio/worker';

import type { MetricsRecorder } from './recorder';
import { withStepReport } from './step-report';

/**
 * A worker interceptor timing every activity that completes, as voice_step_duration_seconds{step,model} (the step
 * is the activity type, a bounded set) plus the real-time factor where the activity reported its model and audio
 * length through `reportStep`. One place for every step of the media and GPU workers; failed and cancelled attempts
 * are not timed, so the histogram shows what a step costs when it works.
 */
export function activityMetricsInterceptor(metrics: MetricsRecorder): ActivityInterceptorsFactory {
  return (context) => ({
    inbound: {
      async execute(input, next) {
        const started = performance.now();
        const { report, result } = withStepReport(() => next(input));
        const value = await result;
        metrics.stepFinished({
          step: context.info.activityType,
          model: report.model ?? '',
          seconds: (performance.now() - started) / 1000,
          ...(report.audioSeconds !== undefined ? { audioSeconds: report.audioSeconds } : {}),
          ...(report.processingSeconds !== undefined ? { processingSeconds: report.processingSeconds } : {}),
        });
        return value;
      },
    },
  });
}
