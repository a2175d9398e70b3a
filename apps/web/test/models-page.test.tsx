import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { Schemas } from '../src/api/client';
import { languageName, splitForDisplay } from '../src/features/models/model-text';
import { ModelsPage } from '../src/features/models/models-page';
import { stubApi } from './api-stub';
import { renderPage } from './render-page';

afterEach(() => {
  vi.unstubAllGlobals();
});

function installed(overrides: Partial<Schemas['InstalledModelDto']>): Schemas['InstalledModelDto'] {
  return {
    id: 'model',
    displayName: 'A model',
    kind: 'neural',
    runtime: 'wasm',
    languages: ['*'],
    sampleRate: 48_000,
    qualityTier: 1,
    licence: 'MIT',
    default: false,
    ...overrides,
  };
}

const LIST: Schemas['ModelListDto'] = {
  tasks: {
    denoise: [
      installed({ id: 'deepfilternet3', displayName: 'DeepFilterNet3', default: true }),
      installed({ id: 'speex', displayName: 'Speex', kind: 'classical' }),
    ],
    stt: [],
    tts: [
      installed({
        id: 'espeak-ng',
        displayName: 'eSpeak NG',
        kind: 'classical',
        languages: ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl', 'pl', 'ru'],
        voices: ['en-us', 'es'],
        default: true,
      }),
    ],
    'voice-conversion': [],
    translate: [installed({ id: 'apertium-eng-spa', displayName: 'Apertium', runtime: 'native', sampleRate: 0 })],
    music: [],
    sfx: [],
    vad: [],
  },
  unavailable: [
    {
      id: 'whisper-base',
      task: 'stt',
      displayName: 'Whisper base',
      kind: 'neural',
      runtime: 'native',
      status: 'missing',
      reason: 'Not installed: npm run setup:models downloads it',
    },
  ],
};

describe('models page', () => {
  it('lists models per task, neural or classical, with languages, voices and what is unavailable', async () => {
    stubApi(() => LIST);
    renderPage('/models', <ModelsPage />);
    expect(screen.getByRole('heading', { name: 'Models', level: 1 })).toBeTruthy();

    const denoise = await screen.findByRole('region', { name: 'Noise reduction' });
    const cards = within(denoise).getAllByRole('listitem');
    expect(cards.map((card) => within(card).getByRole('heading', { level: 3 }).textContent)).toEqual([
      'DeepFilterNet3',
      'Speex',
    ]);
    expect(within(cards[0] as HTMLElement).getByText('Neural')).toBeTruthy();
    expect(within(cards[0] as HTMLElement).getByText('Default')).toBeTruthy();
    expect(within(cards[1] as HTMLElement).getByText('Classical')).toBeTruthy();
    expect(within(cards[0] as HTMLElement).getByText('Any language')).toBeTruthy();

    const tts = screen.getByRole('region', { name: 'Text to speech' });
    expect(within(tts).getByText('en-us, es')).toBeTruthy();
    // Nine languages: six shown, three folded away.
    expect(within(tts).getByText('3 more languages')).toBeTruthy();

    expect(within(cards[0] as HTMLElement).getByText('wasm, 48 kHz')).toBeTruthy();
    // A text-only model has no audio rate to show.
    const translate = screen.getByRole('region', { name: 'Translation' });
    expect(within(translate).getByText('native', { exact: true })).toBeTruthy();

    const stt = screen.getByRole('region', { name: 'Speech to text' });
    expect(within(stt).getByText('No model for this task is installed on this server.')).toBeTruthy();
    const unavailable = screen.getByRole('region', { name: 'Not available on this server' });
    expect(within(unavailable).getByText('Whisper base')).toBeTruthy();
    expect(within(unavailable).getByText('Not installed: npm run setup:models downloads it')).toBeTruthy();
  });

  it('names languages, and folds only lists worth folding', () => {
    expect(languageName('*')).toBe('Any language');
    expect(languageName('en')).toBe('English (en)');
    expect(languageName('not a tag!')).toBe('not a tag!');
    expect(splitForDisplay([1, 2, 3, 4, 5, 6, 7])).toEqual({ visible: [1, 2, 3, 4, 5, 6, 7], folded: [] });
    expect(splitForDisplay([1, 2, 3, 4, 5, 6, 7, 8])).toEqual({ visible: [1, 2, 3, 4, 5, 6], folded: [7, 8] });
  });
});
