import { Logger } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { Env } from '@voice/config';
import {
  PAYMENT_EVENT_WORKFLOW_TYPE,
  workflowIdForPaymentEvent,
  type PaymentEventOutcome,
  type PaymentEventWorkflow,
  type VerifiedPaymentEvent,
} from '@voice/shared';

import { boundedCall, CallTimedOut, isUnreachable } from '../common/bounded-temporal-call';
import { serviceUnavailable } from '../common/domain-error';
import { token } from '../common/tokens';

/**
 * Hands verified provider events to the fulfilment workflow. Once `record` resolves the event is durable in
 * Temporal: a crash of this process, the worker or the database after that point delays the grant, never loses
 * or doubles it (the webhook answers 2xx only then, so the provider redelivers anything earlier).
 */
export interface PaymentEventsClient {
  /** Starts the event's workflow (or finds the one already started for the same fact). */
  record(event: VerifiedPaymentEvent): Promise<void>;
  /** `record`, then waits up to `waitMs` for the outcome; undefined if it is still running then. */
  apply(event: VerifiedPaymentEvent, waitMs: number): Promise<PaymentEventOutcome | undefined>;
}

export const PAYMENT_EVENTS = token<PaymentEventsClient>('PAYMENT_EVENTS');

const START_DEADLINE_MS = 5_000;

export class TemporalPaymentEventsClient implements PaymentEventsClient {
  private readonly logger = new Logger('PaymentEvents');

  constructor(
    private readonly client: Client,
    private readonly env: Env,
  ) {}

  async record(event: VerifiedPaymentEvent): Promise<void> {
    await this.start(event);
  }

  async apply(event: VerifiedPaymentEvent, waitMs: number): Promise<PaymentEventOutcome | undefined> {
    const workflowId = await this.start(event);
    try {
      return await boundedCall(this.client, waitMs, () =>
        this.client.workflow.getHandle<PaymentEventWorkflow>(workflowId).result(),
      );
    } catch (error) {
      if (error instanceof CallTimedOut) return undefined;
      throw error;
    }
  }

  private async start(event: VerifiedPaymentEvent): Promise<string> {
    const workflowId = workflowIdForPaymentEvent(event);
    try {
      await boundedCall(this.client, START_DEADLINE_MS, () =>
        this.client.workflow.start<PaymentEventWorkflow>(PAYMENT_EVENT_WORKFLOW_TYPE, {
          taskQueue: this.env.TASK_QUEUE_CPU,
          workflowId,
          args: [event],
          // A fact is applied by one run: a concurrent or later start of the same id joins it instead. A run
          // that failed (it should not: its activity retries forever) may be started again.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return workflowId;
      if (error instanceof CallTimedOut || isUnreachable(error)) {
        this.logger.warn(`Temporal unavailable, payment event ${workflowId} not recorded: ${String(error)}`);
        throw serviceUnavailable('The payment service is unavailable; the payment will be applied on retry');
      }
      throw error;
    }
    return workflowId;
  }
}

/** Stands in when the process was started without Temporal: payments cannot be fulfilled, so they answer 503. */
export class UnavailablePaymentEventsClient implements PaymentEventsClient {
  record(): Promise<void> {
    return Promise.reject(serviceUnavailable('Temporal is not configured on this server'));
  }

  apply(): Promise<undefined> {
    return this.record().then(() => undefined);
  }
}
