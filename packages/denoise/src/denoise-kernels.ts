import { Wasm, type WasmModule } from '@voice/model-cache';
import { EmscriptenHeap, exportedFunction, exportedMemory } from './wasm-runtime';

/** One instantiated model processing fixed-size mono frames at 48 kHz, in the -1..1 float range. */
export interface FrameKernel {
  readonly frameSize: number;
  /** Samples by which output lags input; the engine trims this so output is time-aligned. */
  readonly latency: number;
  /** Processes `input` (length `frameSize`) into `output` (same length). */
  processFrame(input: Float32Array, output: Float32Array): void;
  /** Frees the wasm-side state and buffers. */
  destroy(): void;
}

/** Builds a fresh kernel (its own instance and state) from a compiled module. */
export type KernelFactory = (module: WasmModule) => Promise<FrameKernel>;

// Smallest module using a v128 instruction; the same probe wasm-feature-detect uses.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when the runtime supports wasm SIMD (Node >= 16 does); picks rnnoise's faster build. */
export function wasmSimdSupported(): boolean {
  return Wasm.validate(SIMD_PROBE);
}

type Fn0 = () => number;
type Fn1 = (a: number) => number;
type Fn2 = (a: number, b: number) => number;
type Fn3 = (a: number, b: number, c: number) => number;

// Output delays in samples at 48 kHz, found by cross-correlating clean speech in and out (the engine
// tests pin them to ±1 sample). gtcrn: one 768-sample frame of buffering plus 122 from its internal
// 48k↔16k resamplers and STFT overlap. rnnoise and speex: one frame of overlap-add.
const GTCRN_LATENCY = 890;
const RNNOISE_LATENCY = 480;
const SPEEX_LATENCY = 960;

/**
 * GTCRN via sapphi-red's Emscripten build (minified export names).
 * 48 kHz path: the wasm resamples to 16 kHz internally and runs one STFT hop of 256 per 768-sample frame.
 */
export const createGtcrnKernel: KernelFactory = async (module) => {
  const heap = new EmscriptenHeap();
  const instance = await Wasm.instantiate(module, { a: { a: heap.assertFail, b: heap.resizeHeap } });
  heap.memory = exportedMemory(instance, 'c');
  exportedFunction<Fn0>(instance, 'd')(); // __wasm_call_ctors
  const create = exportedFunction<Fn0>(instance, 'e');
  const free = exportedFunction<Fn1>(instance, 'f');
  const destroyState = exportedFunction<Fn1>(instance, 'g');
  const process48k = exportedFunction<Fn3>(instance, 'j');
  const malloc = exportedFunction<Fn1>(instance, 'k');

  const frameSize = 768;
  const state = create();
  const inPtr = malloc(frameSize * 4);
  const outPtr = malloc(frameSize * 4);
  if (!state || !inPtr || !outPtr) throw new Error('gtcrn: wasm allocation failed');
  let alive = true;
  return {
    frameSize,
    latency: GTCRN_LATENCY,
    processFrame(input, output) {
      heap.f32(inPtr, frameSize).set(input);
      process48k(state, inPtr, outPtr);
      output.set(heap.f32(outPtr, frameSize));
    },
    destroy() {
      if (!alive) return;
      alive = false;
      free(inPtr);
      free(outPtr);
      destroyState(state);
    },
  };
};

/** RNNoise (Shiguredo build, 480-sample frames); it expects floats scaled to the int16 range. */
export const createRnnoiseKernel: KernelFactory = async (module) => {
  const heap = new EmscriptenHeap();
  const instance = await Wasm.instantiate(module, {
    env: {
      __assert_fail: heap.assertFail,
      emscripten_resize_heap: heap.resizeHeap,
      emscripten_memcpy_big: (dest: number, src: number, num: number) => {
        heap.u8().copyWithin(dest, src, src + num);
      },
    },
  });
  heap.memory = exportedMemory(instance, 'memory');
  exportedFunction<Fn0>(instance, 'emscripten_stack_init')();
  exportedFunction<Fn0>(instance, '__wasm_call_ctors')();
  const frameSize = exportedFunction<Fn0>(instance, 'rnnoise_get_frame_size')();
  const create = exportedFunction<Fn1>(instance, 'rnnoise_create');
  const destroyState = exportedFunction<Fn1>(instance, 'rnnoise_destroy');
  const processNative = exportedFunction<Fn3>(instance, 'rnnoise_process_frame');
  const malloc = exportedFunction<Fn1>(instance, 'malloc');
  const free = exportedFunction<Fn1>(instance, 'free');

  const state = create(0); // 0 = built-in model weights
  const inPtr = malloc(frameSize * 4);
  const outPtr = malloc(frameSize * 4);
  if (!state || !inPtr || !outPtr) throw new Error('rnnoise: wasm allocation failed');
  let alive = true;
  return {
    frameSize,
    latency: RNNOISE_LATENCY,
    processFrame(input, output) {
      const inView = heap.f32(inPtr, frameSize);
      for (let i = 0; i < frameSize; i++) inView[i] = (input[i] ?? 0) * 32767;
      processNative(state, outPtr, inPtr);
      const outView = heap.f32(outPtr, frameSize);
      for (let i = 0; i < frameSize; i++) output[i] = (outView[i] ?? 0) / 32767;
    },
    destroy() {
      if (!alive) return;
      alive = false;
      free(inPtr);
      free(outPtr);
      destroyState(state);
    },
  };
};

const SPEEX_SET_DENOISE = 0;
const SPEEX_SET_NOISE_SUPPRESS = 18;

/** Options specific to the classical Speex preprocessor. */
export interface SpeexOptions {
  /** Maximum attenuation of noise in dB (negative); speexdsp's default is -15. */
  readonly noiseSuppressDb: number;
}

/**
 * speexdsp preprocessor (spectral subtraction + MMSE gain), int16 I/O.
 * 20 ms frames: longer than the worklet's 128 samples, for better frequency resolution offline.
 */
export function createSpeexKernel(options: SpeexOptions): KernelFactory {
  return async (module) => {
    const heap = new EmscriptenHeap();
    const instance = await Wasm.instantiate(module, {
      a: {
        // fd_write: speexdsp only prints warnings; swallow them but report the bytes as written.
        a: (_fd: number, iov: number, iovcnt: number, pnum: number) => {
          let written = 0;
          const vec = heap.u32(iov, iovcnt * 2);
          for (let i = 0; i < iovcnt; i++) written += vec[i * 2 + 1] ?? 0;
          heap.u32(pnum, 1)[0] = written;
          return 0;
        },
        b: () => 70, // fd_seek: ESPIPE, as Emscripten's stub returns
        c: () => 52, // fd_close: ENOSYS
        d: heap.resizeHeap,
      },
    });
    heap.memory = exportedMemory(instance, 'e');
    exportedFunction<Fn0>(instance, 'f')(); // __wasm_call_ctors
    const init = exportedFunction<Fn2>(instance, 'g');
    const destroyState = exportedFunction<Fn1>(instance, 'h');
    const run = exportedFunction<Fn2>(instance, 'i');
    const ctl = exportedFunction<Fn3>(instance, 'j');
    const free = exportedFunction<Fn1>(instance, 'k');
    const malloc = exportedFunction<Fn1>(instance, 'l');

    const frameSize = 960;
    const state = init(frameSize, 48000);
    const bufPtr = malloc(frameSize * 2);
    const ctlPtr = malloc(4);
    if (!state || !bufPtr || !ctlPtr) throw new Error('speex: wasm allocation failed');
    heap.i32(ctlPtr, 1)[0] = 1;
    ctl(state, SPEEX_SET_DENOISE, ctlPtr);
    heap.i32(ctlPtr, 1)[0] = Math.round(options.noiseSuppressDb);
    ctl(state, SPEEX_SET_NOISE_SUPPRESS, ctlPtr);
    let alive = true;
    return {
      frameSize,
      latency: SPEEX_LATENCY,
      processFrame(input, output) {
        const view = heap.i16(bufPtr, frameSize);
        for (let i = 0; i < frameSize; i++) {
          // Clamp before the int16 cast: an overflow would wrap to the opposite sign and click.
          const s = Math.max(-1, Math.min(1, input[i] ?? 0));
          view[i] = Math.round(s * 32767);
        }
        run(state, bufPtr);
        const out = heap.i16(bufPtr, frameSize);
        for (let i = 0; i < frameSize; i++) output[i] = (out[i] ?? 0) / 32767;
      },
      destroy() {
        if (!alive) return;
        alive = false;
        free(bufPtr);
        free(ctlPtr);
        destroyState(state);
      },
    };
  };
}
