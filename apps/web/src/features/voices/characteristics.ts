import type { Schemas } from '../../api/client';

export type Voice = Schemas['VoiceDto'];
export type VoiceCharacteristics = Schemas['VoiceCharacteristicsDto'];

/** One measured characteristic, said in words with its number: "Low pitch (112 Hz)". */
export interface CharacteristicWords {
  label: string;
  words: string;
  /** How it was measured, or its spread, for a second line. */
  detail: string;
}

interface Band {
  /** The band holds values below this bound (the last band has none). */
  below: number;
  words: string;
}

function bandOf(value: number, bands: readonly Band[], top: string): string {
  return bands.find((band) => value < band.below)?.words ?? top;
}

/** A typographic minus, which screen readers say as "minus" (a hyphen is often skipped). */
function signed(value: number, digits = 0): string {
  const text = Math.abs(value).toFixed(digits);
  return value < 0 && Number(text) !== 0 ? `−${text}` : text;
}

/**
 * Median speaking f0. Typical adult speakers: men about 85–155 Hz, women about 165–255 Hz (Baken 1987; Titze,
 * "Principles of Voice Production", 1994); children and falsetto sit above. "Medium" straddles the gap
 * between the two adult ranges, so a voice is only called low or high when it is typical of one of them.
 */
const PITCH_BANDS: readonly Band[] = [
  { below: 85, words: 'Very low pitch' },
  { below: 145, words: 'Low pitch' },
  { below: 175, words: 'Medium pitch' },
  { below: 255, words: 'High pitch' },
];

/**
 * The analysis counts syllable nuclei per second of active speech, pauses excluded: an articulation rate
 * (de Jong & Wempe 2009). Such rates for English cluster around 4.5–6 syllables a second (Goldman-Eisler 1968
 * found 4.4–5.9; Pellegrino et al. 2011 measured 6.2 in read English), so that span is "moderate".
 */
const PACE_BANDS: readonly Band[] = [
  { below: 3, words: 'Slow pace' },
  { below: 4.5, words: 'Relaxed pace' },
  { below: 6, words: 'Moderate pace' },
  { below: 7.5, words: 'Brisk pace' },
];

/**
 * BS.1770 integrated loudness against the delivery targets: streaming −14, podcast −16 (mono −19), broadcast
 * (EBU R128) −23 LUFS. A sample at a streaming or podcast target is "loud", one near broadcast level
 * "moderate"; above −10 LUFS speech is usually heavily limited or clipping.
 */
const LOUDNESS_BANDS: readonly Band[] = [
  { below: -38, words: 'Very quiet' },
  { below: -28, words: 'Quiet' },
  { below: -20, words: 'Moderate level' },
  { below: -10, words: 'Loud' },
];

// Each value is banded as it is shown (rounded), so the words and the number never disagree at a boundary.

export function pitchWords(medianHz: number): string {
  const hz = Math.round(medianHz);
  return `${bandOf(hz, PITCH_BANDS, 'Very high pitch')} (${hz} Hz)`;
}

export function paceWords(syllablesPerSecond: number): string {
  const rate = syllablesPerSecond.toFixed(1);
  return `${bandOf(Number(rate), PACE_BANDS, 'Very fast pace')} (${rate} syllables/s)`;
}

export function loudnessWords(lufs: number): string {
  const level = Math.round(lufs);
  return `${bandOf(level, LOUDNESS_BANDS, 'Very loud')} (${signed(level)} LUFS)`;
}

/** Pitch, pace and loudness of a voice, in words. */
export function describeCharacteristics(characteristics: VoiceCharacteristics): CharacteristicWords[] {
  const { pitch, speakingRate, loudnessLufs } = characteristics;
  return [
    {
      label: 'Pitch',
      words: pitchWords(pitch.medianHz),
      detail: `Mostly between ${Math.round(pitch.p10Hz)} and ${Math.round(pitch.p90Hz)} Hz`,
    },
    {
      label: 'Pace',
      words: paceWords(speakingRate.syllablesPerSecond),
      detail: 'Syllables per second of speech, pauses left out',
    },
    {
      label: 'Loudness',
      words: loudnessWords(loudnessLufs),
      detail: 'Integrated loudness of the sample (ITU-R BS.1770)',
    },
  ];
}
