import { MusicRequestError } from './errors';

export type Mode = 'major' | 'minor';

/** A parsed key: tonic pitch class (0 = C) and mode. */
export interface MusicalKey {
  readonly tonic: number;
  readonly mode: Mode;
  /** Canonical spelling, e.g. "F# minor". */
  readonly name: string;
}

const LETTER_PC: Readonly<Record<string, number>> = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };
const SHARP_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
const FLAT_NAMES = ['C', 'Db', 'D', 'Eb', 'E', 'F', 'Gb', 'G', 'Ab', 'A', 'Bb', 'B'] as const;

/** Semitone offsets of the diatonic degrees. Minor is natural minor; cadences raise the 7th themselves. */
export const SCALES: Readonly<Record<Mode, readonly number[]>> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
};

export function pitchClassName(pc: number, preferFlats = false): string {
  const names = preferFlats ? FLAT_NAMES : SHARP_NAMES;
  return names[((pc % 12) + 12) % 12] ?? 'C';
}

/**
 * Parses "C major", "A minor", "F# minor", "Bb", "Am", "c#m", "Eb maj". A bare tonic is major.
 * Throws {@link MusicRequestError} with an example of the accepted form.
 */
export function parseKey(text: string): MusicalKey {
  const m = /^\s*([A-Ga-g])\s*(#|♯|b|♭|sharp|flat)?\s*(major|minor|maj|min|m|dur|moll)?\s*$/i.exec(text);
  if (!m) {
    throw new MusicRequestError(
      'invalid_key',
      `Invalid key "${text}": use a tonic A–G with optional # or b and "major" or "minor", e.g. "C major", "F# minor", "Bb major".`,
    );
  }
  const letter = (m[1] ?? 'C').toUpperCase();
  const accidental = (m[2] ?? '').toLowerCase();
  // "b" right after the letter is a flat; a lone "m" means minor ("Am"), "M"/"maj" major.
  const shift = accidental === '#' || accidental === '♯' || accidental === 'sharp' ? 1 : accidental === '' ? 0 : -1;
  const quality = (m[3] ?? 'major').toLowerCase();
  const mode: Mode =
    quality === 'minor' || quality === 'min' || quality === 'm' || quality === 'moll' ? 'minor' : 'major';
  const tonic = ((LETTER_PC[letter] ?? 0) + shift + 12) % 12;
  const spelled = `${letter}${shift === 1 ? '#' : shift === -1 ? 'b' : ''}`;
  return { tonic, mode, name: `${spelled} ${mode}` };
}

/** MIDI note of scale degree `degree` (any integer; 7 = tonic an octave up) above `tonicMidi`. */
export function degreeToMidi(key: MusicalKey, tonicMidi: number, degree: number): number {
  const scale = SCALES[key.mode];
  const octave = Math.floor(degree / 7);
  const idx = degree - octave * 7;
  return tonicMidi + octave * 12 + (scale[idx] ?? 0);
}

/** The MIDI note of the tonic pitch class closest to `around`. */
export function tonicNear(key: MusicalKey, around: number): number {
  const base = around - ((((around - key.tonic) % 12) + 12) % 12);
  return around - base > 6 ? base + 12 : base;
}

/** A chord as MIDI notes (root position, close voicing) and the scale degrees it is built on. */
export interface Chord {
  /** Diatonic degree of the root, 0..6. */
  readonly degree: number;
  readonly notes: readonly number[];
  /** Root MIDI note in the octave of `tonicMidi`. */
  readonly root: number;
}

/**
 * Builds the diatonic triad (or seventh) on `degree`. In minor, a dominant (degree 4) gets the
 * raised leading tone so cadences resolve like real minor-key music (harmonic minor V).
 */
export function buildChord(key: MusicalKey, tonicMidi: number, degree: number, seventh: boolean): Chord {
  const d = ((degree % 7) + 7) % 7;
  const steps = seventh ? [0, 2, 4, 6] : [0, 2, 4];
  const notes = steps.map((s) => {
    let n = degreeToMidi(key, tonicMidi, d + s);
    if (key.mode === 'minor' && d === 4 && s === 2) n += 1;
    return n;
  });
  return { degree: d, notes, root: notes[0] ?? tonicMidi };
}

/** Moves chord notes by octaves so they sit closest to the previous voicing (smooth voice leading). */
export function voiceLead(
  notes: readonly number[],
  previous: readonly number[] | undefined,
  low: number,
  high: number,
): number[] {
  const centre =
    previous && previous.length > 0 ? previous.reduce((a, b) => a + b, 0) / previous.length : (low + high) / 2;
  const placed = notes.map((n) => {
    let best = n;
    let bestDist = Infinity;
    for (let o = -4; o <= 4; o++) {
      const c = n + 12 * o;
      if (c < low || c > high) continue;
      const dist = Math.abs(c - centre);
      if (dist < bestDist) {
        best = c;
        bestDist = dist;
      }
    }
    return best;
  });
  return [...new Set(placed)].sort((a, b) => a - b);
}
