import type { Client } from '@temporalio/client';
import type { Env } from '@voice/config';
import type { DatabaseHandle } from '@voice/db';
import type { VoiceMetrics } from '@voice/metrics';
import type { SecretBox } from '@voice/runtime';
import type { BlobStorage } from '@voice/storage';
import type { DestinationStream } from 'pino';

import type { RateLimiter } from './auth/rate-limit/rate-limiter';
import type { PipelineClient } from './common/pipeline-client';
import type { TaskQueueInspector } from './common/task-queue-inspector';
import type { ReadinessProbe } from './health/readiness-probe';
import type { PaymentEventsClient } from './payments/payment-events.client';

/** Everything external the API needs; the caller (main.ts, the all-in-one launcher, tests) builds them. */
export interface ApiDependencies {
  env: Env;
  database: DatabaseHandle;
  /** Required by job/audio routes; without it they answer 503. */
  storage?: BlobStorage;
  /** Required by job routes; without it they answer 503. */
  temporalClient?: Client;
  /** Starts and reads pipelines; built over `temporalClient` when not given (tests inject a fake). */
  pipelineClient?: PipelineClient;
  /**
   * The server secret (JWT_SECRET or the dev secret under DATA_DIR) when the caller already resolved it for
   * storage; otherwise the API resolves it itself. Signs access tokens and local download links.
   */
  signingSecret?: string;
  /** Seals secrets at rest; built from DATA_ENCRYPTION_KEY (or the key under DATA_DIR) when not given. */
  secretBox?: SecretBox;
  /** Hands verified payment events to the fulfilment workflow; built over `temporalClient` when not given. */
  paymentEvents?: PaymentEventsClient;
  /** Reads task-queue backlogs and pollers for the admin system page; built over `temporalClient` when not given. */
  taskQueueInspector?: TaskQueueInspector;
  /**
   * The embedded Temporal dev server's Web UI (the launcher knows it). TEMPORAL_UI_PUBLIC_URL, when set, wins: the
   * embedded UI listens on loopback, which an admin's browser elsewhere cannot reach.
   */
  temporalUiUrl?: string;
  /**
   * This process's metrics (metricsFromEnv): HTTP requests, submitted jobs, and the task-queue and held-credit gauges
   * read at scrape time. The caller serves its registry on METRICS_PORT; without it nothing is recorded.
   */
  metrics?: VoiceMetrics;
  /** Extra readiness probes for GET /api/health (the database probe is built in). */
  readiness?: ReadinessProbe[];
  /**
   * Counts every rate-limited attempt (auth, MFA, voice uploads, job submissions, API keys). Defaults to a
   * DatabaseRateLimiter on `database`, which every API instance on that database shares.
   */
  rateLimiter?: RateLimiter;
  /**
   * When true, `app.close()` also closes the database handle, the Temporal connection and storage. Leave false
   * (default) when the caller shares them with other components (the launcher's worker, test suites).
   */
  ownsDependencies?: boolean;
  /** Where the process's log lines go instead of stdout (tests read them back); see configureLogging. */
  logDestination?: DestinationStream;
}
