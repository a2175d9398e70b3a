import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BookkeepingActivities, MediaActivities } from '@voice/activities';
import type { GpuActivities } from '@voice/gpu-activities';
import {
  DEFAULT_TARGET_LUFS,
  FailureTypes,
  JobStatusSearchAttribute,
  gpuPriorityKey,
  isTranscriptOnly,
  overallProgress,
  pipelineProgressQuery,
  stepWeight,
  withFinalNormalize,
} from '@voice/shared/workflow';
import type {
  InputReport,
  JobResult,
  JobStatus,
  PipelineInput,
  PipelineProgress,
  PipelineResult,
  PipelineStep,
  PipelineWorkflow,
  QualityReport,
  StepProgress,
} from '@voice/shared';
import { runnerFor, type JobState, type PipelineActivities } from './steps';
import { emitWebhookEvent } from './webhook.workflow';

// Bookkeeping activities are quick; retries with backoff cover a database or storage blip. They do not heartbeat, so
// the timeout is how long a job waits when a CPU worker dies mid-transaction: 30 s, not the minutes inference needs.
const bookkeeping = proxyActivities<BookkeepingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** Relative cost of the stages around the steps, next to the steps' own weights. */
const STAGE_WEIGHTS = { preprocess: 0.1, quality: 0.05, settle: 0.02 } as const;

/**
 * The durable voice-job pipeline: preprocess → the job's steps (inference on the GPU queue) → quality check →
 * credit settlement. Each step runs through its runner (./steps); audio moves only as storage keys. A failure
 * or cancel releases the credit hold.
 */
export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  const { jobId, userId } = input;
  const activities: PipelineActivities = {
    bookkeeping,
    // Decoding and loudness work scale with input length (100 MB of MP3 is well over an hour of audio). They
    // run on the media queue, whose workers have no database and live apart from the API's event loop.
    media: proxyActivities<MediaActivities>({
      taskQueue: input.mediaTaskQueue,
      startToCloseTimeout: '30 minutes',
      heartbeatTimeout: '30 seconds',
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
    }),
    // Inference only runs where a GPU worker polls; a dead worker is detected by missed heartbeats and the
    // step is retried elsewhere, so the heartbeat timeout bounds how long a crash stalls a job.
    // On cancel, wait until the model has actually stopped (its next heartbeat) before releasing the hold,
    // so a cancelled job never has inference still burning a GPU behind it.
    // Premium jobs' inference goes ahead of free ones in the GPU backlog (Temporal task priority; lower key first).
    // The key comes from the input, so replays are deterministic; a run started before tiers existed counts as
    // free, and priority is not part of the command the SDK compares on replay, so old histories replay as before.
    gpu: proxyActivities<GpuActivities>({
      taskQueue: input.gpuTaskQueue,
      priority: { priorityKey: gpuPriorityKey(input.tier) },
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      startToCloseTimeout: '2 hours',
      heartbeatTimeout: '15 seconds',
      retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
    }),
  };
  const { media } = activities;

  const plan = withFinalNormalize(input.steps);
  const progress: PipelineProgress = { status: 'running', progress: 0, steps: buildStepProgress(plan) };
  setHandler(pipelineProgressQuery, () => ({ ...progress, progress: overallProgress(progress.steps) }));

  const slot = (index: number): StepProgress => {
    const step = progress.steps[index];
    if (!step) throw ApplicationFailure.nonRetryable(`no progress slot ${index}`, FailureTypes.Internal);
    return step;
  };
  const runStage = async <T>(index: number, body: () => Promise<T>): Promise<T> => {
    const step = slot(index);
    step.state = 'running';
    step.startedAt = new Date().toISOString();
    const result = await body();
    step.state = 'completed';
    step.progress = 100;
    step.completedAt = new Date().toISOString();
    return result;
  };
  const setStatus = (status: JobStatus) => {
    progress.status = status;
    upsertSearchAttributes([{ key: JobStatusSearchAttribute, value: status }]);
  };

  // Webhooks for the terminal state, once its row is written. Behind a patch: runs started before webhooks existed
  // replay without these activities, and get no events.
  const announce = async (type: 'job.completed' | 'job.failed' | 'job.cancelled') => {
    if (patched('webhooks')) await emitWebhookEvent({ type, subject: jobId, occurredAt: new Date().toISOString() });
  };

  setStatus('running');
  log.info('job started', { jobType: input.jobType });
  try {
    // The row's "running" mark is bookkeeping only: it need not hold up decoding the input.
    const markedRunning = bookkeeping.markJobRunning({ jobId, workflowRunId: workflowInfo().runId });
    // Awaited below; if preprocessing fails first, the failure path closes the row and this mark is moot.
    markedRunning.catch(() => undefined);

    const { source } = input;
    let currentKey: string | undefined;
    let preprocessed: InputReport | undefined;
    const state: JobState = {
      finalTargetLufs: DEFAULT_TARGET_LUFS,
      edits: [],
      voiceConversion: [],
      revoiced: [],
    };
    if (source.kind === 'audio') {
      const report = await runStage(0, () => media.preprocessAudio({ jobId, inputKey: source.inputKey }));
      preprocessed = report;
      currentKey = report.workKey;
      state.expectedDurationMs = report.durationMs;
    } else {
      slot(0).state = 'skipped';
    }
    await markedRunning;
    // Reserve before any inference: an insufficient balance fails fast without spending compute. Recording the
    // measured input is independent of it, so both go out in one workflow task.
    await Promise.all([
      bookkeeping.reserveCredits({
        jobId,
        userId,
        durationMs: preprocessed?.durationMs ?? input.estimatedOutputMs ?? 0,
      }),
      preprocessed
        ? bookkeeping.recordJobInput({
            jobId,
            inputDurationMs: preprocessed.durationMs,
            inputFormat: preprocessed.container,
          })
        : undefined,
    ]);

    for (const [offset, step] of plan.entries()) {
      const index = offset + 1;
      const runner = runnerFor(step);
      slot(index).model = runner.method(step);
      currentKey = await runStage(index, () =>
        runner.run(step, {
          jobId,
          index,
          source,
          activities,
          state,
          audio: () => {
            if (currentKey === undefined) {
              throw ApplicationFailure.nonRetryable(
                `The ${step.op} step needs audio, but nothing before it produced any`,
                FailureTypes.InvalidRequest,
              );
            }
            return currentKey;
          },
          setModel: (model) => (slot(index).model = model),
        }),
      );
      await bookkeeping.updateJobProgress({ jobId, progress: overallProgress(progress.steps) });
    }

    const qualityIndex = plan.length + 1;
    let delivered: {
      outputKey: string;
      durationMs: number;
      integratedLufs: number | null;
      truePeakDbtp: number | null;
    };
    let output: JobResult['output'];
    if (isTranscriptOnly(plan)) {
      // A transcription job delivers text; it is billed by the length of the audio it covers.
      const { transcript } = state;
      if (!transcript || !preprocessed) {
        throw ApplicationFailure.nonRetryable('No transcript was produced', FailureTypes.Internal);
      }
      output = await runStage(qualityIndex, async () => ({ words: transcript.wordCount }));
      delivered = {
        outputKey: transcript.transcriptKey,
        durationMs: preprocessed.durationMs,
        integratedLufs: null,
        truePeakDbtp: null,
      };
    } else {
      const candidateKey = currentKey;
      if (candidateKey === undefined) {
        throw ApplicationFailure.nonRetryable(
          'The quality step needs audio, but nothing before it produced any',
          FailureTypes.InvalidRequest,
        );
      }
      const measured: QualityReport = await runStage(qualityIndex, async () => {
        const checked = await media.checkQuality({
          jobId,
          candidateKey,
          expectedDurationMs: state.expectedDurationMs,
          targetLufs: state.finalTargetLufs,
        });
        // Speech we synthesised must say the text: transcribe it back and compare.
        const intelligibility = state.spokenText
          ? await activities.gpu.checkIntelligibility({
              jobId,
              audioKey: checked.outputKey,
              expectedText: state.spokenText.text,
              language: state.spokenText.language,
            })
          : undefined;
        return { ...checked, ...(intelligibility ? { intelligibility } : {}) };
      });
      output = measured;
      delivered = measured;
    }

    // From here the output has passed its checks: settling and marking the job completed is one commit that a
    // cancel must not split. A cancel arriving now (or later) is a no-op and the job completes; the API answers
    // later cancels with 409 because the row says completed.
    const settled = await CancellationScope.nonCancellable(async () => {
      const settlement = await runStage(qualityIndex + 1, () =>
        bookkeeping.settleCredits({ jobId, outputDurationMs: delivered.durationMs }),
      );
      const result: JobResult = {
        models: progress.steps.flatMap((step) => (step.model ? [{ op: step.op, model: step.model }] : [])),
        input: preprocessed ?? { source: source.kind === 'text' ? 'text' : 'none' },
        output,
        ...(state.transcript ? { transcript: state.transcript } : {}),
        ...(state.edits.length > 0 ? { edits: state.edits } : {}),
        ...(state.voiceConversion.length > 0 ? { voiceConversion: state.voiceConversion } : {}),
        ...(state.revoiced.length > 0 ? { revoiced: state.revoiced } : {}),
        steps: progress.steps,
      };
      await bookkeeping.markJobCompleted({
        jobId,
        outputKey: delivered.outputKey,
        outputDurationMs: delivered.durationMs,
        result,
      });
      await announce('job.completed');
      return settlement;
    });
    setStatus('completed');
    log.info('job completed', { outputDurationMs: delivered.durationMs });
    return {
      outputKey: delivered.outputKey,
      outputDurationMs: delivered.durationMs,
      integratedLufs: delivered.integratedLufs,
      truePeakDbtp: delivered.truePeakDbtp,
      creditsHeld: settled.held,
    };
  } catch (error) {
    const cancelled = isCancellation(error);
    const running = progress.steps.find((step) => step.state === 'running');
    const message = cancelled ? 'Cancelled by request' : describeFailure(error, jobId, running?.op);
    for (const step of progress.steps) {
      if (step.state === 'running') step.state = cancelled ? 'cancelled' : 'failed';
    }
    progress.error = cancelled ? undefined : message;
    // Compensation must run even though the workflow's own scope is cancelled.
    await CancellationScope.nonCancellable(async () => {
      await bookkeeping.releaseCredits({ jobId });
      if (cancelled) await bookkeeping.markJobCancelled({ jobId });
      else await bookkeeping.markJobFailed({ jobId, error: message });
      await announce(cancelled ? 'job.cancelled' : 'job.failed');
    });
    setStatus(cancelled ? 'cancelled' : 'failed');
    if (cancelled) log.info('job cancelled');
    else log.warn('job failed', { error: message });
    throw error;
  }
}
pipelineWorkflow satisfies PipelineWorkflow;

function buildStepProgress(plan: readonly PipelineStep[]): StepProgress[] {
  const raw: Array<Omit<StepProgress, 'index' | 'weight'> & { cost: number }> = [
    { op: 'preprocess', state: 'pending', progress: 0, cost: STAGE_WEIGHTS.preprocess },
    ...plan.map((step) => ({ op: step.op, state: 'pending' as const, progress: 0, cost: stepWeight(step.op) })),
    { op: 'quality', state: 'pending', progress: 0, cost: STAGE_WEIGHTS.quality },
    { op: 'settle', state: 'pending', progress: 0, cost: STAGE_WEIGHTS.settle },
  ];
  const totalCost = raw.reduce((sum, step) => sum + step.cost, 0);
  return raw.map(({ cost, ...step }, index) => ({ ...step, index, weight: cost / totalCost }));
}

const AUTHORED_FAILURE_TYPES: ReadonlySet<string> = new Set(Object.values(FailureTypes));

/**
 * The message users see. Failures our code classified (a FailureTypes member) carry a message written for
 * users; anything else is an internal error whose text may hold tool output (ffmpeg's stderr, addresses, paths):
 * users get a plain sentence, and the raw detail goes to the worker's log with the job id.
 */
function describeFailure(error: unknown, jobId: string, stage: string | undefined): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure && current.type && AUTHORED_FAILURE_TYPES.has(current.type)) {
    return current.message;
  }
  log.error('job failed with an internal error', {
    jobId,
    stage,
    type: current instanceof ApplicationFailure ? current.type : undefined,
    detail: current instanceof Error ? current.message : String(current),
  });
  const where = stage ? ` during ${stage.replace(/_/g, ' ')}` : '';
  return `The job failed${where} because of an internal error; the held credits were released. Please retry, or contact support quoting job ${jobId}.`;
}
