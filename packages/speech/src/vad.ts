import * as ort from 'onnxruntime-node';

/** Silero VAD v5 works on 512-sample frames at 16 kHz (32 ms). */
export const VAD_SAMPLE_RATE = 16000;
export const VAD_FRAME = 512;
// v5 expects the last 64 samples of the previous frame prepended; without them every frame scores ~0.
const CONTEXT = 64;

/** A Silero VAD v5 session; `reset()` between independent streams. */
export class SileroVad {
  // Frames come every 32 ms for the whole input: the input tensor wraps one buffer that each call rewrites
  // (context, then frame) instead of allocating, and the model's returned state feeds the next call as is.
  private readonly input = new Float32Array(CONTEXT + VAD_FRAME);
  private readonly inputTensor = new ort.Tensor('float32', this.input, [1, CONTEXT + VAD_FRAME]);
  private state = SileroVad.zeroState();
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);

  private constructor(private readonly session: ort.InferenceSession) {}

  private static zeroState(): ort.Tensor {
    return new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  }

  static async load(onnxPath: string): Promise<SileroVad> {
    // One thread: frames are tiny and sequential, so more threads only add synchronisation cost.
    const session = await ort.InferenceSession.create(onnxPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    return new SileroVad(session);
  }

  /** A detector sharing this one's ONNX session but with its own stream state. */
  fork(): SileroVad {
    return new SileroVad(this.session);
  }

  reset(): void {
    this.state = SileroVad.zeroState();
    this.input.fill(0);
  }

  /** Speech probability of one 512-sample frame (shorter frames are zero-padded). */
  async probability(frame: Float32Array): Promise<number> {
    // The last 64 samples of the previous frame become this frame's context.
    this.input.copyWithin(0, VAD_FRAME, VAD_FRAME + CONTEXT);
    const samples = frame.subarray(0, VAD_FRAME);
    this.input.set(samples, CONTEXT);
    if (samples.length < VAD_FRAME) this.input.fill(0, CONTEXT + samples.length);
    const out = await this.session.run({ input: this.inputTensor, state: this.state, sr: this.sr });
    const prob = out.output?.data;
    const next = out.stateN;
    if (!(prob instanceof Float32Array) || !(next?.data instanceof Float32Array)) {
      throw new Error('Silero VAD: bad output');
    }
    this.state = next;
    return prob[0] ?? 0;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
