import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { token } from '../common/tokens';
import type { ThreadReply, ThreadTask, VoiceAnalysisOutcome, VoiceAnalysisRequest } from './voice-analysis';

/** The API's pool of voice-analysis threads. */
export const VOICE_ANALYSIS_POOL = token<VoiceAnalysisPool>('VOICE_ANALYSIS_POOL');

/** Every thread is busy and the queue is full: the caller should come back later. */
export class VoiceAnalysisBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Voice analysis is busy; retry in ${retryAfterSeconds} s`);
    this.name = 'VoiceAnalysisBusyError';
  }
}

/** A task ran past its deadline; its thread was terminated and will be replaced. */
export class VoiceAnalysisTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Voice analysis took longer than ${timeoutMs} ms`);
    this.name = 'VoiceAnalysisTimeoutError';
  }
}

/** The pool was closed (the API is shutting down). */
export class VoiceAnalysisClosedError extends Error {
  constructor() {
    super('Voice analysis pool is closed');
    this.name = 'VoiceAnalysisClosedError';
  }
}

export interface VoiceAnalysisPoolOptions {
  /** Concurrent analyses; each keeps about one core busy. */
  threads: number;
  /** Tasks that may wait for a thread; beyond them `analyze` rejects with VoiceAnalysisBusyError. */
  maxQueued: number;
  /** A sample within the cap takes seconds; a thread stuck far past that (a hung ffmpeg) is replaced. */
  taskTimeoutMs?: number;
}

interface Task {
  id: number;
  request: VoiceAnalysisRequest;
  resolve(outcome: VoiceAnalysisOutcome): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker | undefined;
  task: (Task & { timer: NodeJS.Timeout; startedAt: number }) | undefined;
}

const THREAD_ENTRY = path.join(__dirname, 'voice-analysis.thread.js');
const DEFAULT_TASK_TIMEOUT_MS = 120_000;
/** Retry-After before any task has been timed: roughly a near-cap sample on a busy core. */
const INITIAL_TASK_ESTIMATE_MS = 3_000;
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * A small, bounded pool of worker threads for voice-sample analysis (issue 8): the decode and the DSP run
 * there, so the API's event loop only moves a file path in and the characteristics out. Threads start on
 * first use and are kept; an idle thread is unref'd, so it never holds the process open. Full means full:
 * `analyze` rejects at once instead of queueing without bound, and the caller answers 503 with Retry-After.
 */
export class VoiceAnalysisPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private readonly taskTimeoutMs: number;
  private nextId = 1;
  private closed = false;
  /** Moving average of task time, for Retry-After. */
  private averageTaskMs = INITIAL_TASK_ESTIMATE_MS;

  constructor(private readonly options: VoiceAnalysisPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
    }
    if (!Number.isInteger(options.maxQueued) || options.maxQueued < 0) {
      throw new RangeError(`maxQueued must be a non-negative integer, got ${options.maxQueued}`);
    }
    this.taskTimeoutMs = options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
    this.slots = Array.from({ length: options.threads }, () => ({ worker: undefined, task: undefined }));
  }

  /** Tasks running and waiting (for tests and metrics). */
  get load(): { running: number; queued: number } {
    return { running: this.slots.filter((slot) => slot.task).length, queued: this.queue.length };
  }

  analyze(request: VoiceAnalysisRequest): Promise<VoiceAnalysisOutcome> {
    if (this.closed) return Promise.reject(new VoiceAnalysisClosedError());
    const free = this.slots.find((slot) => !slot.task);
    if (!free && this.queue.length >= this.options.maxQueued) {
      return Promise.reject(new VoiceAnalysisBusyError(this.retryAfterSeconds()));
    }
    return new Promise<VoiceAnalysisOutcome>((resolve, reject) => {
      const task: Task = { id: this.nextId++, request, resolve, reject };
      if (free) this.dispatch(free, task);
      else this.queue.push(task);
    });
  }

  /** Rejects waiting tasks and terminates every thread; a running task rejects with VoiceAnalysisClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new VoiceAnalysisClosedError());
    const terminations: Array<Promise<number>> = [];
    for (const slot of this.slots) {
      if (slot.task) this.finish(slot)?.reject(new VoiceAnalysisClosedError());
      if (slot.worker) terminations.push(slot.worker.terminate());
      slot.worker = undefined;
    }
    await Promise.all(terminations);
  }

  /** Seconds until a queue place is likely free: the work ahead of a new task, spread over the threads. */
  private retryAfterSeconds(): number {
    const ahead = this.load.running + this.queue.length;
    const seconds = Math.ceil((ahead * this.averageTaskMs) / this.options.threads / 1000);
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, seconds));
  }

  private dispatch(slot: Slot, task: Task): void {
    const worker = slot.worker ?? this.spawn(slot);
    worker.ref();
    const timer = setTimeout(() => this.timeOut(slot), this.taskTimeoutMs);
    slot.task = { ...task, timer, startedAt: performance.now() };
    worker.postMessage({ id: task.id, request: task.request } satisfies ThreadTask);
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(THREAD_ENTRY);
    slot.worker = worker;
    worker.on('message', (reply: ThreadReply) => {
      if (slot.worker !== worker || slot.task?.id !== reply.id) return;
      const task = this.finish(slot, true);
      if (reply.failure) {
        const error = new Error(`Voice analysis failed: ${reply.failure.message}`);
        if (reply.failure.stack) error.stack = reply.failure.stack;
        task?.reject(error);
      } else task?.resolve(reply.outcome);
      this.next(slot);
    });
    // An uncaught error ends the thread ('error', then 'exit'); a killed one only exits. Either way the task
    // it held fails and the slot starts a fresh thread for the next one.
    const lost = (error: Error) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      this.finish(slot)?.reject(error);
      this.next(slot);
    };
    worker.on('error', (error) => lost(new Error(`Voice analysis thread crashed: ${error.message}`)));
    worker.on('exit', (code) => lost(new Error(`Voice analysis thread exited with code ${code}`)));
    return worker;
  }

  private timeOut(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = undefined;
    this.finish(slot)?.reject(new VoiceAnalysisTimeoutError(this.taskTimeoutMs));
    void worker?.terminate();
    this.next(slot);
  }

  /** Clears the slot's task and returns it; `timed` feeds the Retry-After estimate. */
  private finish(slot: Slot, timed = false): Task | undefined {
    const task = slot.task;
    if (!task) return undefined;
    clearTimeout(task.timer);
    slot.task = undefined;
    if (timed) this.averageTaskMs = 0.7 * this.averageTaskMs + 0.3 * (performance.now() - task.startedAt);
    return task;
  }

  private next(slot: Slot): void {
    const task = this.closed ? undefined : this.queue.shift();
    if (task) this.dispatch(slot, task);
    else slot.worker?.unref();
  }
}
