import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { BookkeepingActivities, MediaActivities, WebhookActivities } from '@voice/activities';
import type { GpuActivities } from '@voice/gpu-activities';
import {
  JobIdSearchAttribute,
  JobStatusSearchAttribute,
  JobTypeSearchAttribute,
  UserIdSearchAttribute,
  type JobResult,
  type JobSource,
  type PipelineStep,
  type PipelineWorkflow,
  type SubscriptionTier,
  type TranscriptArtifacts,
  type WebhookEventInput,
} from '@voice/shared';

/**
 * The pipeline workflow on a real Temporal server (the test environment's dev server, started from the CLI
 * that `npm test` installed), with in-memory activities on the three task queues. Runs in seconds.
 */
const cli = process.env['TEST_TEMPORAL_CLI'];
const QUEUES = { cpu: 'wf-test-cpu', media: 'wf-test-media', gpu: 'wf-test-gpu' };
const INPUT_MS = 10_000;

/** Every activity call, in order, with its input. */
let calls: Array<{ name: string; input: unknown }> = [];
/** Per-test behaviour of the GPU activities. */
let gpuBehaviour: { denoise?: 'fail' | 'block' | 'crash' | 'measures' } = {};
let completedResult: JobResult | undefined;
/** Runs inside the named bookkeeping activity, before it returns (the cancel race below). */
let duringActivity:
  { name: 'settleCredits' | 'markJobCompleted'; run: (workflowId: string) => Promise<void> } | undefined;

async function runHook(name: 'settleCredits' | 'markJobCompleted'): Promise<void> {
  const hook = duringActivity;
  const workflowId = Context.current().info.workflowExecution?.workflowId;
  if (hook?.name === name && workflowId) await hook.run(workflowId);
}

const record = (name: string, input: unknown) => calls.push({ name, input });
const called = (name: string) => calls.filter((call) => call.name === name);

const transcript = (stepIndex: number): TranscriptArtifacts => ({
  transcriptKey: `t-${stepIndex}.json`,
  srtKey: `t-${stepIndex}.srt`,
  vttKey: `t-${stepIndex}.vtt`,
  modelId: 'fake-stt',
  language: 'en',
  wordCount: 7,
  preview: 'seven words',
});

/** Activities with their real inputs and loosely typed results: fakes return only what the workflow reads. */
type Fake<Activities> = {
  [K in keyof Activities]: Activities[K] extends (...args: infer Args) => unknown
    ? (...args: Args) => Promise<unknown>
    : never;
};

const bookkeeping: Fake<BookkeepingActivities> = {
  noop: async () => undefined,
  markJobRunning: async (input) => void record('markJobRunning', input),
  updateJobProgress: async (input) => void record('updateJobProgress', input),
  recordJobInput: async (input) => void record('recordJobInput', input),
  reserveCredits: async (input) => {
    record('reserveCredits', input);
    return { held: Math.ceil(input.durationMs / 1000), replayed: false };
  },
  settleCredits: async (input) => {
    record('settleCredits', input);
    await runHook('settleCredits');
    return { held: Math.ceil(input.outputDurationMs / 1000), shortfall: 0, replayed: false };
  },
  releaseCredits: async (input) => void record('releaseCredits', input),
  markJobCompleted: async (input) => {
    record('markJobCompleted', input);
    completedResult = input.result;
    await runHook('markJobCompleted');
  },
  markJobFailed: async (input) => void record('markJobFailed', input),
  markJobCancelled: async (input) => void record('markJobCancelled', input),
};

/** Webhook events the workflow announced (kept apart from `calls`, whose exact order other tests assert). */
let announced: WebhookEventInput[] = [];
const webhooks: Pick<Fake<WebhookActivities>, 'prepareWebhookEvent'> = {
  prepareWebhookEvent: async (event) => {
    announced.push(event);
    return { deliveryIds: [], retry: { initialSeconds: 1, maxIntervalSeconds: 1, windowSeconds: 60 } };
  },
};

const media = {
  preprocessAudio: async (input: { jobId: string; inputKey: string }) => {
    record('preprocessAudio', input);
    return {
      workKey: 'work.wav',
      durationMs: INPUT_MS,
      sampleRate: 48_000,
      container: 'wav',
      originalSampleRate: 16_000,
      channels: 1,
      integratedLufs: -30,
      peakDbfs: -6,
      truePeakDbtp: -5.5,
    };
  },
  normalizeLoudness: async (input: { stepIndex: number; targetLufs: number }) => {
    record('normalizeLoudness', input);
    return { outputKey: `normalized-${input.stepIndex}.wav`, gainDb: 3, limitedDb: 0 };
  },
  checkQuality: async (input: { candidateKey: string; expectedDurationMs?: number; targetLufs: number | null }) => {
    record('checkQuality', input);
    return {
      outputKey: 'output.wav',
      durationMs: input.expectedDurationMs ?? 4_000,
      integratedLufs: input.targetLufs ?? -20,
      truePeakDbtp: -1.2,
      peakDbfs: -1.5,
      targetLufs: input.targetLufs,
    };
  },
  applyEdits: async (input: { stepIndex: number }) => {
    record('applyEdits', input);
    return { outputKey: `edited-${input.stepIndex}.wav`, durationMs: 8_000, applied: [] };
  },
} as unknown as MediaActivities;

const gpu = {
  runDenoise: async (input: { stepIndex: number }) => {
    record('runDenoise', input);
    if (gpuBehaviour.denoise === 'crash') {
      // What an unclassified tool failure looks like: raw stderr with addresses and paths.
      throw ApplicationFailure.nonRetryable(
        'ffmpeg failed to decode audio (exit 1): [pcm_s16le @ 0x55d0c2a4f8c0] Invalid data at /var/lib/voice/work/x.wav',
        'FfmpegError',
      );
    }
    if (gpuBehaviour.denoise === 'fail') {
      throw ApplicationFailure.nonRetryable('the model refused this audio', 'InvalidAudio');
    }
    if (gpuBehaviour.denoise === 'block') {
      // Heartbeat until the cancel arrives, as a real inference loop does.
      const context = Context.current();
      for (;;) {
        context.heartbeat({ fraction: 0.5, processedSeconds: 5, totalSeconds: 10 });
        if (context.cancellationSignal.aborted) throw new CancelledFailure('cancelled');
        await context.sleep(100).catch(() => undefined);
      }
    }
    // A measurement per step, so a test can tell whose reached normalize.
    const measured = { integratedLufs: -30 - input.stepIndex, truePeakDbtp: -9.25 };
    const loudness = gpuBehaviour.denoise === 'measures' ? { loudness: measured } : {};
    return {
      outputKey: `denoised-${input.stepIndex}.wav`,
      modelId: 'fake-denoiser',
      strength: 1,
      realTimeFactor: 0.1,
      ...loudness,
    };
  },
  runStt: async (input: { stepIndex: number }) => {
    record('runStt', input);
    return transcript(input.stepIndex);
  },
} as unknown as GpuActivities;

describe('pipelineWorkflow', { skip: cli ? false : 'TEST_TEMPORAL_CLI is not set (run through npm test)' }, () => {
  let env: TestWorkflowEnvironment;
  let workers: Worker[];
  let running: Promise<void>[];
  let bundle: WorkflowBundleWithSourceMap;
  let sequence = 0;

  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli ?? '' },
        searchAttributes: [
          JobIdSearchAttribute,
          UserIdSearchAttribute,
          JobTypeSearchAttribute,
          JobStatusSearchAttribute,
        ],
      },
    });
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../src'),
      logger: {
        log: () => undefined,
        trace: () => undefined,
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: console.error,
      },
    });
    const connection = env.nativeConnection;
    workers = await Promise.all([
      Worker.create({
        connection,
        taskQueue: QUEUES.cpu,
        workflowBundle: bundle,
        activities: { ...bookkeeping, ...webhooks },
      }),
      Worker.create({ connection, taskQueue: QUEUES.media, activities: media }),
      Worker.create({ connection, taskQueue: QUEUES.gpu, activities: gpu, maxHeartbeatThrottleInterval: '100ms' }),
    ]);
    running = workers.map((worker) => worker.run());
  });

  after(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await Promise.all(running ?? []);
    await env?.teardown();
  });

  beforeEach(() => {
    calls = [];
    announced = [];
    gpuBehaviour = {};
    completedResult = undefined;
    duringActivity = undefined;
  });

  const start = (
    steps: PipelineStep[],
    source: JobSource = { kind: 'audio', inputKey: 'uploads/in.wav' },
    tier?: SubscriptionTier,
  ) => {
    sequence += 1;
    const jobId = `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
    return env.client.workflow.start<PipelineWorkflow>('pipelineWorkflow', {
      taskQueue: QUEUES.cpu,
      workflowId: `job-${jobId}`,
      args: [
        {
          jobId,
          userId: 'user-1',
          jobType: steps.map((step) => step.op).join('+'),
          source,
          steps,
          gpuTaskQueue: QUEUES.gpu,
          mediaTaskQueue: QUEUES.media,
          estimatedOutputMs: 3_000,
          ...(tier ? { tier } : {}),
        },
      ],
    });
  };

  test('a chain that does not end with normalize gets one appended at the default −16 LUFS', async () => {
    const handle = await start([{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }]);
    const result = await handle.result();

    assert.deepEqual(
      called('normalizeLoudness').map((call) => call.input),
      [{ jobId: handle.workflowId.slice(4), stepIndex: 2, inputKey: 'denoised-1.wav', targetLufs: -16 }],
    );
    assert.equal((called('checkQuality')[0]?.input as { candidateKey: string }).candidateKey, 'normalized-2.wav');
    assert.deepEqual(
      completedResult?.models.map((entry) => entry.op),
      ['denoise', 'normalize'],
    );
    assert.equal(result.outputKey, 'output.wav');
    assert.equal(called('releaseCredits').length, 0);
  });

  test('normalize reuses the loudness denoise measured on the file it wrote, and only on that file', async () => {
    gpuBehaviour.denoise = 'measures';
    const handle = await start([
      { op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' },
      { op: 'normalize', target_lufs: -14 },
      { op: 'denoise', noise_level: 'light', model: 'fake-denoiser' },
      { op: 'normalize' },
      { op: 'denoise', noise_level: 'light', model: 'fake-denoiser' },
      { op: 'edit', operations: [{ type: 'trim_silence' }] },
    ]);
    await handle.result();
    const inputs = called('normalizeLoudness').map((call) => call.input as { inputKey: string; measured?: unknown });
    assert.deepEqual(
      inputs.map((input) => [input.inputKey, input.measured]),
      [
        ['denoised-1.wav', { integratedLufs: -31, truePeakDbtp: -9.25 }],
        ['denoised-3.wav', { integratedLufs: -33, truePeakDbtp: -9.25 }],
        // The edit wrote new audio after the last denoise: the appended normalize measures it itself.
        ['edited-6.wav', undefined],
      ],
    );
  });

  test('an explicit final normalize is the only one, at its own target', async () => {
    const handle = await start([
      { op: 'denoise', noise_level: 'light', model: 'fake-denoiser' },
      { op: 'normalize', target_lufs: -14 },
    ]);
    await handle.result();
    const normalizes = called('normalizeLoudness').map((call) => (call.input as { targetLufs: number }).targetLufs);
    assert.deepEqual(normalizes, [-14]);
    assert.equal((called('checkQuality')[0]?.input as { targetLufs: number }).targetLufs, -14);
  });

  test('a transcript-only job delivers the transcript, billed by the input length, with no audio stages', async () => {
    const handle = await start([{ op: 'stt', language: 'en' }]);
    const result = await handle.result();
    assert.equal(called('normalizeLoudness').length, 0);
    assert.equal(called('checkQuality').length, 0);
    assert.equal(result.outputKey, 't-1.json');
    assert.deepEqual(
      called('settleCredits').map((call) => call.input),
      [{ jobId: handle.workflowId.slice(4), outputDurationMs: INPUT_MS }],
    );
    assert.deepEqual(completedResult?.output, { words: 7 });
    assert.equal(completedResult?.transcript?.transcriptKey, 't-1.json');
    assert.deepEqual(
      announced.map((event) => event.type),
      ['job.completed'],
      'announced after the row is marked completed',
    );
  });

  test('a step that needs audio when nothing produced any fails the job and releases the hold', async () => {
    const handle = await start([{ op: 'denoise', noise_level: 'moderate' }], { kind: 'none' });
    await assert.rejects(handle.result(), WorkflowFailedError);
    assert.equal(called('runDenoise').length, 0);
    assert.equal(called('releaseCredits').length, 1);
    assert.match(
      (called('markJobFailed')[0]?.input as { error: string }).error,
      /The denoise step needs audio, but nothing before it produced any/,
    );
    assert.equal(called('settleCredits').length, 0);
  });

  test('a failing step releases the hold and records the failure message, never settling', async () => {
    gpuBehaviour.denoise = 'fail';
    const handle = await start([{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }]);
    await assert.rejects(handle.result(), WorkflowFailedError);
    const names = calls.filter((call) => call.name !== 'updateJobProgress').map((call) => call.name);
    // The bookkeeping before inference runs concurrently; from the failing step on, the order is fixed.
    assert.deepEqual([...names.slice(0, 4)].sort(), [
      'markJobRunning',
      'preprocessAudio',
      'recordJobInput',
      'reserveCredits',
    ]);
    assert.deepEqual(names.slice(4), ['runDenoise', 'releaseCredits', 'markJobFailed']);
    assert.equal((called('markJobFailed')[0]?.input as { error: string }).error, 'the model refused this audio');
    assert.deepEqual(
      announced.map((event) => event.type),
      ['job.failed'],
    );
  });

  test('a cancel during inference waits for the model to stop, then releases the hold and marks it cancelled', async () => {
    gpuBehaviour.denoise = 'block';
    const handle = await start([{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }]);
    while (called('runDenoise').length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await handle.cancel();
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof CancelledFailure, String(failure));
    assert.equal(called('releaseCredits').length, 1);
    assert.equal(called('markJobCancelled').length, 1);
    assert.equal(called('markJobFailed').length, 0);
    assert.equal(called('settleCredits').length, 0);
    assert.deepEqual(
      announced.map((event) => [event.type, event.subject]),
      [['job.cancelled', handle.workflowId.replace(/^job-/, '')]],
      'the cancel is announced once, for this job',
    );
  });

  test('a cancel that arrives after completion changes nothing: no release, no cancelled mark', async () => {
    const handle = await start([{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }]);
    await handle.result();
    // The server may answer a cancel of a closed run with an error or silently; either way nothing may move.
    await handle.cancel().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(called('settleCredits').length, 1);
    assert.equal(called('releaseCredits').length, 0);
    assert.equal(called('markJobCancelled').length, 0);
    const { status } = await handle.describe();
    assert.equal(status.name, 'COMPLETED');
  });

  test('a cancel racing completion (50 trials): once settling starts the job completes, its hold is never released', async () => {
    for (let trial = 0; trial < 50; trial++) {
      calls = [];
      // The cancel lands while settle or the completion mark is in flight, and the activity returns a moment later.
      duringActivity = {
        name: trial % 2 === 0 ? 'markJobCompleted' : 'settleCredits',
        run: async (workflowId) => {
          await env.client.workflow.getHandle(workflowId).cancel();
          await new Promise((resolve) => setTimeout(resolve, trial % 7));
        },
      };
      const handle = await start([{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }]);
      await handle.result();
      const { status } = await handle.describe();
      const context = `trial ${trial} (${duringActivity.name})`;
      assert.equal(status.name, 'COMPLETED', context);
      assert.equal(called('markJobCompleted').length, 1, context);
      assert.equal(called('releaseCredits').length, 0, context);
      assert.equal(called('markJobCancelled').length, 0, context);
    }
  });

  test('an internal failure reaches the user as a plain sentence; the raw tool output stays out of the job row', async () => {
    gpuBehaviour.denoise = 'crash';
    const handle = await start([{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }]);
    await assert.rejects(handle.result(), WorkflowFailedError);
    const [failed] = called('markJobFailed') as Array<{ input: { error: string } }>;
    const message = failed?.input.error ?? '';
    assert.match(message, /failed during denoise because of an internal error/);
    assert.match(message, new RegExp(handle.workflowId.replace(/^job-/, '')));
    assert.doesNotMatch(message, /0x[0-9a-f]+|ffmpeg|\/var\//);
    assert.equal(called('releaseCredits').length, 1);
  });

  test('GPU activities carry the tier’s task priority: premium key 1, free and tier-less runs key 3', async () => {
    const steps: PipelineStep[] = [{ op: 'denoise', noise_level: 'moderate', model: 'fake-denoiser' }];
    const keys: Record<string, { gpu: number[]; other: number[] }> = {};
    for (const tier of ['premium', 'free', undefined] as const) {
      const handle = await start(steps, undefined, tier);
      await handle.result();
      const { events } = await handle.fetchHistory();
      const scheduled = (events ?? []).flatMap((event) => {
        const attributes = event.activityTaskScheduledEventAttributes;
        return attributes ? [attributes] : [];
      });
      const keyOf = (attributes: (typeof scheduled)[number]) => attributes.priority?.priorityKey ?? 0;
      keys[tier ?? 'none'] = {
        gpu: scheduled.filter((attributes) => attributes.taskQueue?.name === QUEUES.gpu).map(keyOf),
        other: scheduled.filter((attributes) => attributes.taskQueue?.name !== QUEUES.gpu).map(keyOf),
      };
    }
    assert.deepEqual(keys['premium']?.gpu, [1]);
    assert.deepEqual(keys['free']?.gpu, [3]);
    assert.deepEqual(keys['none']?.gpu, [3], 'a run started before tiers existed is free');
    // Only the GPU queue is prioritised: bookkeeping and media activities keep the default (no key).
    assert.ok(keys['premium']?.other.every((key) => key === 0));
  });

  test('the workflow bundle loads no zod and no step schemas: each workflow evaluates it afresh', () => {
    // A job start pays for every module in the bundle (tens of milliseconds for zod's schema builders).
    assert.doesNotMatch(bundle.code, /node_modules\/zod\//);
    assert.doesNotMatch(bundle.code, /\.step\.(ts|js)/);
    const code = bundle.code.slice(0, bundle.code.lastIndexOf('//# sourceMappingURL='));
    assert.ok(code.length < 800_000, `the bundle's code is ${code.length} characters`);
  });

  test('a history recorded before GPU priority existed replays with the current workflow code', async () => {
    // Recorded from this workflow before `priority` was added to the GPU activities (a denoise job, fake activities),
    // as encoded protobuf: the SDK's JSON history loader trips over the two protobufjs copies in this install.
    const fixture = path.join(__dirname, '../../test/fixtures/pipeline-denoise-before-priority.history.pb');
    const history = temporal.api.history.v1.History.decode(readFileSync(fixture));
    const scheduled = history.events.filter((event) => event.activityTaskScheduledEventAttributes);
    assert.ok(
      scheduled.some((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runDenoise'),
    );
    assert.ok(
      scheduled.every((event) => !event.activityTaskScheduledEventAttributes?.priority),
      'recorded without',
    );
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'before-priority' }, history);
  });
});
