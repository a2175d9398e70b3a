import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';

import type { Voice } from '../src/features/voices/characteristics';
import { VoiceCard } from '../src/features/voices/voice-card';
import { encodeWavPcm16 } from '../src/lib/wav';

const CENTERS = Array.from({ length: 24 }, (_, i) => 80 + i * 300);

function voice(overrides: Partial<Voice>): Voice {
  return {
    id: '6f1c3a52-8d3e-4f7a-9a57-0c2b8e1d4f00',
    name: 'Warm narrator',
    description: 'Reads slowly',
    isPublic: false,
    owned: true,
    createdAt: '2025-01-02T10:00:00.000Z',
    voiceCharacteristics: {
      pitch: { medianHz: 112, meanHz: 115, p10Hz: 95, p90Hz: 140, stdSemitones: 2, voicedRatio: 0.8 },
      loudnessLufs: -14,
      speakingRate: { syllablesPerSecond: 4.8, method: 'peaks' },
      spectral: {
        centroidHz: 900,
        rolloffHz: 3000,
        tiltDbPerOctave: -6,
        bandEnergiesDb: CENTERS.map((_, i) => -i),
        bandCentersHz: CENTERS,
      },
      embedding: [],
      durationSeconds: 3.2,
      sampleDurationSeconds: 3.2,
      sampleFormat: 'wav',
    },
    ...overrides,
  };
}

function renderCard(value: Voice) {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <VoiceCard voice={value} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return screen.getByRole('article', { name: value.name });
}

describe('VoiceCard', () => {
  it('shows an own voice in words, with its spectrum, a public switch, delete and a voice-clone link', () => {
    const card = renderCard(voice({}));
    expect(within(card).getByText('Low pitch (112 Hz)')).toBeTruthy();
    expect(within(card).getByText('Moderate pace (4.8 syllables/s)')).toBeTruthy();
    expect(within(card).getByText('Loud (−14 LUFS)')).toBeTruthy();
    expect(within(card).getByRole('img').getAttribute('aria-label')).toMatch(/^Long-term average spectrum/);
    expect(within(card).getByRole('switch', { name: 'Public' }).getAttribute('aria-checked')).toBe('false');
    expect(within(card).getByRole('button', { name: 'Delete' })).toBeTruthy();
    // Only voice_clone takes a library voice; TTS's voice_id is one of the model's own voices.
    expect(within(card).getByRole('link', { name: 'Use this voice' }).getAttribute('href')).toBe(
      '/jobs/new?op=voice_clone&target_voice_id=6f1c3a52-8d3e-4f7a-9a57-0c2b8e1d4f00',
    );
    expect(within(card).queryByRole('link', { name: /tts|text to speech/i })).toBeNull();
  });

  it("offers someone else's public voice for use only: no switch, no delete", () => {
    const card = renderCard(voice({ owned: false, isPublic: true, name: 'Shared voice' }));
    expect(within(card).getByText('Public')).toBeTruthy();
    expect(within(card).queryByRole('switch')).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(within(card).getByRole('link', { name: 'Use this voice' })).toBeTruthy();
  });
});

describe('encodeWavPcm16', () => {
  it('writes a mono 16-bit PCM WAV of the channels averaged, clipped to full scale', () => {
    const left = Float32Array.of(0, 0.5, -1, 1.5);
    const right = Float32Array.of(0, 0.5, -1, 0.5);
    const view = new DataView(encodeWavPcm16([left, right], 24_000));
    const text = (offset: number, length: number) =>
      String.fromCharCode(...Array.from({ length }, (_, i) => view.getUint8(offset + i)));
    expect(text(0, 4)).toBe('RIFF');
    expect(text(8, 4)).toBe('WAVE');
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(24_000);
    expect(view.getUint16(34, true)).toBe(16);
    expect(view.getUint32(40, true)).toBe(8);
    expect(view.byteLength).toBe(52);
    expect([0, 1, 2, 3].map((i) => view.getInt16(44 + i * 2, true))).toEqual([0, 16384, -32768, 32767]);
  });
});
