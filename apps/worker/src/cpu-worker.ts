import { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import {
  createBookkeepingActivities,
  createPaymentActivities,
  createRetentionActivities,
  createWebhookActivities,
  type PaymentReceipt,
} from '@voice/activities';
import type { Env } from '@voice/config';
import type { Database } from '@voice/db';
import { processLogger, tracingPlugins, workerInterceptors } from '@voice/runtime';
import { paymentReceiptMail, webhookDisabledMail, type Mailer } from '@voice/mail';
import type { VoiceMetrics } from '@voice/metrics';
import type { BlobStorage } from '@voice/storage';
import type { SecretSealer } from '@voice/webhooks';
import { CREDIT_SECONDS_PER_MINUTE, type CreditPackage, type WebhookRetrySettings } from '@voice/shared';
import { temporalWorkflowLiveness } from './retention-schedule';
import { shutdownTimes } from './shutdown';

/** Outgoing webhooks: how deliveries are retried, which addresses they may reach, and the key ring of secrets. */
export interface CpuWorkerWebhookOptions {
  /** The SecretBox that sealed endpoint secrets (the API's: same DATA_ENCRYPTION_KEY). */
  secrets: SecretSealer;
  allowPrivate: boolean;
  retry: WebhookRetrySettings;
}

/** The WEBHOOK_* settings of the env. */
export function webhookOptionsFromEnv(
  env: Pick<
    Env,
    | 'WEBHOOK_ALLOW_PRIVATE'
    | 'WEBHOOK_RETRY_INITIAL_SECONDS'
    | 'WEBHOOK_RETRY_MAX_INTERVAL_SECONDS'
    | 'WEBHOOK_RETRY_WINDOW_SECONDS'
  >,
  secrets: SecretSealer,
): CpuWorkerWebhookOptions {
  return {
    secrets,
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
    retry: {
      initialSeconds: env.WEBHOOK_RETRY_INITIAL_SECONDS,
      maxIntervalSeconds: env.WEBHOOK_RETRY_MAX_INTERVAL_SECONDS,
      windowSeconds: env.WEBHOOK_RETRY_WINDOW_SECONDS,
    },
  };
}

/** What the retention schedule's activities need (see retention-schedule.ts and workflows/src/retention.workflow.ts). */
export interface CpuWorkerRetentionOptions {
  /** Where job files live: expired jobs' files are deleted from it. */
  storage: BlobStorage;
  /** RETENTION_DAYS. */
  retentionDays: number;
  /** SIGNED_URL_TTL_SECONDS: files outlive their expiry by one link lifetime. */
  linkTtlSeconds: number;
}

/** The RETENTION_DAYS and SIGNED_URL_TTL_SECONDS settings of the env, over `storage`. */
export function retentionOptionsFromEnv(
  env: Pick<Env, 'RETENTION_DAYS' | 'SIGNED_URL_TTL_SECONDS'>,
  storage: BlobStorage,
): CpuWorkerRetentionOptions {
  return { storage, retentionDays: env.RETENTION_DAYS, linkTtlSeconds: env.SIGNED_URL_TTL_SECONDS };
}

export interface CpuWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  maxConcurrentActivities: number;
  /** Sends payment receipts (mailerFromEnv). */
  mailer: Mailer;
  /** The packages on sale, to name the one a receipt is for. */
  packages: readonly CreditPackage[];
  /** The web app's base URL (PUBLIC_BASE_URL or the API's address), for the receipt's billing link. */
  publicBaseUrl: string;
  webhooks: CpuWorkerWebhookOptions;
  /** This process's metrics (job outcomes, charges, payments, slots); none are recorded without it. */
  metrics?: VoiceMetrics;
  retention: CpuWorkerRetentionOptions;
  /** SHUTDOWN_GRACE_SECONDS; default 30. */
  shutdownGraceSeconds?: number;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes seconds; every worker in a process shares one bundle. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('@voice/workflows'),
    // Adds the job and request ids to workflow log lines, and passes the request id on to the activities.
    workflowInterceptorModules: [require.resolve('@voice/workflows/dist/src/log-interceptors')],
    plugins: tracingPlugins(),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (message, meta) => processLogger().warn({ ...meta, sdkComponent: 'bundler' }, message),
      error: (message, meta) => processLogger().error({ ...meta, sdkComponent: 'bundler' }, message),
    },
  });
  return bundle;
}

/** Workflows plus the bookkeeping (job rows, credits), payment and webhook activities on the CPU task queue. */
export async function createCpuWorker(options: CpuWorkerOptions): Promise<Worker> {
  const { metrics } = options;
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...createBookkeepingActivities({ db: options.db, metrics }),
      ...createPaymentActivities({
        db: options.db,
        sendReceipt: (receipt) => options.mailer.send(receiptMail(receipt, options)),
        metrics,
      }),
      ...createRetentionActivities({
        db: options.db,
        ...options.retention,
        // Over the worker's own connection: the liveness checks need no second one.
        workflows: temporalWorkflowLiveness(
          new Client({ connection: options.connection, namespace: options.namespace }),
        ),
      }),
      ...createWebhookActivities({
        db: options.db,
        ...options.webhooks,
        notifyDisabled: (notice) =>
          options.mailer.send(
            webhookDisabledMail({
              ...notice,
              developerUrl: `${options.publicBaseUrl.replace(/\/+$/, '')}/developer`,
            }),
          ),
      }),
    },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
    ...shutdownTimes(options.shutdownGraceSeconds ?? 30),
    interceptors: workerInterceptors(),
    plugins: tracingPlugins(),
  });
  metrics?.observeWorkerSlots({
    taskQueue: options.taskQueue,
    total: options.maxConcurrentActivities,
    used: () => worker.getStatus().numInFlightActivities,
  });
  return worker;
}

function receiptMail(receipt: PaymentReceipt, options: Pick<CpuWorkerOptions, 'packages' | 'publicBaseUrl'>) {
  const pkg = options.packages.find((known) => known.id === receipt.packageId);
  return paymentReceiptMail({
    to: receipt.to,
    name: receipt.name,
    packageName: pkg?.name ?? receipt.packageId ?? 'Credits',
    minutes: Math.floor(receipt.creditsPurchased / CREDIT_SECONDS_PER_MINUTE),
    amountMinor: receipt.amountMinor,
    currency: receipt.currency,
    paymentId: receipt.paymentId,
    creditsBalance: receipt.balance,
    billingUrl: `${options.publicBaseUrl.replace(/\/+$/, '')}/billing`,
  });
}
