import { Context } from '@temporalio/activity';
import type { InferenceHeartbeat } from '@voice/shared';

export interface ProgressHeartbeatOptions<Checkpoint> {
  /** Minimum spacing of progress heartbeats; each one is a server round trip. */
  intervalMs: number;
  /** Length of the audio the activity works through; progress is reported in its seconds. */
  totalSeconds?: number;
  /** The checkpoint this attempt resumed from: carried until a newer one replaces it, so a second crash keeps it. */
  resumedFrom?: Checkpoint;
}

/**
 * Throttled `InferenceHeartbeat` progress for one activity attempt, optionally carrying a resume checkpoint.
 *
 * Temporal keeps only the last heartbeat's details, so every heartbeat repeats the latest checkpoint: a progress
 * beat after a checkpoint must not erase it. A checkpoint is sent at once (it is rare and it is what a retry
 * needs); plain progress at most every `intervalMs`, except the final fraction 1, which always goes out.
 */
export class ProgressHeartbeat<Checkpoint = never> {
  private lastBeat = -Infinity;
  private lastFraction = 0;
  private latest: Checkpoint | undefined;
  private totalSeconds: number;
  private readonly context = Context.current();

  constructor(private readonly options: ProgressHeartbeatOptions<Checkpoint>) {
    this.totalSeconds = options.totalSeconds ?? 0;
    this.latest = options.resumedFrom;
  }

  /** The running attempt's cancellation: it fires once a heartbeat brings the server's cancel back. */
  get signal(): AbortSignal {
    return this.context.cancellationSignal;
  }

  /** The checkpoint heartbeats currently carry (the resumed one until a new one is recorded). */
  get checkpoint(): Checkpoint | undefined {
    return this.latest;
  }

  /** Sets the length once it is known (after the download), so later beats report seconds. */
  setTotalSeconds(totalSeconds: number): void {
    this.totalSeconds = totalSeconds;
  }

  /** Reports `fraction` (0..1) of the work, throttled; bound, so it can be handed to engines as `onProgress`. */
  readonly progress = (fraction: number): void => {
    const now = performance.now();
    if (now - this.lastBeat < this.options.intervalMs && fraction < 1) return;
    this.send(fraction, now);
  };

  /** Sends `fraction` now, whatever the throttle says (after a long synchronous step, say). */
  report(fraction: number): void {
    this.send(fraction, performance.now());
  }

  /** Records a checkpoint (after its state is durable) and sends it now, whatever the throttle says. */
  save(fraction: number, checkpoint: Checkpoint): void {
    this.latest = checkpoint;
    this.send(fraction, performance.now());
  }

  /**
   * Repeats the latest progress every `intervalMs` until the returned stop is called, for work whose engine
   * reports progress rarely (one long Whisper window): the server then still sees a live worker, and the
   * details it shows stay the real progress rather than an empty beat.
   */
  keepAlive(intervalMs = 5_000): () => void {
    const timer = setInterval(() => this.send(this.lastFraction, performance.now()), intervalMs);
    return () => clearInterval(timer);
  }

  /** `{ signal, onProgress }` for engines that take a run control. */
  control(): { signal: AbortSignal; onProgress: (fraction: number) => void } {
    return { signal: this.signal, onProgress: this.progress };
  }

  private send(fraction: number, now: number): void {
    this.lastBeat = now;
    this.lastFraction = fraction;
    const details: InferenceHeartbeat<Checkpoint> = {
      fraction,
      processedSeconds: fraction * this.totalSeconds,
      totalSeconds: this.totalSeconds,
      ...(this.latest === undefined ? {} : { checkpoint: this.latest }),
    };
    this.context.heartbeat(details);
  }
}

/**
 * The checkpoint the previous attempt last heartbeated, when it passes `isCheckpoint`; undefined on a first attempt
 * or when the details carry none (a stage that heartbeats progress only, or details of another shape).
 */
export function lastCheckpoint<Checkpoint>(
  isCheckpoint: (value: unknown) => value is Checkpoint,
): Checkpoint | undefined {
  const details: unknown = Context.current().info.heartbeatDetails;
  if (typeof details !== 'object' || details === null) return undefined;
  const checkpoint = (details as { checkpoint?: unknown }).checkpoint;
  return isCheckpoint(checkpoint) ? checkpoint : undefined;
}

/**
 * Runs work that has no natural progress points (an ffmpeg decode, a storage copy) while heartbeating,
 * so the server can tell a slow activity from a dead worker and deliver cancellation.
 */
export async function withHeartbeats<T>(work: () => Promise<T>, intervalMs = 5_000): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
