import type { ModelFile, ModelManifest } from './manifest';

/** Translation takes and returns text: there is no audio rate to feed. */
const TEXT_ONLY = 0;

/** The `apertium` driver script (Debian `apertium` 3.8.3-1+b2, a dependency of every pair): runs a mode's pipeline. */
const APERTIUM_DRIVER: ModelFile = {
  path: '/usr/bin/apertium',
  sha256: '0c10b25947a403d8ea27a0100cddcc9276d517a4d10047de28d4a5d9b52b3e0c',
  bytes: 19335,
};

/**
 * Machine translation. No neural MT weights ship in any reachable registry, so every installed direction is
 * Apertium's rule-based shallow transfer from Debian, one entry per direction; the files are the mode pipeline, the
 * morphological analyser, the bilingual dictionary and the generator. eng→spa reads well; the reverse directions are
 * weaker and rank lower. Licences from each package's debian/copyright: the engine is GPL-2.0-or-later, the eng-spa,
 * en-gl and eo-en data GPL-2.0-only, the eng-cat data GPL-2.0-or-later and GPL-3.0-or-later. An operator-pulled
 * neural model (for example an OPUS-MT ONNX export) would be a `url` source with a higher tier.
 */
export const TRANSLATE_MODELS: readonly ModelManifest[] = [
  {
    id: 'apertium-eng-spa',
    task: 'translate',
    displayName: 'Apertium English → Spanish (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['en', 'es'],
    sampleRate: TEXT_ONLY,
    qualityTier: 2,
    licence: 'GPL-2.0-only AND GPL-2.0-or-later',
    source: { kind: 'debian', package: 'apertium-eng-spa', version: '0.8.1-2' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/eng-spa.mode',
        sha256: '39e696f95a011766ec06c9141ad8f49c61dcafa04f8fbd8315168bf02f60cf96',
        bytes: 1052,
      },
      {
        path: '/usr/share/apertium/apertium-eng-spa/eng-spa.automorf.bin',
        sha256: '67989e1af7cf52913bf13ea28ad3b59f80ea36bb88e5249ef471be1b38b2a426',
        bytes: 397185,
      },
      {
        path: '/usr/share/apertium/apertium-eng-spa/eng-spa.autobil.bin',
        sha256: '5864060a24c42b0f8245b740cbef3f34863ee0028a980039c7fc09213e345df9',
        bytes: 632815,
      },
      {
        path: '/usr/share/apertium/apertium-eng-spa/eng-spa.autogen.bin',
        sha256: '0c85b47064d7785d89fcd5acc920f1097e327e7adbd57c5a0a0963063c99848e',
        bytes: 743146,
      },
    ],
  },
  {
    id: 'apertium-spa-eng',
    task: 'translate',
    displayName: 'Apertium Spanish → English (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['es', 'en'],
    sampleRate: TEXT_ONLY,
    qualityTier: 1,
    licence: 'GPL-2.0-only AND GPL-2.0-or-later',
    source: { kind: 'debian', package: 'apertium-eng-spa', version: '0.8.1-2' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/spa-eng.mode',
        sha256: '0254517f9c89f399928038d4d79e60cb691dccfcf5726d1b3881adcc30c67d9f',
        bytes: 892,
      },
      {
        path: '/usr/share/apertium/apertium-eng-spa/spa-eng.automorf.bin',
        sha256: '9c273f2e22c6c87e5b2c35ddc97c02e954eff01dfa355b2f9324a1bcd0b9d364',
        bytes: 752139,
      },
      {
        path: '/usr/share/apertium/apertium-eng-spa/spa-eng.autobil.bin',
        sha256: '94acba99b98f87ad95bf039613674f04b3791feb778462fb359f8ae46f79608b',
        bytes: 635982,
      },
      {
        path: '/usr/share/apertium/apertium-eng-spa/spa-eng.autogen.bin',
        sha256: '17c31849c6f23b362fb89c62d7a5b37827d19b34ff2f59b65ed3307e3175b677',
        bytes: 362787,
      },
    ],
  },
  {
    id: 'apertium-eng-cat',
    task: 'translate',
    displayName: 'Apertium English → Catalan (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['en', 'ca'],
    sampleRate: TEXT_ONLY,
    qualityTier: 2,
    licence: 'GPL-2.0-or-later AND GPL-3.0-or-later',
    source: { kind: 'debian', package: 'apertium-eng-cat', version: '1.0.1-5' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/eng-cat.mode',
        sha256: '7283db52f840235bd4b19203b40dbd0001a069cde49db4dcad82cd8169e5cb8f',
        bytes: 1354,
      },
      {
        path: '/usr/share/apertium/apertium-eng-cat/eng-cat.automorf.bin',
        sha256: '478d3bbfafaf94b67f99be2572e3783610590e315b984ee220238db4fb65c92f',
        bytes: 615382,
      },
      {
        path: '/usr/share/apertium/apertium-eng-cat/eng-cat.autobil.bin',
        sha256: '863289f35a115714ee659680548fd98d2fe8ea6d38bcb4a03c70c6f38a0a3839',
        bytes: 787686,
      },
      {
        path: '/usr/share/apertium/apertium-eng-cat/eng-cat.autogen.bin',
        sha256: 'ddbc3e6062d6fb108f524bf6730dfe656a46ab338458e514081f213942b9ba8c',
        bytes: 1485418,
      },
    ],
  },
  {
    id: 'apertium-cat-eng',
    task: 'translate',
    displayName: 'Apertium Catalan → English (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['ca', 'en'],
    sampleRate: TEXT_ONLY,
    qualityTier: 1,
    licence: 'GPL-2.0-or-later AND GPL-3.0-or-later',
    source: { kind: 'debian', package: 'apertium-eng-cat', version: '1.0.1-5' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/cat-eng.mode',
        sha256: '12cf0ded0cd0248d95310c3882411994b9761b51ec3802eb83ae4b09cb6a762d',
        bytes: 1121,
      },
      {
        path: '/usr/share/apertium/apertium-eng-cat/cat-eng.automorf.bin',
        sha256: 'ea0ec563dea8297a437d1f653ca1ce7abad3403150e6c88860b3e604122a71ba',
        bytes: 619458,
      },
      {
        path: '/usr/share/apertium/apertium-eng-cat/cat-eng.autobil.bin',
        sha256: 'c0816369640768b2a6bc6e0156dde6b134ae80c7905cdba35161a46bfbb1d262',
        bytes: 760601,
      },
      {
        path: '/usr/share/apertium/apertium-eng-cat/cat-eng.autogen.bin',
        sha256: '2b12b871987c5926bb3fd1b5a1669e4ca8a2c2dc91e743b4a6bb9421b5801f01',
        bytes: 919438,
      },
    ],
  },
  {
    id: 'apertium-en-gl',
    task: 'translate',
    displayName: 'Apertium English → Galician (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['en', 'gl'],
    sampleRate: TEXT_ONLY,
    qualityTier: 1,
    licence: 'GPL-2.0-only AND GPL-2.0-or-later',
    source: { kind: 'debian', package: 'apertium-en-gl', version: '0.5.4-1' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/en-gl.mode',
        sha256: '9b0874c39410c4d4cc11cb42224aa8f99590a5d3b44c89f019efbd44984867fa',
        bytes: 750,
      },
      {
        path: '/usr/share/apertium/apertium-en-gl/en-gl.automorf.bin',
        sha256: '702ecd5ba6f6042784e1b6e84965dccdacc384c3e20c0db5d3c2607413e1976f',
        bytes: 240956,
      },
      {
        path: '/usr/share/apertium/apertium-en-gl/en-gl.autobil.bin',
        sha256: '0a20f30a0e62600e301b09770304392ce4406aa77218c6b1a3e95ec85583bf20',
        bytes: 1827290,
      },
      {
        path: '/usr/share/apertium/apertium-en-gl/en-gl.autogen.bin',
        sha256: 'd43a396bf34449e21e0bf5694226278e4a508ab38e56f1aca85581321c774a17',
        bytes: 618627,
      },
    ],
  },
  {
    id: 'apertium-gl-en',
    task: 'translate',
    displayName: 'Apertium Galician → English (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['gl', 'en'],
    sampleRate: TEXT_ONLY,
    qualityTier: 1,
    licence: 'GPL-2.0-only AND GPL-2.0-or-later',
    source: { kind: 'debian', package: 'apertium-en-gl', version: '0.5.4-1' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/gl-en.mode',
        sha256: 'c4de80d625d70601c923430dc5e2fbecd08028ac50d2136b0f1ae2903facc223',
        bytes: 750,
      },
      {
        path: '/usr/share/apertium/apertium-en-gl/gl-en.automorf.bin',
        sha256: 'bb45a5221ca3ce4908c353b232a9235f01092ba0c0f4510b9976cc38f5de9801',
        bytes: 615667,
      },
      {
        path: '/usr/share/apertium/apertium-en-gl/gl-en.autobil.bin',
        sha256: '90c7adda19f8b3dd9a626b78d899809f25eba468000b15864c5e3da78e2cd1f5',
        bytes: 1821917,
      },
      {
        path: '/usr/share/apertium/apertium-en-gl/gl-en.autogen.bin',
        sha256: '3a9a171114df215db16afac7eeb8521aea1b8e3cbbffe95f127d611e43825838',
        bytes: 240400,
      },
    ],
  },
  {
    id: 'apertium-en-eo',
    task: 'translate',
    displayName: 'Apertium English → Esperanto (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['en', 'eo'],
    sampleRate: TEXT_ONLY,
    qualityTier: 1,
    licence: 'GPL-2.0-only AND GPL-2.0-or-later',
    source: { kind: 'debian', package: 'apertium-eo-en', version: '1.0.2-1' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/en-eo.mode',
        sha256: 'e756e8548a65c8c45ec97474774605775bca1bd9eee44ac6347f3052c918d99b',
        bytes: 1138,
      },
      {
        path: '/usr/share/apertium/apertium-eo-en/en-eo.automorf.bin',
        sha256: '7e75d00e7335e8095e90062fd76d0c136880a6626be57eda55e8421f4b42e655',
        bytes: 209700,
      },
      {
        path: '/usr/share/apertium/apertium-eo-en/en-eo.autobil.bin',
        sha256: '989eda0b79c1c5abd2743dc4c3277c1d9a1a31521c0c1378e2d74466b73e925a',
        bytes: 314362,
      },
      {
        path: '/usr/share/apertium/apertium-eo-en/en-eo.autogen.bin',
        sha256: '392e9bdace1446ea466add1601cb96acdad29ff62257cbfcb0dd99ec3e45157b',
        bytes: 230999,
      },
    ],
  },
  {
    id: 'apertium-eo-en',
    task: 'translate',
    displayName: 'Apertium Esperanto → English (rule-based machine translation)',
    runtime: 'native',
    kind: 'classical',
    languages: ['eo', 'en'],
    sampleRate: TEXT_ONLY,
    qualityTier: 1,
    licence: 'GPL-2.0-only AND GPL-2.0-or-later',
    source: { kind: 'debian', package: 'apertium-eo-en', version: '1.0.2-1' },
    files: [
      APERTIUM_DRIVER,
      {
        path: '/usr/share/apertium/modes/eo-en.mode',
        sha256: '7aad1367ad0092aaf1638bc818987b3423e4bd4364ef3731af01a98bd3a72838',
        bytes: 833,
      },
      {
        path: '/usr/share/apertium/apertium-eo-en/eo-en.automorf.bin',
        sha256: 'd85f650190a5217c6b92a147741a6ec9e65d2583199c4018d87f80b7c679ecef',
        bytes: 229780,
      },
      {
        path: '/usr/share/apertium/apertium-eo-en/eo-en.autobil.bin',
        sha256: 'abd510b8e9eb3c8a2002c1331bfdc982855fd63921e84a7eddfe8aaa9dca4d83',
        bytes: 416907,
      },
      {
        path: '/usr/share/apertium/apertium-eo-en/eo-en.autogen.bin',
        sha256: 'b49ffd0d8893297756de7f7d8016df8eac41f79398feb510ac1160336ccbba69',
        bytes: 205851,
      },
    ],
  },
];
