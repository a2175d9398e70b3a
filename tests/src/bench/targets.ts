import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { getModel, resolveModelFile } from '@voice/models';
import { workflowIdForJob } from '@voice/shared';
import { decodeWavPcm16, encodeWavPcm16 } from '@voice/testkit';
import type { ApiClient, JsonBody } from '../api-client';

/** LibriVox clips shipped by the Debian package pocketsphinx-testdata (installed by scripts/setup-models.mjs). */
export const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

export interface Recording {
  wav: Buffer;
  samples: Float32Array;
  sampleRate: number;
  seconds: number;
}

/**
 * A real recording of `seconds` (the STT figure is on 44 s): the LibriVox clips, one after another and
 * round again if needed, cut to length. Real speech with real pauses, so the VAD and Whisper behave as on
 * a user's upload, unlike synthesised speech.
 */
export function librivoxRecording(seconds: number): Recording {
  if (!existsSync(LIBRIVOX_DIR)) {
    throw new Error(
      `${LIBRIVOX_DIR} is missing: run node scripts/setup-models.mjs (apt-get install pocketsphinx-testdata)`,
    );
  }
  const clips = readdirSync(LIBRIVOX_DIR)
    .filter((name) => name.endsWith('.wav'))
    .sort()
    .map((name) => decodeWavPcm16(readFileSync(path.join(LIBRIVOX_DIR, name))));
  const sampleRate = clips[0]?.sampleRate ?? 16_000;
  const length = Math.round(seconds * sampleRate);
  const samples = new Float32Array(length);
  for (let filled = 0, i = 0; filled < length; i++) {
    const clip = clips[i % clips.length]!;
    if (clip.sampleRate !== sampleRate) throw new Error('LibriVox clips differ in sample rate');
    const take = Math.min(clip.samples.length, length - filled);
    samples.set(clip.samples.subarray(0, take), filled);
    filled += take;
  }
  return { wav: encodeWavPcm16(samples, sampleRate), samples, sampleRate, seconds: length / sampleRate };
}

export interface BareWhisperRun {
  /** Interpreter start to the first transcript, model load included. */
  cold: number;
  load: number;
  /** Transcription alone, model loaded, one value per run. */
  warm: number[];
  words: number;
}

/** faster-whisper alone on `file` (tests/src/bench/bare_whisper.py), with the project's venv. */
export async function bareWhisper(options: {
  repoRoot: string;
  python: string;
  modelId: string;
  modelsDir: string;
  file: string;
  threads: number;
  runs: number;
}): Promise<BareWhisperRun> {
  const model = getModel(options.modelId);
  const bin = model?.files.find((file) => file.path.endsWith('model.bin'));
  if (!model || !bin) throw new Error(`${options.modelId} is not a Whisper model in the registry`);
  const modelDir = path.dirname(resolveModelFile(model, bin, { modelsDir: options.modelsDir }));
  const script = path.join(options.repoRoot, 'tests/src/bench/bare_whisper.py');
  const child = spawn(options.python, [script, modelDir, options.file, String(options.threads), String(options.runs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bare faster-whisper failed (${String(code)}): ${err.slice(-500)}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as BareWhisperRun;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Waits for a job the way a client learns of its end: `GET /api/jobs/:id/status?wait=30`, the long-poll that
 * answers as soon as the status changes (the server re-reads the row every 100 ms). A non-terminal answer in
 * under 10 ms means a server without the long-poll: then poll every 100 ms instead of spinning.
 */
export async function waitForCompletion(api: ApiClient, jobId: string, timeoutMs = 600_000): Promise<JsonBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asked = performance.now();
    const response = await api.request('GET', `/api/jobs/${jobId}/status?wait=30`);
    if (response.status !== 200) throw new Error(`status failed: ${response.status} ${response.text}`);
    if (TERMINAL.has(response.json['status'] as string)) return response.json;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not finished after ${timeoutMs} ms`);
    if (performance.now() - asked < 10) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One activity of a workflow run, times in ms from the workflow's start event. */
export interface ActivitySpan {
  name: string;
  scheduled: number;
  started: number;
  closed: number;
}

export interface Timeline {
  /** Workflow start event → completion event. */
  total: number;
  activities: ActivitySpan[];
  /** Sum over workflow tasks of scheduled → completed (the workflow worker's turnaround). */
  workflowTasks: number;
  workflowTaskCount: number;
}

const eventMs = (time: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  time ? Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6 : NaN;

/** Where a job's wall time went, from its workflow history's event times. */
export async function jobTimeline(client: Client, jobId: string): Promise<Timeline> {
  const history = await client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
  const events = history.events ?? [];
  const origin = eventMs(events[0]?.eventTime);
  const at = (event: (typeof events)[number]) => eventMs(event.eventTime) - origin;
  const byId = new Map(events.map((event) => [String(event.eventId), event]));
  const activities: ActivitySpan[] = [];
  let workflowTasks = 0;
  let workflowTaskCount = 0;
  for (const event of events) {
    const done =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskCanceledEventAttributes ??
      event.activityTaskTimedOutEventAttributes;
    if (done) {
      const scheduled = byId.get(String(done.scheduledEventId));
      const started = 'startedEventId' in done ? byId.get(String(done.startedEventId)) : undefined;
      if (!scheduled) continue;
      activities.push({
        name: scheduled.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
        scheduled: at(scheduled),
        started: started ? at(started) : NaN,
        closed: at(event),
      });
    }
    const completedTask = event.workflowTaskCompletedEventAttributes;
    if (completedTask) {
      const scheduled = byId.get(String(completedTask.scheduledEventId));
      if (scheduled) {
        workflowTasks += at(event) - at(scheduled);
        workflowTaskCount += 1;
      }
    }
  }
  const last = events[events.length - 1];
  return { total: last ? at(last) : NaN, activities, workflowTasks, workflowTaskCount };
}

/** A compact line per activity: name, queue wait (scheduled → started) and run time (started → closed). */
export function formatTimeline(timeline: Timeline): string {
  const parts = timeline.activities.map(
    (span) => `${span.name} +${(span.started - span.scheduled).toFixed(0)}/${(span.closed - span.started).toFixed(0)}`,
  );
  const busy = timeline.activities.reduce((sum, span) => sum + (span.closed - span.started), 0);
  return (
    `workflow ${timeline.total.toFixed(0)} ms = activities running ${busy.toFixed(0)} ms + the rest; ` +
    `${timeline.workflowTaskCount} workflow tasks ${timeline.workflowTasks.toFixed(0)} ms; ` +
    `per activity (wait/run ms): ${parts.join(', ')}`
  );
}

/** p50/p99/max of this process's event-loop delay while `work` runs, in ms. */
export async function eventLoopDelayDuring<T>(
  work: () => Promise<T>,
): Promise<{ result: T; p50: number; p99: number; max: number; seconds: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = performance.now();
  try {
    const result = await work();
    histogram.disable();
    return {
      result,
      p50: histogram.percentile(50) / 1e6,
      p99: histogram.percentile(99) / 1e6,
      max: histogram.max / 1e6,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    histogram.disable();
  }
}
