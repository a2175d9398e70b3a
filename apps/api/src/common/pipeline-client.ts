import { Logger } from '@nestjs/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Env } from '@voice/config';
import {
  JobIdSearchAttribute,
  JobStatusSearchAttribute,
  JobTypeSearchAttribute,
  PIPELINE_WORKFLOW_TYPE,
  REQUEST_ID_MEMO,
  UserIdSearchAttribute,
  overallProgress,
  pipelineProgressQuery,
  workflowIdForJob,
  type InferenceHeartbeat,
  type PipelineInput,
  type PipelineProgress,
  type PipelineWorkflow,
} from '@voice/shared';
import { boundedCall, CallTimedOut, isUnreachable } from './bounded-temporal-call';
import { currentRequestId } from './logging/request-context';
import { serviceUnavailable } from './domain-error';
import { token } from './tokens';

/** What a job needs to start; the client adds the task queues, which are deployment settings. */
export type PipelineStart = Omit<PipelineInput, 'gpuTaskQueue' | 'mediaTaskQueue'>;

/** Starts, cancels and reads running pipelines. The API's only door to Temporal; tests inject a fake. */
export interface PipelineClient {
  /** Starts the job's workflow; a second start of the same job (a concurrent retry) is not an error. */
  start(input: PipelineStart): Promise<void>;
  cancel(jobId: string): Promise<void>;
  /** Per-step state with the running step's last heartbeat, or undefined when the workflow cannot answer. */
  progress(jobId: string): Promise<PipelineProgress | undefined>;
}

export const PIPELINE_CLIENT = token<PipelineClient>('PIPELINE_CLIENT');

/**
 * How long each call may wait for Temporal (aborted after that). The client retries an unreachable server for
 * about 20 s by itself; a request must not. A start or cancel normally answers in milliseconds, so these leave
 * room for a loaded server while a dead one is reported at once; a read falls back to the job row after a second.
 */
export const PIPELINE_DEADLINES_MS = { start: 3_000, cancel: 3_000, progress: 1_000 } as const;

export class TemporalPipelineClient implements PipelineClient {
  private readonly logger = new Logger('PipelineClient');

  constructor(
    private readonly client: Client,
    private readonly env: Env,
  ) {}

  async start(input: PipelineStart): Promise<void> {
    // The workflow's and its activities' log lines carry the id of the request that started it.
    const requestId = currentRequestId();
    try {
      await this.within(PIPELINE_DEADLINES_MS.start, 'start the job', () =>
        this.client.workflow.start<PipelineWorkflow>(PIPELINE_WORKFLOW_TYPE, {
          taskQueue: this.env.TASK_QUEUE_CPU,
          workflowId: workflowIdForJob(input.jobId),
          args: [{ ...input, gpuTaskQueue: this.env.TASK_QUEUE_GPU, mediaTaskQueue: this.env.TASK_QUEUE_MEDIA }],
          typedSearchAttributes: [
            { key: JobIdSearchAttribute, value: input.jobId },
            { key: UserIdSearchAttribute, value: input.userId },
            { key: JobTypeSearchAttribute, value: input.jobType },
            { key: JobStatusSearchAttribute, value: 'pending' },
          ],
          ...(requestId ? { memo: { [REQUEST_ID_MEMO]: requestId } } : {}),
        }),
      );
    } catch (error) {
      // A concurrent retry with the same Idempotency-Key started it first: that run is this request's job.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      throw error;
    }
  }

  async cancel(jobId: string): Promise<void> {
    await this.within(PIPELINE_DEADLINES_MS.cancel, 'cancel the job', () =>
      this.client.workflow.getHandle(workflowIdForJob(jobId)).cancel(),
    );
  }

  async progress(jobId: string): Promise<PipelineProgress | undefined> {
    try {
      const handle = this.client.workflow.getHandle(workflowIdForJob(jobId));
      const [state, description] = await boundedCall(this.client, PIPELINE_DEADLINES_MS.progress, () =>
        Promise.all([handle.query(pipelineProgressQuery), handle.describe()]),
      );
      const running = state.steps.find((step) => step.state === 'running');
      const heartbeat = latestHeartbeat(description.raw.pendingActivities ?? []);
      if (running && heartbeat) running.progress = Math.round(Math.min(1, Math.max(0, heartbeat.fraction)) * 100);
      return { ...state, progress: overallProgress(state.steps) };
    } catch (error) {
      // The row is still a valid answer; a query can fail while the workflow has no worker.
      this.logger.debug(`live progress unavailable for ${jobId}: ${String(error)}`);
      return undefined;
    }
  }

  /** Runs one Temporal call under a deadline; an unreachable or silent server becomes a clear 503. */
  private async within<T>(deadlineMs: number, what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await boundedCall(this.client, deadlineMs, call);
    } catch (error) {
      if (!(error instanceof CallTimedOut) && !isUnreachable(error)) throw error;
      this.logger.warn(`Temporal unavailable, could not ${what}: ${String(error)}`);
      throw serviceUnavailable(`The job service is unavailable, so the server could not ${what}; retry shortly`);
    }
  }
}

/** Stands in when the process was started without Temporal (auth-only setups): job routes answer 503. */
export class UnavailablePipelineClient implements PipelineClient {
  start(): Promise<void> {
    return Promise.reject(serviceUnavailable('Temporal is not configured on this server'));
  }

  cancel(): Promise<void> {
    return Promise.reject(serviceUnavailable('Temporal is not configured on this server'));
  }

  progress(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

interface PendingActivityLike {
  heartbeatDetails?: { payloads?: unknown[] | null } | null;
}

function latestHeartbeat(pending: readonly PendingActivityLike[]): InferenceHeartbeat | undefined {
  for (const activity of pending) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    const detail = defaultPayloadConverter.fromPayload<unknown>(
      payload as Parameters<typeof defaultPayloadConverter.fromPayload>[0],
    );
    if (isHeartbeat(detail)) return detail;
  }
  return undefined;
}

function isHeartbeat(value: unknown): value is InferenceHeartbeat {
  return typeof value === 'object' && value !== null && typeof (value as { fraction?: unknown }).fraction === 'number';
}
