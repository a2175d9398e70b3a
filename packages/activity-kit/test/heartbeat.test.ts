import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { InferenceHeartbeat } from '@voice/shared';
import { ProgressHeartbeat, lastCheckpoint } from '../src';

interface Checkpoint {
  segments: number;
}
const isCheckpoint = (value: unknown): value is Checkpoint =>
  typeof value === 'object' && value !== null && typeof (value as Checkpoint).segments === 'number';

/** Heartbeats seen by the running {@link heartbeatsOf}, for work that waits on them. */
let beatsSoFar = 0;

/** Runs `work` as an activity and returns every heartbeat it sent, in order. */
async function heartbeatsOf(
  work: () => void | Promise<void>,
  info: ConstructorParameters<typeof MockActivityEnvironment>[0] = {},
): Promise<InferenceHeartbeat<Checkpoint>[]> {
  const env = new MockActivityEnvironment(info);
  const beats: InferenceHeartbeat<Checkpoint>[] = [];
  beatsSoFar = 0;
  env.on('heartbeat', (details: InferenceHeartbeat<Checkpoint>) => {
    beats.push(details);
    beatsSoFar += 1;
  });
  await env.run(async () => {
    await work();
  });
  return beats;
}

describe('ProgressHeartbeat', () => {
  it('sends the first beat, then nothing inside the interval except the final fraction 1', async () => {
    const beats = await heartbeatsOf(() => {
      // An interval no test run reaches: only the first beat and the final one may go out.
      const heartbeat = new ProgressHeartbeat({ intervalMs: 1e12, totalSeconds: 10 });
      for (const fraction of [0.1, 0.2, 0.5, 0.9, 1]) heartbeat.progress(fraction);
    });
    assert.deepEqual(
      beats.map((beat) => beat.fraction),
      [0.1, 1],
    );
    assert.deepEqual(beats[0], { fraction: 0.1, processedSeconds: 1, totalSeconds: 10 });
  });

  it('keepAlive repeats the latest progress while the engine is silent, and stops when told', async () => {
    const beats = await heartbeatsOf(async () => {
      const heartbeat = new ProgressHeartbeat({ intervalMs: 1e12, totalSeconds: 10 });
      heartbeat.progress(0.3);
      const stop = heartbeat.keepAlive(5);
      // Wait for beats, not for a fixed time (the count is what matters); give up after 1000 polls.
      for (let polls = 0; beatsSoFar < 3 && polls < 1000; polls++)
        await new Promise((resolve) => setTimeout(resolve, 5));
      stop();
      const stoppedAt = beatsSoFar;
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(beatsSoFar, stoppedAt, 'no beat after stop');
    });
    assert.ok(beats.length >= 3, `beats ${beats.length}`);
    assert.ok(beats.every((beat) => beat.fraction === 0.3 && beat.processedSeconds === 3));
  });

  it('sends every beat when the interval is zero', async () => {
    const beats = await heartbeatsOf(() => {
      const heartbeat = new ProgressHeartbeat({ intervalMs: 0, totalSeconds: 4 });
      for (const fraction of [0.25, 0.5, 0.75]) heartbeat.progress(fraction);
    });
    assert.deepEqual(
      beats.map((beat) => beat.processedSeconds),
      [1, 2, 3],
    );
  });

  it('sends a checkpoint at once and repeats it on every later beat, so progress never erases it', async () => {
    const beats = await heartbeatsOf(() => {
      const heartbeat = new ProgressHeartbeat<Checkpoint>({ intervalMs: 0, totalSeconds: 10 });
      heartbeat.progress(0.1);
      heartbeat.save(0.2, { segments: 1 });
      heartbeat.progress(0.3);
      heartbeat.save(0.4, { segments: 2 });
      heartbeat.progress(0.5);
    });
    assert.deepEqual(
      beats.map((beat) => beat.checkpoint?.segments),
      [undefined, 1, 1, 2, 2],
    );
  });

  it('ignores the throttle for a checkpoint', async () => {
    const beats = await heartbeatsOf(() => {
      const heartbeat = new ProgressHeartbeat<Checkpoint>({ intervalMs: 1e12, totalSeconds: 10 });
      heartbeat.progress(0.1);
      heartbeat.progress(0.2);
      heartbeat.save(0.3, { segments: 1 });
    });
    assert.deepEqual(
      beats.map((beat) => [beat.fraction, beat.checkpoint?.segments]),
      [
        [0.1, undefined],
        [0.3, 1],
      ],
    );
  });

  it('carries the checkpoint it resumed from until a newer one is saved', async () => {
    const beats = await heartbeatsOf(() => {
      const heartbeat = new ProgressHeartbeat<Checkpoint>({ intervalMs: 0, resumedFrom: { segments: 3 } });
      heartbeat.setTotalSeconds(8);
      heartbeat.report(0.5);
      heartbeat.save(0.75, { segments: 4 });
    });
    assert.deepEqual(beats, [
      { fraction: 0.5, processedSeconds: 4, totalSeconds: 8, checkpoint: { segments: 3 } },
      { fraction: 0.75, processedSeconds: 6, totalSeconds: 8, checkpoint: { segments: 4 } },
    ]);
  });
});

describe('lastCheckpoint', () => {
  const read = async (heartbeatDetails: unknown) => {
    const env = new MockActivityEnvironment({ heartbeatDetails, attempt: 2 });
    return env.run(async () => lastCheckpoint(isCheckpoint));
  };

  it("returns the previous attempt's checkpoint from the heartbeat details", async () => {
    assert.deepEqual(
      await read({ fraction: 0.6, processedSeconds: 6, totalSeconds: 10, checkpoint: { segments: 5 } }),
      {
        segments: 5,
      },
    );
  });

  it('returns undefined on a first attempt, for progress-only details and for a checkpoint of another shape', async () => {
    assert.equal(await read(undefined), undefined);
    assert.equal(await read({ fraction: 0.6, processedSeconds: 6, totalSeconds: 10 }), undefined);
    assert.equal(await read({ fraction: 0.6, checkpoint: { frames: 'many' } }), undefined);
    assert.equal(await read('not an object'), undefined);
  });
});
