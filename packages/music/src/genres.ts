import type { Mode } from './theory';

export const GENRES = ['ambient', 'lofi', 'rock', 'electronic', 'cinematic', 'acoustic', 'corporate'] as const;
export type Genre = (typeof GENRES)[number];

/** Alternative names accepted for a genre (the API takes free-form genre strings). */
export const GENRE_ALIASES: Readonly<Record<string, Genre>> = {
  'lo-fi': 'lofi',
  'lo fi': 'lofi',
  chillhop: 'lofi',
  folk: 'acoustic',
  'acoustic-folk': 'acoustic',
  'acoustic/folk': 'acoustic',
  upbeat: 'corporate',
  'corporate-upbeat': 'corporate',
  'corporate/upbeat': 'corporate',
  edm: 'electronic',
  house: 'electronic',
  synthwave: 'electronic',
  orchestral: 'cinematic',
  epic: 'cinematic',
  soundtrack: 'cinematic',
  chill: 'ambient',
  drone: 'ambient',
};

/** General MIDI program numbers (0-based) for the parts of an arrangement; absent = part not played. */
export interface Instrumentation {
  chords?: number;
  bass?: number;
  melody?: number;
  arp?: number;
  /** A sustained layer under the chords (strings, pad, choir). */
  layer?: number;
}

export type DrumStyle = 'rock' | 'four-on-floor' | 'boom-bap' | 'pop' | 'folk' | 'cinematic';
export type ChordStyle = 'sustain' | 'stabs' | 'strum' | 'broken' | 'power' | 'offbeat';
export type BassStyle = 'whole' | 'eighths' | 'root-fifth' | 'syncopated' | 'octaves' | 'pulse';
export type ArpStyle = 'up' | 'updown' | 'broken16' | 'pluck';

/** Everything that makes a genre sound like itself. */
export interface GenreStyle {
  readonly genre: Genre;
  readonly tempo: { readonly min: number; readonly max: number };
  /** Modes a seed picks from when the request gives no key. */
  readonly modes: readonly Mode[];
  /** Progressions as diatonic degrees (0 = I/i), one chord per `barsPerChord` bars... or per half bar. */
  readonly progressions: Readonly<Record<Mode, readonly (readonly number[])[]>>;
  /** Chords per bar: 1 or 2. */
  readonly chordsPerBar: 1 | 2;
  readonly sevenths: boolean;
  readonly instruments: Instrumentation;
  /** Programs a seed may swap in per part, for variety between seeds. */
  readonly alternatives: Readonly<Partial<Record<keyof Instrumentation, readonly number[]>>>;
  readonly chordStyle: ChordStyle;
  readonly bassStyle: BassStyle;
  readonly arpStyle?: ArpStyle;
  readonly drums?: DrumStyle;
  /** Delay of every odd 16th as a fraction of a 16th (0 straight, ~0.33 triplet swing). */
  readonly swing: number;
  /** Melody notes per bar, roughly (0 = no melody). */
  readonly melodyDensity: number;
  /** MIDI range of the melody. */
  readonly melodyRange: readonly [number, number];
  /** Reverb send (CC91), 0–127. */
  readonly reverb: number;
}

const COMMON_MAJOR = [
  [0, 4, 5, 3],
  [0, 5, 3, 4],
  [0, 3, 0, 4],
  [5, 3, 0, 4],
] as const;
const COMMON_MINOR = [
  [0, 5, 2, 6],
  [0, 3, 4, 0],
  [0, 5, 3, 4],
  [0, 6, 5, 4],
] as const;

export const GENRE_STYLES: Readonly<Record<Genre, GenreStyle>> = {
  ambient: {
    genre: 'ambient',
    tempo: { min: 56, max: 76 },
    modes: ['major', 'minor'],
    progressions: {
      major: [
        [0, 3],
        [0, 5, 3, 0],
        [3, 0, 4, 5],
      ],
      minor: [
        [0, 5],
        [0, 3, 5, 0],
        [0, 6, 5, 6],
      ],
    },
    chordsPerBar: 1,
    sevenths: true,
    instruments: { chords: 89, layer: 48, arp: 8 },
    alternatives: { chords: [88, 89, 94], layer: [48, 52, 91], arp: [8, 11, 46] },
    chordStyle: 'sustain',
    bassStyle: 'whole',
    arpStyle: 'pluck',
    swing: 0,
    melodyDensity: 0,
    melodyRange: [67, 84],
    reverb: 127,
  },
  lofi: {
    genre: 'lofi',
    tempo: { min: 70, max: 90 },
    modes: ['minor', 'major'],
    progressions: {
      major: [
        [1, 4, 0, 5],
        [3, 2, 1, 0],
        [0, 5, 1, 4],
      ],
      minor: [
        [0, 3, 6, 2],
        [5, 4, 0, 0],
        [0, 5, 3, 4],
      ],
    },
    chordsPerBar: 1,
    sevenths: true,
    instruments: { chords: 4, bass: 33, melody: 11 },
    alternatives: { chords: [4, 5, 0], bass: [32, 33], melody: [11, 4, 73, 26] },
    chordStyle: 'stabs',
    bassStyle: 'syncopated',
    drums: 'boom-bap',
    swing: 0.3,
    melodyDensity: 3,
    melodyRange: [65, 81],
    reverb: 60,
  },
  rock: {
    genre: 'rock',
    tempo: { min: 100, max: 150 },
    modes: ['major', 'minor'],
    progressions: {
      major: [
        [0, 4, 5, 3],
        [0, 3, 4, 3],
        [0, 6, 3, 0],
      ],
      minor: [
        [0, 5, 6, 0],
        [0, 6, 5, 4],
        [0, 3, 6, 6],
      ],
    },
    chordsPerBar: 1,
    sevenths: false,
    instruments: { chords: 30, bass: 34, melody: 29 },
    alternatives: { chords: [29, 30], bass: [33, 34], melody: [29, 30, 81] },
    chordStyle: 'power',
    bassStyle: 'eighths',
    drums: 'rock',
    swing: 0,
    melodyDensity: 4,
    melodyRange: [64, 84],
    reverb: 40,
  },
  electronic: {
    genre: 'electronic',
    tempo: { min: 118, max: 132 },
    modes: ['minor', 'major'],
    progressions: { major: COMMON_MAJOR, minor: COMMON_MINOR },
    chordsPerBar: 1,
    sevenths: false,
    instruments: { chords: 90, bass: 38, melody: 81, arp: 80 },
    alternatives: { chords: [88, 90, 50], bass: [38, 39], melody: [81, 80, 84], arp: [80, 81, 98] },
    chordStyle: 'offbeat',
    bassStyle: 'pulse',
    arpStyle: 'broken16',
    drums: 'four-on-floor',
    swing: 0,
    melodyDensity: 4,
    melodyRange: [67, 86],
    reverb: 70,
  },
  cinematic: {
    genre: 'cinematic',
    tempo: { min: 70, max: 110 },
    modes: ['minor', 'major'],
    progressions: {
      major: [
        [0, 5, 3, 4],
        [0, 2, 3, 4],
        [3, 0, 4, 5],
      ],
      minor: [
        [0, 5, 2, 6],
        [0, 3, 5, 4],
        [0, 6, 5, 6],
      ],
    },
    chordsPerBar: 1,
    sevenths: false,
    instruments: { chords: 48, bass: 42, melody: 60, arp: 45, layer: 52 },
    alternatives: { melody: [60, 56, 40, 73], layer: [52, 61, 91], arp: [45, 48] },
    chordStyle: 'sustain',
    bassStyle: 'octaves',
    arpStyle: 'updown',
    drums: 'cinematic',
    swing: 0,
    melodyDensity: 2,
    melodyRange: [60, 79],
    reverb: 110,
  },
  acoustic: {
    genre: 'acoustic',
    tempo: { min: 84, max: 116 },
    modes: ['major', 'minor'],
    progressions: {
      major: [
        [0, 3, 0, 4],
        [0, 5, 3, 4],
        [0, 4, 5, 3],
      ],
      minor: [
        [0, 6, 5, 6],
        [0, 3, 0, 4],
        [0, 5, 6, 4],
      ],
    },
    chordsPerBar: 1,
    sevenths: false,
    instruments: { chords: 25, bass: 32, melody: 73 },
    alternatives: { chords: [24, 25], melody: [73, 22, 40, 105], bass: [32] },
    chordStyle: 'strum',
    bassStyle: 'root-fifth',
    drums: 'folk',
    swing: 0.12,
    melodyDensity: 3,
    melodyRange: [62, 81],
    reverb: 55,
  },
  corporate: {
    genre: 'corporate',
    tempo: { min: 104, max: 124 },
    modes: ['major'],
    progressions: { major: COMMON_MAJOR, minor: COMMON_MINOR },
    chordsPerBar: 1,
    sevenths: false,
    instruments: { chords: 0, bass: 33, melody: 12, arp: 25, layer: 48 },
    alternatives: { chords: [0, 4], melody: [12, 11, 9, 0], arp: [25, 27, 46] },
    chordStyle: 'broken',
    bassStyle: 'eighths',
    arpStyle: 'up',
    drums: 'pop',
    swing: 0,
    melodyDensity: 4,
    melodyRange: [67, 86],
    reverb: 60,
  },
};

/** Resolves a free-form genre name; throws nothing, returns undefined when unknown. */
export function resolveGenre(name: string): Genre | undefined {
  const key = name.trim().toLowerCase();
  if ((GENRES as readonly string[]).includes(key)) return key as Genre;
  return GENRE_ALIASES[key];
}

/** Names of GM programs used by the styles, for output metadata. */
export const GM_PROGRAM_NAMES: Readonly<Record<number, string>> = {
  0: 'Acoustic Grand Piano',
  4: 'Electric Piano 1',
  5: 'Electric Piano 2',
  8: 'Celesta',
  9: 'Glockenspiel',
  11: 'Vibraphone',
  12: 'Marimba',
  22: 'Harmonica',
  24: 'Nylon Guitar',
  25: 'Steel Guitar',
  26: 'Jazz Guitar',
  27: 'Clean Electric Guitar',
  29: 'Overdriven Guitar',
  30: 'Distortion Guitar',
  32: 'Acoustic Bass',
  33: 'Fingered Bass',
  34: 'Picked Bass',
  38: 'Synth Bass 1',
  39: 'Synth Bass 2',
  40: 'Violin',
  42: 'Cello',
  45: 'Pizzicato Strings',
  46: 'Harp',
  48: 'String Ensemble',
  49: 'Slow Strings',
  50: 'Synth Strings',
  52: 'Choir Aahs',
  56: 'Trumpet',
  60: 'French Horn',
  61: 'Brass Section',
  68: 'Oboe',
  71: 'Clarinet',
  73: 'Flute',
  80: 'Square Lead',
  81: 'Saw Lead',
  84: 'Charang Lead',
  88: 'New Age Pad',
  89: 'Warm Pad',
  90: 'Polysynth Pad',
  91: 'Choir Pad',
  94: 'Halo Pad',
  98: 'Crystal FX',
  105: 'Banjo',
};

export function programName(program: number): string {
  return GM_PROGRAM_NAMES[program] ?? `GM program ${program}`;
}
