import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Env } from '@voice/config';
import { webhookDeliveryWorkflowId, type WebhookDeliveryInput } from '@voice/shared';

import { boundedCall, CallTimedOut, isUnreachable } from '../common/bounded-temporal-call';
import { conflict, serviceUnavailable } from '../common/domain-error';
import { token } from '../common/tokens';

/** The workflow type registered by the CPU worker (workflows/src/webhook.workflow.ts). */
export const WEBHOOK_DELIVERY_WORKFLOW_TYPE = 'webhookDeliveryWorkflow';

/** Starts delivery workflows from the API (manual redelivery); the events themselves start them from workflows. */
export interface WebhookDeliveriesClient {
  /** Starts the delivery's workflow again; 409 while a run of it is still retrying. */
  redeliver(deliveryId: string): Promise<void>;
}

export const WEBHOOK_DELIVERIES = token<WebhookDeliveriesClient>('WEBHOOK_DELIVERIES');

const START_DEADLINE_MS = 3_000;

export class TemporalWebhookDeliveriesClient implements WebhookDeliveriesClient {
  constructor(
    private readonly client: Client,
    private readonly env: Env,
  ) {}

  async redeliver(deliveryId: string): Promise<void> {
    const input: WebhookDeliveryInput = {
      deliveryId,
      retry: {
        initialSeconds: this.env.WEBHOOK_RETRY_INITIAL_SECONDS,
        maxIntervalSeconds: this.env.WEBHOOK_RETRY_MAX_INTERVAL_SECONDS,
        windowSeconds: this.env.WEBHOOK_RETRY_WINDOW_SECONDS,
      },
    };
    try {
      await boundedCall(this.client, START_DEADLINE_MS, () =>
        this.client.workflow.start(WEBHOOK_DELIVERY_WORKFLOW_TYPE, {
          taskQueue: this.env.TASK_QUEUE_CPU,
          workflowId: webhookDeliveryWorkflowId(deliveryId),
          args: [input],
          // The id stays the delivery's: a closed run (succeeded or given up) may run again, a live one may not.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw conflict('WEBHOOK_DELIVERY_IN_PROGRESS', 'This delivery is still being retried; wait for it to end');
      }
      if (error instanceof CallTimedOut || isUnreachable(error)) {
        throw serviceUnavailable('The job service is unavailable, so the delivery could not be restarted');
      }
      throw error;
    }
  }
}

export class UnavailableWebhookDeliveriesClient implements WebhookDeliveriesClient {
  redeliver(): Promise<void> {
    return Promise.reject(serviceUnavailable('Temporal is not configured on this server'));
  }
}
