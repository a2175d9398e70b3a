import type { ModelManifest } from './manifest';

/**
 * Voice conversion. No neural conversion or speaker-embedding weights ship in any registry package, so the
 * installed method is classical DSP; an operator-pulled neural converter would be listed here as a `url`
 * source with its hashes, and chosen over it by its higher tier.
 */
export const VOICE_MODELS: readonly ModelManifest[] = [
  {
    id: 'dsp-voice-conversion',
    task: 'voice-conversion',
    displayName: 'DSP voice conversion (pitch shift to the target median f0 + mel-band timbre EQ)',
    runtime: 'js',
    kind: 'classical',
    languages: ['*'],
    sampleRate: 16000,
    qualityTier: 1,
    licence: 'NOASSERTION',
    // Code in this repository (packages/voice-dsp): nothing to download or hash.
    source: { kind: 'npm', package: '@voice/voice-dsp', version: '0.1.0' },
    files: [],
  },
];
