import type { VoiceMetrics } from '@voice/metrics';

import { token } from './tokens';

/** This API's metrics (ApiDependencies.metrics), or null when METRICS_PORT is unset: then nothing is recorded. */
export const METRICS = token<VoiceMetrics | null>('METRICS');
