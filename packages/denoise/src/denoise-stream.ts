import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FrameKernel } from './denoise-kernels';

/** Options for `Denoiser.openStream`. */
export interface DenoiseStreamOptions {
  /** 0..1 wet mix, see `strengthForNoiseLevel`. */
  readonly strength: number;
  /**
   * Aborts between frames: a pending `push`/`flush` rejects with `signal.reason`, later calls reject too, and the
   * stream's model state is freed.
   */
  readonly signal?: AbortSignal;
  /** Frames processed between event-loop yields inside one call (default: about 0.25 s of audio). */
  readonly yieldEveryFrames?: number;
}

/**
 * Block-by-block denoising with memory bounded by the block size. Each `push` returns the processed samples
 * that are complete so far, in input order; the model's delay means early pushes return fewer samples than
 * they took. The concatenation of every `push` result and the `flush` result has exactly the total input
 * length and equals `Denoiser.process` on the concatenated input. Calls must not overlap: await each one.
 */
export interface DenoiseStream {
  /** Samples by which the running output total trails the running input total until `flush` (0 at strength 0). */
  readonly latency: number;
  /**
   * Processes one block (any length, -1..1 mono at the model's rate); resolves with the newly completed output.
   * The block is read while the call runs (across event-loop yields): do not reuse its buffer until it resolves.
   */
  push(block: Float32Array): Promise<Float32Array>;
  /** Drains the model's delay and returns the remaining output, then closes the stream. */
  flush(): Promise<Float32Array>;
  /** Frees the model state (wasm instance memory or native DFState). Idempotent; later calls reject. */
  close(): void;
}

/** Called at each event-loop yield with the number of frames processed so far (used by `process` for progress). */
export type FramesHook = (framesDone: number) => void;

/** Validates the public options shared by `process` and `openStream`. */
export function checkStrength(strength: number): void {
  if (!Number.isFinite(strength) || strength < 0 || strength > 1) throw new RangeError('strength must be in 0..1');
}

/** Strength 0: the output is the input, undelayed, and no model runs. */
export function passThroughStream(): DenoiseStream {
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('denoise stream is closed');
  };
  return {
    latency: 0,
    push: (block) => {
      try {
        open();
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return Promise.resolve(block.slice());
    },
    flush: () => {
      try {
        open();
      } catch (error) {
        return Promise.reject(error as Error);
      }
      closed = true;
      return Promise.resolve(new Float32Array(0));
    },
    close: () => {
      closed = true;
    },
  };
}

/**
 * Runs a kernel over an unbounded input. Positions are absolute input sample indices:
 * - `fed`: samples pushed so far;
 * - `frames`: kernel frames run; frame f covers stream positions f·frameSize.., whose output sample j echoes
 *   input position f·frameSize + j − latency (zero padding is fed past the end at flush);
 * - `emitted`: output samples returned so far = max(0, frames·frameSize − latency), capped at `fed` by flush.
 * `carry` holds input positions [emitted, fed): the not-yet-framed tail plus the dry samples the wet/dry mix still
 * needs, i.e. fewer than latency + frameSize samples, whatever the block sizes.
 */
export class KernelStream implements DenoiseStream {
  readonly latency: number;
  private readonly frameSize: number;
  private readonly inFrame: Float32Array;
  private readonly outFrame: Float32Array;
  private readonly yieldEvery: number;
  private readonly dry: number;
  private carry = new Float32Array(0);
  private fed = 0;
  private frames = 0;
  private emitted = 0;
  private busy = false;
  private closed = false;
  private readonly onAbort = (): void => this.close();

  constructor(
    private readonly kernel: FrameKernel,
    private readonly strength: number,
    sampleRate: number,
    private readonly options: Omit<DenoiseStreamOptions, 'strength'> & { readonly onYield?: FramesHook },
  ) {
    this.frameSize = kernel.frameSize;
    this.latency = kernel.latency;
    this.inFrame = new Float32Array(this.frameSize);
    this.outFrame = new Float32Array(this.frameSize);
    this.dry = 1 - strength;
    // ~0.25 s of audio per slice: tens of ms of CPU for gtcrn, short enough for timers and heartbeats to stay punctual.
    this.yieldEvery = Math.max(1, Math.floor(options.yieldEveryFrames ?? (0.25 * sampleRate) / this.frameSize));
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  push(block: Float32Array): Promise<Float32Array> {
    // Whole frames available once this block is in; the partial remainder waits in `carry`.
    return this.run(block, Math.floor((this.fed + block.length) / this.frameSize), false);
  }

  flush(): Promise<Float32Array> {
    // Enough frames (zero-padded) to push the last input sample through the model's delay.
    return this.run(new Float32Array(0), this.fed === 0 ? this.frames : this.framesFor(this.fed), true);
  }

  /** Frames a whole input of `length` samples takes, its zero-padded delay included. */
  framesFor(length: number): number {
    return Math.ceil((length + this.latency) / this.frameSize);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // Mid-call (from an abort listener or the caller during a yield) the running loop stops at its next yield and
    // frees the state itself: freeing it under the loop would hand the kernel dangling buffers.
    if (!this.busy) this.release();
  }

  private release(): void {
    this.carry = new Float32Array(0);
    this.kernel.destroy(); // idempotent in every kernel
  }

  private async run(block: Float32Array, frameTarget: number, final: boolean): Promise<Float32Array> {
    // The abort reason wins over "closed": an abort is what closed the stream.
    this.options.signal?.throwIfAborted();
    if (this.closed) throw new Error('denoise stream is closed');
    if (this.busy) throw new Error('denoise stream: await the previous push() before calling push() or flush()');
    this.busy = true;
    try {
      const out = await this.frameLoop(block, frameTarget, final);
      if (final) this.close();
      return out;
    } catch (error) {
      // Aborted or failed mid-block: the model state is no longer in step with the input, so nothing can resume.
      this.close();
      throw error;
    } finally {
      this.busy = false;
      if (this.closed) this.release();
    }
  }

  private async frameLoop(block: Float32Array, frameTarget: number, final: boolean): Promise<Float32Array> {
    const { frameSize, latency, strength, dry, inFrame, outFrame, carry, emitted } = this;
    const { signal, onYield } = this.options;
    // Positions [emitted, carryEnd) are in `carry`, [carryEnd, fedEnd) in `block`.
    const carryEnd = this.fed;
    const fedEnd = carryEnd + block.length;
    const at = (pos: number): number => (pos < carryEnd ? (carry[pos - emitted] ?? 0) : (block[pos - carryEnd] ?? 0));
    const emitEnd = Math.min(fedEnd, Math.max(0, frameTarget * frameSize - latency));
    const out = new Float32Array(Math.max(0, emitEnd - emitted));
    this.fed = fedEnd;

    for (let f = this.frames; f < frameTarget; f++) {
      const start = f * frameSize;
      // Past the input's end (flush only) the frame is zero padding.
      const stop = Math.min(frameSize, fedEnd - start);
      for (let j = 0; j < stop; j++) inFrame[j] = at(start + j);
      inFrame.fill(0, Math.max(0, stop));
      this.kernel.processFrame(inFrame, outFrame);
      // Output sample j echoes input position start + j − latency; keep those inside [emitted, emitEnd).
      const from = Math.max(0, emitted + latency - start);
      const to = Math.min(frameSize, emitEnd + latency - start);
      for (let j = from; j < to; j++) {
        const pos = start + j - latency;
        out[pos - emitted] = strength * (outFrame[j] ?? 0) + dry * at(pos);
      }
      this.frames = f + 1;

      // No yield after the very last frame: the result is ready, so `process` can report exactly 1 at once.
      if ((f + 1) % this.yieldEvery === 0 && !(final && f + 1 === frameTarget)) {
        onYield?.(f + 1);
        // Let heartbeats, timers and cancellation run; then honour an abort that arrived meanwhile.
        await yieldToEventLoop();
        signal?.throwIfAborted();
        if (this.closed) throw new Error('denoise stream was closed during a call');
      }
    }

    this.emitted = emitEnd;
    // Keep only what later calls still read: unframed input and dry samples of not-yet-emitted output.
    const keep = new Float32Array(fedEnd - emitEnd);
    for (let pos = emitEnd; pos < fedEnd; pos++) keep[pos - emitEnd] = at(pos);
    this.carry = keep;
    return out;
  }
}
