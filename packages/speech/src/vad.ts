import * as ort from 'onnxruntime-node';

/** Silero VAD v5 works on 512-sample frames at 16 kHz (32 ms). */
export const VAD_SAMPLE_RATE = 16000;
export const VAD_FRAME = 512;
// v5 expects the last 64 samples of the previous frame prepended; without them every frame scores ~0.
const CONTEXT = 64;

/** A Silero VAD v5 session; `reset()` between independent streams. */
export class SileroVad {
  private state = new Float32Array(2 * 128);
  private context = new Float32Array(CONTEXT);
  private readonly input = new Float32Array(CONTEXT + VAD_FRAME);
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);

  private constructor(private readonly session: ort.InferenceSession) {}

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
    this.state = new Float32Array(2 * 128);
    this.context = new Float32Array(CONTEXT);
  }

  /** Speech probability of one 512-sample frame (shorter frames are zero-padded). */
  async probability(frame: Float32Array): Promise<number> {
    this.input.fill(0);
    this.input.set(this.context, 0);
    this.input.set(frame.subarray(0, VAD_FRAME), CONTEXT);
    const out = await this.session.run({
      input: new ort.Tensor('float32', this.input, [1, CONTEXT + VAD_FRAME]),
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sr,
    });
    const prob = out.output?.data;
    const next = out.stateN?.data;
    if (!(prob instanceof Float32Array) || !(next instanceof Float32Array)) throw new Error('Silero VAD: bad output');
    this.state = Float32Array.from(next);
    this.context = this.input.slice(VAD_FRAME, VAD_FRAME + CONTEXT);
    return prob[0] ?? 0;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
