import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BookkeepingActivities, MediaActivities, PreprocessResult } from '@voice/activities';
import type { GpuActivities, TranscriptArtifacts } from '@voice/gpu-activities';
import {
  DEFAULT_TARGET_LUFS,
  FailureTypes,
  JobStatusSearchAttribute,
  overallProgress,
  type JobStatus,
  type PipelineInput,
  type PipelineProgress,
  type PipelineResult,
  type PipelineStep,
  type StepProgress,
} from '@voice/shared';
import { pipelineProgressQuery } from './queries';

// Bookkeeping activities are quick; retries with backoff cover a database or storage blip.
const cpu = proxyActivities<BookkeepingActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** Relative cost of each kind of stage, so progress moves roughly with wall time. */
const STAGE_WEIGHTS: Record<PipelineStep['op'] | 'preprocess' | 'quality' | 'settle', number> = {
  preprocess: 0.1,
  denoise: 1,
  normalize: 0.15,
  stt: 1,
  tts: 1,
  edit: 0.3,
  generate_music: 1,
  generate_sfx: 0.5,
  mood_music: 1,
  voice_clone: 0.6,
  dub: 2,
  accent_change: 1.5,
  quality: 0.05,
  settle: 0.02,
};

/**
 * The durable voice-job pipeline: preprocess → select models → inference on the GPU queue → quality check →
 * credit settlement. Audio moves only as storage keys. A failure or cancel releases the credit hold.
 */
export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  const { jobId, userId } = input;
  // Inference only runs where a GPU worker polls; a dead worker is detected by missed heartbeats and the
  // step is retried elsewhere, so the heartbeat timeout bounds how long a crash stalls a job.
  // On cancel, wait until the model has actually stopped (its next heartbeat) before releasing the hold,
  // so a cancelled job never has inference still burning a GPU behind it.
  const gpu = proxyActivities<GpuActivities>({
    taskQueue: input.gpuTaskQueue,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 6 },
  });

  // Decoding and loudness work scale with input length (100 MB of MP3 is well over an hour of audio). They run
  // on the media queue, whose workers have no database and live apart from the API's event loop.
  const cpuHeavy = proxyActivities<MediaActivities>({
    taskQueue: input.mediaTaskQueue,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  });

  const plan = withFinalNormalize(input.steps);
  const state: PipelineProgress = {
    status: 'running',
    progress: 0,
    steps: buildStepProgress(plan),
  };
  setHandler(pipelineProgressQuery, () => ({ ...state, progress: overallProgress(state.steps) }));

  const stepState = (index: number): StepProgress => {
    const step = state.steps[index];
    if (!step) throw ApplicationFailure.nonRetryable(`no progress slot ${index}`, 'InternalError');
    return step;
  };
  const runStage = async <T>(index: number, body: () => Promise<T>): Promise<T> => {
    const step = stepState(index);
    step.state = 'running';
    step.startedAt = new Date().toISOString();
    const result = await body();
    step.state = 'completed';
    step.progress = 100;
    step.completedAt = new Date().toISOString();
    return result;
  };
  const setStatus = (status: JobStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: JobStatusSearchAttribute, value: status }]);
  };

  setStatus('running');
  try {
    await cpu.markJobRunning({ jobId, workflowRunId: workflowInfo().runId });

    const { source } = input;
    let currentKey: string | undefined;
    let expectedDurationMs: number | undefined;
    let preprocessed: PreprocessResult | undefined;
    if (source.kind === 'audio') {
      preprocessed = await runStage(0, () => cpuHeavy.preprocessAudio({ jobId, inputKey: source.inputKey }));
      currentKey = preprocessed.workKey;
      expectedDurationMs = preprocessed.durationMs;
      await cpu.recordJobInput({
        jobId,
        inputDurationMs: preprocessed.durationMs,
        inputFormat: preprocessed.container,
      });
    } else {
      stepState(0).state = 'skipped';
    }
    // Reserve before any inference: an insufficient balance fails fast without spending compute.
    await cpu.reserveCredits({ jobId, userId, durationMs: preprocessed?.durationMs ?? input.estimatedOutputMs ?? 0 });

    let transcript: TranscriptArtifacts | undefined;
    const edits: Array<{ type: string; detail: string }> = [];
    const revoiced: Array<Record<string, unknown>> = [];
    const conversions: Array<{ method: string; applied: Record<string, unknown>; target: string }> = [];
    let spokenText: { text: string; language?: string } | undefined;
    // null: the output is peak-normalised on purpose (an impulsive effect that integrated loudness cannot rate).
    let finalTargetLufs: number | null = DEFAULT_TARGET_LUFS;
    const requireAudio = (op: string): string => {
      if (currentKey === undefined) {
        throw ApplicationFailure.nonRetryable(
          `The ${op} step needs audio, but nothing before it produced any`,
          FailureTypes.InvalidRequest,
        );
      }
      return currentKey;
    };
    for (const [offset, step] of plan.entries()) {
      const index = offset + 1;
      const model = methodOf(step);
      stepState(index).model = model;
      currentKey = await runStage(index, async () => {
        switch (step.op) {
          case 'denoise': {
            const result = await gpu.runDenoise({
              jobId,
              stepIndex: index,
              inputKey: requireAudio(step.op),
              modelId: model ?? '',
              noiseLevel: step.noise_level ?? 'moderate',
            });
            return result.outputKey;
          }
          case 'normalize': {
            const inputKey = requireAudio(step.op);
            if (step.target_lufs !== undefined) finalTargetLufs = step.target_lufs;
            if (finalTargetLufs === null) return inputKey;
            const result = await cpuHeavy.normalizeLoudness({
              jobId,
              stepIndex: index,
              inputKey,
              targetLufs: finalTargetLufs,
            });
            return result.outputKey;
          }
          case 'generate_music':
          case 'generate_sfx':
          case 'mood_music': {
            const result = await gpu.runGenerator({ jobId, stepIndex: index, step });
            finalTargetLufs = result.targetLufs;
            expectedDurationMs = result.durationMs;
            return result.outputKey;
          }
          case 'tts': {
            if (source.kind !== 'text') {
              throw ApplicationFailure.nonRetryable('The tts step needs text to speak', FailureTypes.InvalidRequest);
            }
            const result = await gpu.runTts({ jobId, stepIndex: index, text: source.text, step });
            stepState(index).model = result.modelId;
            spokenText = { text: source.text, language: step.language };
            return result.outputKey;
          }
          case 'stt': {
            const inputKey = requireAudio(step.op);
            transcript = await gpu.runStt({ jobId, stepIndex: index, inputKey, step });
            stepState(index).model = transcript.modelId;
            return inputKey;
          }
          case 'voice_clone': {
            const result = await gpu.runVoiceConversion({
              jobId,
              stepIndex: index,
              inputKey: requireAudio(step.op),
              step,
            });
            stepState(index).model = result.modelId;
            conversions.push({
              method: result.method,
              applied: result.applied,
              target: step.target?.name ?? step.target_voice_id,
            });
            return result.outputKey;
          }
          case 'dub':
          case 'accent_change': {
            const inputKey = requireAudio(step.op);
            // Both re-voice what was said: transcribe this step's input first, in the source language.
            const heard = await gpu.runStt({
              jobId,
              stepIndex: index,
              inputKey,
              step: {
                op: 'stt',
                ...(step.op === 'dub' && step.source_language ? { language: step.source_language } : {}),
              },
            });
            const result =
              step.op === 'dub'
                ? await gpu.runDub({ jobId, stepIndex: index, inputKey, transcriptKey: heard.transcriptKey, step })
                : await gpu.runAccentChange({
                    jobId,
                    stepIndex: index,
                    inputKey,
                    transcriptKey: heard.transcriptKey,
                    step,
                  });
            stepState(index).model = result.methods.speech;
            revoiced.push({ op: step.op, source: heard, ...result });
            // A dub says other words: the synthesised text no longer describes the output.
            if (step.op === 'dub') spokenText = undefined;
            return result.outputKey;
          }
          case 'edit': {
            const inputKey = requireAudio(step.op);
            // Muting a word needs to know where it is said in this step's input, so transcribe that audio.
            const timings = step.operations.some((operation) => operation.type === 'mute_word')
              ? await gpu.runStt({ jobId, stepIndex: index, inputKey, step: { op: 'stt' } })
              : undefined;
            const result = await cpuHeavy.applyEdits({
              jobId,
              stepIndex: index,
              inputKey,
              operations: step.operations,
              ...(timings ? { transcriptKey: timings.transcriptKey } : {}),
            });
            expectedDurationMs = result.durationMs;
            edits.push(...result.applied);
            // Cuts and mutes remove words on purpose, so the output is no longer the synthesised text.
            spokenText = undefined;
            return result.outputKey;
          }
        }
      });
      await cpu.updateJobProgress({ jobId, progress: overallProgress(state.steps) });
    }

    const qualityIndex = plan.length + 1;
    let delivered: {
      outputKey: string;
      durationMs: number;
      integratedLufs: number | null;
      truePeakDbtp: number | null;
    };
    let quality: Record<string, unknown>;
    if (transcriptOnly(plan)) {
      // A transcription job delivers text; it is billed by the length of the audio it covers.
      if (!transcript || !preprocessed)
        throw ApplicationFailure.nonRetryable('No transcript was produced', 'InternalError');
      const artifacts = transcript;
      const durationMs = preprocessed.durationMs;
      quality = await runStage(qualityIndex, async () => ({ words: artifacts.wordCount }));
      delivered = { outputKey: artifacts.transcriptKey, durationMs, integratedLufs: null, truePeakDbtp: null };
    } else {
      const candidateKey = requireAudio('quality');
      const measured = await runStage(qualityIndex, async () => {
        const checked = await cpuHeavy.checkQuality({
          jobId,
          candidateKey,
          expectedDurationMs,
          targetLufs: finalTargetLufs,
        });
        // Speech we synthesised must say the text: transcribe it back and compare.
        const intelligibility = spokenText
          ? await gpu.checkIntelligibility({
              audioKey: checked.outputKey,
              expectedText: spokenText.text,
              language: spokenText.language,
            })
          : undefined;
        return { ...checked, ...(intelligibility ? { intelligibility } : {}) };
      });
      quality = measured;
      delivered = measured;
    }

    const settled = await runStage(qualityIndex + 1, () =>
      cpu.settleCredits({ jobId, outputDurationMs: delivered.durationMs }),
    );
    await cpu.markJobCompleted({
      jobId,
      outputKey: delivered.outputKey,
      outputDurationMs: delivered.durationMs,
      result: {
        models: state.steps.filter((step) => step.model).map((step) => ({ op: step.op, model: step.model })),
        input: preprocessed ?? { source: source.kind },
        output: quality,
        ...(transcript ? { transcript } : {}),
        ...(edits.length > 0 ? { edits } : {}),
        ...(conversions.length > 0 ? { voiceConversion: conversions } : {}),
        ...(revoiced.length > 0 ? { revoiced } : {}),
        steps: state.steps,
      },
    });
    setStatus('completed');
    return {
      outputKey: delivered.outputKey,
      outputDurationMs: delivered.durationMs,
      integratedLufs: delivered.integratedLufs,
      truePeakDbtp: delivered.truePeakDbtp,
      creditsHeld: settled.held,
    };
  } catch (error) {
    const cancelled = isCancellation(error);
    const message = cancelled ? 'Cancelled by request' : describeFailure(error);
    for (const step of state.steps) {
      if (step.state === 'running') step.state = cancelled ? 'cancelled' : 'failed';
    }
    state.error = cancelled ? undefined : message;
    // Compensation must run even though the workflow's own scope is cancelled.
    await CancellationScope.nonCancellable(async () => {
      await cpu.releaseCredits({ jobId });
      if (cancelled) await cpu.markJobCancelled({ jobId });
      else await cpu.markJobFailed({ jobId, error: message });
    });
    setStatus(cancelled ? 'cancelled' : 'failed');
    throw error;
  }
}

/** The model or method a step names before it runs; the API resolved every model id at submit. */
function methodOf(step: PipelineStep): string {
  switch (step.op) {
    case 'denoise':
      return step.model ?? 'auto';
    case 'normalize':
      return 'bs1770-gain+true-peak-limiter';
    case 'generate_music':
    case 'mood_music':
      return 'procedural-soundfont';
    case 'generate_sfx':
      return 'parametric-sfx';
    case 'stt':
    case 'tts':
      return step.model ?? 'auto';
    case 'edit':
      return 'voice-dsp-edit';
    case 'voice_clone':
      return step.model ?? 'dsp-voice-conversion';
    case 'dub':
    case 'accent_change':
      return 'auto';
  }
}

/**
 * Every output is loudness-normalised: unless the chain ends with `normalize`, one is appended that uses the
 * job's current target (the last explicit one, a generator's platform target, or the −16 LUFS default).
 */
function withFinalNormalize(steps: readonly PipelineStep[]): PipelineStep[] {
  if (transcriptOnly(steps) || steps[steps.length - 1]?.op === 'normalize') return [...steps];
  return [...steps, { op: 'normalize' }];
}

/** A job of transcription alone delivers text, so it gets no loudness stage and no audio quality check. */
function transcriptOnly(steps: readonly PipelineStep[]): boolean {
  return steps.length > 0 && steps.every((step) => step.op === 'stt');
}

function buildStepProgress(plan: readonly PipelineStep[]): StepProgress[] {
  const raw: Array<Omit<StepProgress, 'index' | 'weight'> & { cost: number }> = [
    { op: 'preprocess', state: 'pending', progress: 0, cost: STAGE_WEIGHTS.preprocess },
    ...plan.map((step) => ({ op: step.op, state: 'pending' as const, progress: 0, cost: STAGE_WEIGHTS[step.op] })),
    { op: 'quality', state: 'pending', progress: 0, cost: STAGE_WEIGHTS.quality },
    { op: 'settle', state: 'pending', progress: 0, cost: STAGE_WEIGHTS.settle },
  ];
  const totalCost = raw.reduce((sum, step) => sum + step.cost, 0);
  return raw.map(({ cost, ...step }, index) => ({ ...step, index, weight: cost / totalCost }));
}

/** The message users see: the root application failure's text, not the activity wrapper's. */
function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof Error && current.message) return current.message;
  return 'Job failed';
}
