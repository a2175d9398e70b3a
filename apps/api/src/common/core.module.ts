import { type DynamicModule, Global, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';

import type { Env } from '@voice/config';
import { parseCreditPackages } from '@voice/shared';

import type { ApiDependencies } from '../api-dependencies';
import { resolveSecretBox, resolveSigningSecret } from '@voice/runtime';
import { DatabaseRateLimiter } from '../auth/rate-limit/database-rate-limiter';
import { ApiExceptionFilter } from './api-exception.filter';
import {
  PAYMENT_EVENTS,
  TemporalPaymentEventsClient,
  UnavailablePaymentEventsClient,
} from '../payments/payment-events.client';
import { PaymentCatalog } from '../payments/payment-catalog';
import {
  TemporalWebhookDeliveriesClient,
  UnavailableWebhookDeliveriesClient,
  WEBHOOK_DELIVERIES,
} from '../developer/webhook-deliveries.client';
import { METRICS } from './metrics';
import { PIPELINE_CLIENT, TemporalPipelineClient, UnavailablePipelineClient } from './pipeline-client';
import { TASK_QUEUE_INSPECTOR, TemporalTaskQueueInspector } from './task-queue-inspector';
import {
  DATABASE,
  DATABASE_HANDLE,
  ENV,
  factoryProvider,
  PAYMENT_CATALOG,
  RATE_LIMITER,
  READINESS_PROBES,
  SECRET_BOX,
  SIGNING_SECRET,
  STORAGE,
  TEMPORAL_UI_URL,
  valueProvider,
} from './tokens';

interface Closable {
  close(): Promise<void>;
}

function isClosable(value: object): value is Closable {
  return 'close' in value && typeof value.close === 'function';
}

/** Closes the dependencies main.ts created, after the HTTP server has stopped taking requests. */
class OwnedDependenciesCloser implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(private readonly deps: ApiDependencies) {}

  // onApplicationShutdown (not onModuleDestroy) runs after Nest has closed the HTTP server, so requests
  // still in flight during shutdown keep a working database.
  async onApplicationShutdown(): Promise<void> {
    const { storage } = this.deps;
    const results = await Promise.allSettled([
      this.deps.temporalClient?.connection.close(),
      // Both drivers have close() (the S3 one releases sockets) though BlobStorage does not declare it.
      storage && isClosable(storage) ? storage.close() : undefined,
      this.deps.database.close(),
    ]);
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error('Failed to close a dependency', String(result.reason));
    }
  }
}

/**
 * Global module exposing the external systems under typed tokens (see tokens.ts) plus the single error
 * filter. Feature modules inject them with `@Inject(DATABASE)` etc. and need not import anything.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: ApiDependencies): DynamicModule {
    const providers: Provider[] = [
      valueProvider(ENV, deps.env),
      valueProvider(DATABASE_HANDLE, deps.database),
      valueProvider(DATABASE, deps.database.db),
      valueProvider(STORAGE, deps.storage ?? null),
      valueProvider(
        PIPELINE_CLIENT,
        deps.pipelineClient ??
          (deps.temporalClient
            ? new TemporalPipelineClient(deps.temporalClient, deps.env)
            : new UnavailablePipelineClient()),
      ),
      valueProvider(
        PAYMENT_EVENTS,
        deps.paymentEvents ??
          (deps.temporalClient
            ? new TemporalPaymentEventsClient(deps.temporalClient, deps.env)
            : new UnavailablePaymentEventsClient()),
      ),
      valueProvider(
        WEBHOOK_DELIVERIES,
        deps.temporalClient
          ? new TemporalWebhookDeliveriesClient(deps.temporalClient, deps.env)
          : new UnavailableWebhookDeliveriesClient(),
      ),
      // Parsed at boot: a bad CREDIT_PACKAGES fails the start with the field it got wrong.
      valueProvider(PAYMENT_CATALOG, new PaymentCatalog(parseCreditPackages(deps.env.CREDIT_PACKAGES))),
      valueProvider(
        TASK_QUEUE_INSPECTOR,
        deps.taskQueueInspector ?? (deps.temporalClient ? new TemporalTaskQueueInspector(deps.temporalClient) : null),
      ),
      valueProvider(TEMPORAL_UI_URL, deps.env.TEMPORAL_UI_PUBLIC_URL ?? deps.temporalUiUrl ?? null),
      valueProvider(READINESS_PROBES, deps.readiness ?? []),
      valueProvider(METRICS, deps.metrics ?? null),
      // In the database, not in this process: every API instance behind a load balancer shares each quota.
      valueProvider(RATE_LIMITER, deps.rateLimiter ?? new DatabaseRateLimiter(deps.database.db)),
      factoryProvider(SIGNING_SECRET, (env: Env) => deps.signingSecret ?? resolveSigningSecret(env), [ENV]),
      // Resolved at boot, so production without DATA_ENCRYPTION_KEY fails the start, not the first enrolment.
      factoryProvider(SECRET_BOX, (env: Env) => deps.secretBox ?? resolveSecretBox(env), [ENV]),
      { provide: APP_FILTER, useClass: ApiExceptionFilter },
    ];
    if (deps.ownsDependencies)
      providers.push({ provide: OwnedDependenciesCloser, useValue: new OwnedDependenciesCloser(deps) });
    return {
      module: CoreModule,
      providers,
      exports: [
        ENV,
        DATABASE_HANDLE,
        DATABASE,
        STORAGE,
        PIPELINE_CLIENT,
        PAYMENT_EVENTS,
        PAYMENT_CATALOG,
        TASK_QUEUE_INSPECTOR,
        TEMPORAL_UI_URL,
        READINESS_PROBES,
        METRICS,
        RATE_LIMITER,
        SIGNING_SECRET,
        SECRET_BOX,
        WEBHOOK_DELIVERIES,
      ],
    };
  }
}
