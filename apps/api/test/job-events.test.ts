import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { markJobCancelled, markJobCompleted, markJobFailed, markJobRunning } from '@voice/db';
import type { JobResult, PipelineProgress, StepProgress } from '@voice/shared';
import type { LocalStorage } from '@voice/storage';
import { JobEventsHub } from '../src/jobs/events/job-events-hub';
import type { PipelineClient } from '../src/common/pipeline-client';
import { tempLocalStorage } from './helpers/local-storage';
import { registerUser, request, startTestApi, type TestApi } from './helpers/test-api';

/** The fake pipeline's live progress is driven by the test; every read is counted per job. */
class DrivenPipeline implements PipelineClient {
  async start(): Promise<void> {}
  async cancel(): Promise<void> {}
  readonly live = new Map<string, PipelineProgress>();
  readonly calls = new Map<string, number>();

  async progress(jobId: string): Promise<PipelineProgress | undefined> {
    this.calls.set(jobId, (this.calls.get(jobId) ?? 0) + 1);
    return this.live.get(jobId);
  }

  setStep(jobId: string, progress: number): void {
    const step: StepProgress = { index: 0, op: 'tts', state: 'running', progress, weight: 1 };
    this.live.set(jobId, { status: 'running', progress, steps: [step] });
  }
}

interface Frame {
  id?: string;
  event?: string;
  data?: unknown;
  comment?: string;
}

/** A server-sent event stream read frame by frame, as a client that is not a browser would. */
class EventStream {
  private readonly frames: Frame[] = [];
  private readonly waiters: Array<() => void> = [];
  private ended = false;
  readonly done: Promise<void>;

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    // An error answer (404, 429…) is JSON for the test to read, not a stream.
    this.done = response.ok ? this.pump() : Promise.resolve();
  }

  get status(): number {
    return this.response.status;
  }

  /** The next frame (comments skipped unless asked for); fails instead of hanging when nothing comes. */
  async next(options: { comments?: boolean } = {}): Promise<Frame> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const index = this.frames.findIndex((frame) =>
        frame.comment !== undefined ? options.comments === true : frame.event !== undefined,
      );
      if (index !== -1) return this.frames.splice(0, index + 1)[index] as Frame;
      if (this.ended) throw new Error('the stream ended');
      if (Date.now() > deadline) throw new Error('no event within 10 s');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  /** Frames up to and including the first `event` named `name`. */
  async until(name: string): Promise<Frame[]> {
    const seen: Frame[] = [];
    for (;;) {
      const frame = await this.next();
      seen.push(frame);
      if (frame.event === name) return seen;
    }
  }

  close(): void {
    this.abort.abort();
  }

  private async pump(): Promise<void> {
    const body = this.response.body;
    if (!body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          this.frames.push(parseFrame(raw));
          for (const wake of this.waiters.splice(0)) wake();
        }
      }
    } catch {
      // Aborted by close().
    } finally {
      this.ended = true;
      for (const wake of this.waiters.splice(0)) wake();
    }
  }
}

function parseFrame(raw: string): Frame {
  const frame: Frame = {};
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('id: ')) frame.id = line.slice(4);
    else if (line.startsWith('event: ')) frame.event = line.slice(7);
    else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
  }
  return frame;
}

describe('live job events (GET /api/jobs/:id/events)', () => {
  let api: TestApi;
  let storage: LocalStorage;
  let storageDir: string;
  const pipeline = new DrivenPipeline();
  let token: string;
  const POLL_MS = 200;

  before(async () => {
    ({ storage, dir: storageDir } = await tempLocalStorage('job-events'));
    api = await startTestApi({
      env: {
        JOB_EVENTS_POLL_MS: String(POLL_MS),
        JOB_EVENTS_KEEPALIVE_MS: '300',
        JOB_EVENTS_MAX_PER_JOB: '3',
        JOB_EVENTS_MAX_STREAMS: '4',
      },
      deps: { storage, pipelineClient: pipeline },
    });
    token = (await registerUser(api)).accessToken;
  });
  after(async () => {
    await api?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const hub = () => api.app.get(JobEventsHub);

  const submit = async (as = token): Promise<string> => {
    const accepted = await request<{ jobId: string }>(api, 'POST', '/api/audio/tts', {
      token: as,
      body: { text: 'Events, please.' },
    });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    return accepted.body.jobId;
  };

  const open = async (
    jobId: string,
    options: { token?: string; lastEventId?: string; apiKey?: string } = {},
  ): Promise<EventStream> => {
    const abort = new AbortController();
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey ?? options.token ?? token}` };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const response = await fetch(`${api.baseUrl}/api/jobs/${jobId}/events`, { headers, signal: abort.signal });
    return new EventStream(response, abort);
  };

  /** Waits (bounded) until the hub has settled to the expected counts: listeners leave asynchronously. */
  const hubSettles = async (expected: { watchers: number; listeners: number }) => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (JSON.stringify(hub().stats()) === JSON.stringify(expected)) return;
      await sleep(50);
    }
    assert.deepEqual(hub().stats(), expected);
  };

  const complete = async (jobId: string) => {
    const result: JobResult = {
      models: [{ op: 'stt', model: 'fake-stt' }],
      input: { source: 'none' },
      output: { words: 2 },
      transcript: {
        transcriptKey: `jobs/${jobId}/t.json`,
        srtKey: `jobs/${jobId}/t.srt`,
        vttKey: `jobs/${jobId}/t.vtt`,
        modelId: 'fake-stt',
        language: 'en',
        wordCount: 2,
        preview: 'secret words',
      },
      steps: [{ index: 0, op: 'stt', state: 'completed', progress: 100, weight: 1 }],
    };
    await markJobCompleted(api.database.db, jobId, {
      outputKey: `jobs/${jobId}/t.json`,
      outputDurationMs: 1000,
      result,
      at: new Date(),
    });
  };

  test('status, progress and the terminal result arrive in order with rising ids, then the stream closes', async () => {
    const jobId = await submit();
    const stream = await open(jobId);
    assert.equal(stream.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(stream.response.headers.get('x-accel-buffering'), 'no');
    assert.match(stream.response.headers.get('cache-control') ?? '', /no-cache/);

    const first = await stream.next();
    assert.equal(first.event, 'status');
    assert.equal((first.data as { status: string }).status, 'pending');
    const pendingProgress = await stream.next();
    assert.equal(pendingProgress.event, 'progress');

    await markJobRunning(api.database.db, jobId, new Date());
    const running = await stream.next();
    assert.deepEqual([running.event, (running.data as { status: string }).status], ['status', 'running']);
    assert.equal((await stream.next()).event, 'progress');

    pipeline.setStep(jobId, 30);
    const at30 = await stream.next();
    assert.equal(at30.event, 'progress');
    assert.deepEqual((at30.data as { steps: StepProgress[] }).steps[0]?.progress, 30);
    assert.equal((at30.data as { live: boolean }).live, true);
    pipeline.setStep(jobId, 70);
    const at70 = await stream.next();
    assert.equal((at70.data as { progress: number }).progress, 70);

    await complete(jobId);
    const tail = await stream.until('completed');
    assert.deepEqual(
      tail.map((frame) => frame.event),
      ['status', 'progress', 'completed'],
    );
    const final = tail[2]?.data as { status: string; progress: number; result: { transcript: object } };
    assert.equal(final.status, 'completed');
    assert.equal(final.progress, 100);
    // Metadata only: the transcript's text is paid content and it has not been downloaded.
    assert.deepEqual(final.result.transcript, { modelId: 'fake-stt', language: 'en', wordCount: 2 });
    assert.doesNotMatch(JSON.stringify(tail), /secret words|Key"/);
    // The stored steps replace the live ones once the job ended.
    assert.equal((tail[1]?.data as { live: boolean }).live, false);

    const ids = [first, pendingProgress, running, at30, at70, ...tail].map((frame) => Number(frame.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'ids rise',
    );
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    await stream.done;
    await assert.rejects(stream.next(), /the stream ended/);
    await hubSettles({ watchers: 0, listeners: 0 });
  });

  test('three listeners on one job share ONE watcher: reads grow with time, not with listeners', async () => {
    const jobId = await submit();
    await markJobRunning(api.database.db, jobId, new Date());
    pipeline.setStep(jobId, 10);
    const streams = await Promise.all([open(jobId), open(jobId), open(jobId)]);
    for (const stream of streams) assert.deepEqual((await stream.until('progress')).length, 2);
    assert.deepEqual(hub().stats(), { watchers: 1, listeners: 3 });

    const startCalls = pipeline.calls.get(jobId) ?? 0;
    const started = Date.now();
    await sleep(2_000);
    const calls = (pipeline.calls.get(jobId) ?? 0) - startCalls;
    const ticks = (Date.now() - started) / POLL_MS;
    // One reader polls about once per interval; one per listener would be three times that.
    assert.ok(calls >= 1, 'the watcher keeps reading');
    assert.ok(calls <= ticks + 2, `${calls} reads in ${ticks.toFixed(1)} intervals for 3 listeners`);

    // A change reaches every listener as the same event.
    pipeline.setStep(jobId, 55);
    const seen = await Promise.all(streams.map((stream) => stream.next()));
    assert.deepEqual(
      seen.map((frame) => [frame.event, (frame.data as { progress: number }).progress]),
      [
        ['progress', 55],
        ['progress', 55],
        ['progress', 55],
      ],
    );
    assert.equal(new Set(seen.map((frame) => frame.id)).size, 1);

    // A fourth listener on the same job is over JOB_EVENTS_MAX_PER_JOB=3: 429 before any stream starts.
    const fourth = await open(jobId);
    assert.equal(fourth.status, 429);
    assert.equal(((await fourth.response.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    // One more on another job fits the process cap of 4; a fifth stream does not (503).
    const otherJob = await submit();
    const other = await open(otherJob);
    assert.equal(other.status, 200);
    const overCap = await open(await submit());
    assert.equal(overCap.status, 503);
    assert.equal(((await overCap.response.json()) as { error: { code: string } }).error.code, 'TOO_MANY_STREAMS');

    // Leaving frees everything: the last listener stops the watcher, and reading stops with it.
    for (const stream of [...streams, other]) stream.close();
    await hubSettles({ watchers: 0, listeners: 0 });
    const afterLeave = pipeline.calls.get(jobId) ?? 0;
    await sleep(POLL_MS * 3);
    assert.ok((pipeline.calls.get(jobId) ?? 0) <= afterLeave + 1, 'no reads once nobody listens');
  });

  test('a client reconnecting with Last-Event-ID gets only what changed since, then the live events', async () => {
    const jobId = await submit();
    await markJobRunning(api.database.db, jobId, new Date());
    pipeline.setStep(jobId, 20);
    const stream = await open(jobId);
    const initial = await stream.until('progress');
    const lastId = initial[initial.length - 1]?.id ?? '';
    stream.close();
    await hubSettles({ watchers: 0, listeners: 0 });

    // Nothing changed: the current state is not resent.
    const unchanged = await open(jobId, { lastEventId: lastId });
    await sleep(POLL_MS * 3);
    const comment = await unchanged.next({ comments: true });
    assert.equal(comment.comment, 'keep-alive', 'only keep-alives while nothing changes');
    unchanged.close();
    await hubSettles({ watchers: 0, listeners: 0 });

    pipeline.setStep(jobId, 80);
    const resumed = await open(jobId, { lastEventId: lastId });
    const missed = await resumed.next();
    assert.equal(missed.event, 'progress', 'the status did not change, so it is not repeated');
    assert.equal((missed.data as { progress: number }).progress, 80);
    assert.ok(Number(missed.id) > Number(lastId));
    await markJobFailed(api.database.db, jobId, 'the model crashed', new Date());
    const tail = await resumed.until('failed');
    assert.equal((tail[tail.length - 1]?.data as { error: string }).error, 'the model crashed');
    await resumed.done;

    // Resuming a finished job still hands over its final state, then closes.
    const late = await open(jobId, { lastEventId: tail[tail.length - 1]?.id ?? '' });
    assert.deepEqual(
      (await late.until('failed')).map((frame) => frame.event),
      ['status', 'progress', 'failed'],
    );
    await late.done;
  });

  test('an idle stream gets a keep-alive comment every interval', async () => {
    const jobId = await submit();
    const stream = await open(jobId);
    await stream.until('progress');
    const comments = [await stream.next({ comments: true }), await stream.next({ comments: true })];
    assert.deepEqual(
      comments.map((frame) => frame.comment),
      ['keep-alive', 'keep-alive'],
    );
    await markJobCancelled(api.database.db, jobId, new Date());
    assert.equal((await stream.until('cancelled')).pop()?.event, 'cancelled');
    await stream.done;
  });

  test("another user's job is a 404 before any stream starts; an unknown id too", async () => {
    const jobId = await submit();
    const stranger = await registerUser(api);
    const theirs = await open(jobId, { token: stranger.accessToken });
    assert.equal(theirs.status, 404);
    assert.match(theirs.response.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(((await theirs.response.json()) as { error: { code: string } }).error.code, 'JOB_NOT_FOUND');
    const unknown = await open(randomUUID());
    assert.equal(unknown.status, 404);
    const unauthenticated = await fetch(`${api.baseUrl}/api/jobs/${jobId}/events`);
    assert.equal(unauthenticated.status, 401);
    await markJobCancelled(api.database.db, jobId, new Date());
  });

  test('an API key with jobs:read may follow the stream; one without it gets 403', async () => {
    const jobId = await submit();
    const newKey = async (scopes: string[]) => {
      const created = await request<{ secret: string }>(api, 'POST', '/api/developer/api-keys', {
        token,
        body: { name: `events ${scopes.join(' ')}`, scopes },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.secret;
    };
    const reader = await open(jobId, { apiKey: await newKey(['jobs:read']) });
    assert.equal(reader.status, 200);
    assert.equal((await reader.next()).event, 'status');
    const writer = await open(jobId, { apiKey: await newKey(['jobs:write']) });
    assert.equal(writer.status, 403);
    assert.equal(((await writer.response.json()) as { error: { code: string } }).error.code, 'INSUFFICIENT_SCOPE');
    await markJobCancelled(api.database.db, jobId, new Date());
    await reader.until('cancelled');
    await reader.done;
  });
});
