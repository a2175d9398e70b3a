import { describe, expect, it } from 'vitest';

import {
  describeCharacteristics,
  loudnessWords,
  paceWords,
  pitchWords,
  type VoiceCharacteristics,
} from '../src/features/voices/characteristics';

describe('voice characteristics in words', () => {
  it('names pitch bands from typical adult speaking ranges, with the median in Hz', () => {
    expect(pitchWords(70)).toBe('Very low pitch (70 Hz)');
    expect(pitchWords(112.4)).toBe('Low pitch (112 Hz)');
    expect(pitchWords(160)).toBe('Medium pitch (160 Hz)');
    expect(pitchWords(210)).toBe('High pitch (210 Hz)');
    expect(pitchWords(300)).toBe('Very high pitch (300 Hz)');
  });

  it('puts each pitch boundary in the band above it', () => {
    expect(pitchWords(84.4)).toMatch(/^Very low/);
    expect(pitchWords(84.6)).toBe('Low pitch (85 Hz)');
    expect(pitchWords(85)).toMatch(/^Low/);
    expect(pitchWords(145)).toMatch(/^Medium/);
    expect(pitchWords(175)).toMatch(/^High/);
    expect(pitchWords(255)).toMatch(/^Very high/);
  });

  it('names the articulation rate, with one decimal', () => {
    expect(paceWords(2.4)).toBe('Slow pace (2.4 syllables/s)');
    expect(paceWords(4)).toBe('Relaxed pace (4.0 syllables/s)');
    expect(paceWords(4.8)).toBe('Moderate pace (4.8 syllables/s)');
    expect(paceWords(6.6)).toBe('Brisk pace (6.6 syllables/s)');
    expect(paceWords(8.04)).toBe('Very fast pace (8.0 syllables/s)');
  });

  it('names loudness against the delivery targets, with a real minus sign', () => {
    expect(loudnessWords(-14.2)).toBe('Loud (−14 LUFS)');
    expect(loudnessWords(-16)).toBe('Loud (−16 LUFS)');
    expect(loudnessWords(-23)).toBe('Moderate level (−23 LUFS)');
    expect(loudnessWords(-31)).toBe('Quiet (−31 LUFS)');
    expect(loudnessWords(-45)).toBe('Very quiet (−45 LUFS)');
    expect(loudnessWords(-8)).toBe('Very loud (−8 LUFS)');
    expect(loudnessWords(-0.2)).toBe('Very loud (0 LUFS)');
  });

  it('describes a whole measurement: pitch with its spread, pace and loudness', () => {
    const characteristics: VoiceCharacteristics = {
      pitch: { medianHz: 118, meanHz: 120, p10Hz: 97.6, p90Hz: 141.2, stdSemitones: 2, voicedRatio: 0.8 },
      loudnessLufs: -19.6,
      speakingRate: { syllablesPerSecond: 5.24, method: 'peaks' },
      spectral: { centroidHz: 900, rolloffHz: 3000, tiltDbPerOctave: -6, bandEnergiesDb: [], bandCentersHz: [] },
      embedding: [],
      durationSeconds: 4,
      sampleDurationSeconds: 4,
      sampleFormat: 'wav',
    };
    expect(describeCharacteristics(characteristics).map(({ label, words }) => `${label}: ${words}`)).toEqual([
      'Pitch: Low pitch (118 Hz)',
      'Pace: Moderate pace (5.2 syllables/s)',
      'Loudness: Loud (−20 LUFS)',
    ]);
    expect(describeCharacteristics(characteristics)[0]?.detail).toBe('Mostly between 98 and 141 Hz');
  });
});
