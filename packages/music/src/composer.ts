import { GENRE_STYLES, programName, type DrumStyle, type Genre, type GenreStyle, type Instrumentation } from './genres';
import { Rng } from './prng';
import { buildChord, degreeToMidi, tonicNear, voiceLead, type Chord, type MusicalKey } from './theory';

/** One General MIDI note, timed in seconds from the start of the piece. */
export interface NoteEvent {
  readonly time: number;
  readonly duration: number;
  readonly channel: number;
  readonly note: number;
  readonly velocity: number;
}

/** Program and mixer settings of one MIDI channel. */
export interface ChannelSetup {
  readonly channel: number;
  readonly part: keyof Instrumentation | 'drums';
  /** GM program, 0-based (ignored on the drum channel 9). */
  readonly program: number;
  /** CC7, 0–127. */
  readonly volume: number;
  /** CC91 reverb send, 0–127. */
  readonly reverb: number;
  /** CC93 chorus send, 0–127. */
  readonly chorus: number;
}

/** A composed piece, ready to render. */
export interface Score {
  readonly genre: Genre;
  readonly key: MusicalKey;
  readonly tempo: number;
  readonly durationSeconds: number;
  /** Length of the closing fade-out applied after rendering. */
  readonly fadeSeconds: number;
  readonly bars: number;
  readonly channels: readonly ChannelSetup[];
  readonly notes: readonly NoteEvent[];
  /** Chord symbols per bar (roman numerals), for metadata and debugging. */
  readonly progression: readonly string[];
}

/** What the composer needs; all values are already validated. */
export interface ComposeOptions {
  readonly genre: Genre;
  readonly key: MusicalKey;
  readonly tempo: number;
  readonly seed: number;
  readonly durationSeconds: number;
  /** Per-part program overrides (mood presets use this). */
  readonly instruments?: Partial<Instrumentation>;
  /** 0.6 (gentle) … 1.3 (driving): scales velocities and melody density. */
  readonly intensity?: number;
  /** false removes the drum kit (calm moods). */
  readonly drums?: boolean;
}

const DRUM_CHANNEL = 9;
const CH = { chords: 0, bass: 1, melody: 2, arp: 3, layer: 4 } as const;
const KICK = 36;
const SNARE = 38;
const SIDE_STICK = 37;
const CLAP = 39;
const CLOSED_HAT = 42;
const OPEN_HAT = 46;
const CRASH = 49;
const RIDE = 51;
const TAMBOURINE = 54;
const SHAKER = 70;
const LOW_FLOOR_TOM = 41;
const TOMS = [50, 48, 45, 43] as const;
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII'] as const;

/**
 * Composes a piece: a chord progression in the key, bass line, chord part in the genre's
 * rhythm, motif-based melody, arpeggio and pad layers, a drum pattern with phrase fills, an
 * intro for longer pieces, and a cadence (V–I, or IV–I for ambient) onto a tonic chord that is
 * held through the closing fade. Deterministic in (options): each part draws from its own
 * seeded stream.
 */
export function compose(options: ComposeOptions): Score {
  const style = GENRE_STYLES[options.genre];
  const rng = new Rng(options.seed);
  const intensity = options.intensity ?? 1;
  const instruments = chooseInstruments(style, options.instruments, rng.fork('instruments'));
  const stepSec = 60 / options.tempo / 4;
  const barSec = stepSec * 16;
  const duration = options.durationSeconds;
  const fadeSeconds = Math.min(4, Math.max(0.3, duration * 0.12));
  const bars = Math.max(1, Math.ceil(duration / barSec));
  // The tonic lands where the fade starts, so the piece ends on a resolved chord rather than mid-phrase.
  const cadenceBar = Math.max(0, Math.min(bars - 1, Math.floor((duration - fadeSeconds) / barSec)));
  const introBars = cadenceBar >= 10 ? 2 : 0;
  const key = options.key;
  const tonic = tonicNear(key, 60);

  const progression = rng.fork('progression').pick(style.progressions[key.mode]);
  const chordDegrees: number[] = [];
  for (let bar = 0; bar < bars; bar++) {
    const slots: number[] = [];
    for (let half = 0; half < style.chordsPerBar; half++) {
      const idx = (bar * style.chordsPerBar + half) % progression.length;
      slots.push(progression[idx] ?? 0);
    }
    chordDegrees.push(...slots);
  }
  if (cadenceBar >= 2) {
    const approach = options.genre === 'ambient' ? 3 : 4;
    for (let h = 0; h < style.chordsPerBar; h++) chordDegrees[(cadenceBar - 1) * style.chordsPerBar + h] = approach;
  }
  for (let b = cadenceBar; b < bars; b++)
    for (let h = 0; h < style.chordsPerBar; h++) chordDegrees[b * style.chordsPerBar + h] = 0;

  const notes: NoteEvent[] = [];
  const humanRng = rng.fork('humanise');
  const at = (bar: number, step: number): number => {
    const swung = step % 2 === 1 ? style.swing : 0;
    return (bar * 16 + step + swung) * stepSec;
  };
  const add = (channel: number, time: number, len: number, note: number, velocity: number, jitter = true): void => {
    if (time >= duration || note < 0 || note > 127) return;
    // A few ms of timing and velocity spread keeps the parts from sounding machine-locked.
    const t = Math.max(0, time + (jitter ? humanRng.gauss() * 0.004 : 0));
    const v = Math.round(Math.min(127, Math.max(1, velocity * intensity + humanRng.gauss() * 5)));
    notes.push({ time: t, duration: Math.max(0.02, Math.min(len, duration - t)), channel, note, velocity: v });
  };
  const levelOf = (bar: number): number => {
    if (bar < introBars) return 0;
    if (cadenceBar < 8) return 2;
    return Math.floor((bar - introBars) / 8) % 2 === 0 ? 1 : 2;
  };

  let previousVoicing: number[] | undefined;
  const melody = new MelodyWriter(style, key, tonic, rng.fork('melody'), intensity);
  const partRng = rng.fork('parts');
  const drumRng = rng.fork('drums');
  const drumsOn = options.drums !== false && style.drums !== undefined;

  for (let bar = 0; bar < bars; bar++) {
    const level = levelOf(bar);
    const isCadence = bar >= cadenceBar;
    const halfSteps = 16 / style.chordsPerBar;
    for (let half = 0; half < style.chordsPerBar; half++) {
      const degree = chordDegrees[bar * style.chordsPerBar + half] ?? 0;
      const chord = buildChord(key, tonic, degree, style.sevenths && !isCadence);
      const voicing = voiceLead(chord.notes, previousVoicing, 53, 74);
      previousVoicing = voicing;
      const start = half * halfSteps;
      if (isCadence) {
        if (bar === cadenceBar && half === 0)
          writeCadence(add, at(bar, 0), duration, chord, voicing, instruments, style);
        continue;
      }
      if (instruments.chords !== undefined)
        writeChords(add, at, bar, start, halfSteps, voicing, chord, style, level, partRng, stepSec);
      if (instruments.bass !== undefined)
        writeBass(add, at, bar, start, halfSteps, chord, style, level, partRng, stepSec);
      if (instruments.layer !== undefined && (level >= 2 || style.genre === 'ambient' || style.genre === 'cinematic')) {
        for (const n of voiceLead(chord.notes, undefined, 55, 72))
          add(CH.layer, at(bar, start), halfSteps * stepSec * 1.02, n, 58, false);
      }
      const arpWanted = style.melodyDensity === 0 || level >= 2 || instruments.melody === undefined;
      if (instruments.arp !== undefined && style.arpStyle !== undefined && arpWanted && level >= 1) {
        writeArp(add, at, bar, start, halfSteps, voicing, style, partRng, stepSec);
      }
    }
    if (!isCadence && instruments.melody !== undefined && level >= 1 && style.melodyDensity > 0) {
      const chord = buildChord(key, tonic, chordDegrees[bar * style.chordsPerBar] ?? 0, false);
      for (const m of melody.bar(bar - introBars, chord, bar === cadenceBar - 1))
        add(CH.melody, at(bar, m.step), m.steps * stepSec * 0.92, m.note, m.velocity);
    }
    if (drumsOn && style.drums !== undefined && (level >= 1 || (style.drums === 'cinematic' && bar === cadenceBar))) {
      const phraseEnd = (bar - introBars) % 4 === 3 && bar + 1 < cadenceBar;
      const phraseStart = (bar - introBars) % 8 === 0;
      if (isCadence) {
        if (bar === cadenceBar) {
          add(DRUM_CHANNEL, at(bar, 0), 3, CRASH, 100);
          add(DRUM_CHANNEL, at(bar, 0), 1, style.drums === 'cinematic' ? LOW_FLOOR_TOM : KICK, 110);
        }
      } else {
        writeDrums(add, at, bar, style.drums, level, phraseStart, phraseEnd, drumRng);
      }
    }
  }

  notes.sort((a, b) => a.time - b.time || a.channel - b.channel || a.note - b.note);
  const channels: ChannelSetup[] = [];
  const volumes: Record<keyof Instrumentation, number> = { chords: 88, bass: 100, melody: 96, arp: 66, layer: 72 };
  for (const part of ['chords', 'bass', 'melody', 'arp', 'layer'] as const) {
    const program = instruments[part];
    if (program === undefined) continue;
    channels.push({
      channel: CH[part],
      part,
      program,
      volume: volumes[part],
      reverb: style.reverb,
      chorus: part === 'chords' || part === 'layer' ? 40 : 10,
    });
  }
  if (drumsOn)
    channels.push({
      channel: DRUM_CHANNEL,
      part: 'drums',
      program: 0,
      volume: 100,
      reverb: Math.round(style.reverb / 2),
      chorus: 0,
    });

  return {
    genre: options.genre,
    key,
    tempo: options.tempo,
    durationSeconds: duration,
    fadeSeconds,
    bars,
    channels,
    notes,
    progression: chordDegrees
      .filter((_, i) => i % style.chordsPerBar === 0)
      .map((d) => {
        const numeral = ROMAN[d] ?? 'I';
        const minorQuality = key.mode === 'major' ? [1, 2, 5, 6].includes(d) : [0, 1, 3].includes(d);
        return minorQuality ? numeral.toLowerCase() : numeral;
      }),
  };
}

/** Human-readable instrument list of a score (drums named as a kit). */
export function scoreInstruments(score: Score): string[] {
  return score.channels.map((c) => (c.part === 'drums' ? 'Drum Kit' : programName(c.program)));
}

type AddNote = (channel: number, time: number, len: number, note: number, velocity: number, jitter?: boolean) => void;
type At = (bar: number, step: number) => number;

function chooseInstruments(
  style: GenreStyle,
  overrides: Partial<Instrumentation> | undefined,
  rng: Rng,
): Instrumentation {
  const out: Instrumentation = { ...style.instruments };
  for (const part of ['chords', 'bass', 'melody', 'arp', 'layer'] as const) {
    const alts = style.alternatives[part];
    if (out[part] !== undefined && alts !== undefined && alts.length > 0 && rng.chance(0.5)) out[part] = rng.pick(alts);
    const forced = overrides?.[part];
    if (forced !== undefined) out[part] = forced;
  }
  return out;
}

function writeCadence(
  add: AddNote,
  t: number,
  end: number,
  chord: Chord,
  voicing: readonly number[],
  inst: Instrumentation,
  style: GenreStyle,
): void {
  const hold = end - t;
  if (inst.chords !== undefined) for (const n of voicing) add(CH.chords, t, hold, n, 80, false);
  if (inst.layer !== undefined)
    for (const n of voiceLead(chord.notes, undefined, 55, 72)) add(CH.layer, t, hold, n, 60, false);
  if (inst.bass !== undefined) add(CH.bass, t, hold, bassNote(chord.root), 95, false);
  if (inst.melody !== undefined && style.melodyDensity > 0) {
    const top = Math.max(...voicing) + 12 > style.melodyRange[1] ? chord.root + 12 : chord.root + 24;
    add(CH.melody, t, hold, Math.min(style.melodyRange[1], Math.max(style.melodyRange[0], top)), 82, false);
  }
}

function bassNote(root: number): number {
  let n = root;
  while (n > 47) n -= 12;
  while (n < 33) n += 12;
  return n;
}

function writeChords(
  add: AddNote,
  at: At,
  bar: number,
  start: number,
  span: number,
  voicing: readonly number[],
  chord: Chord,
  style: GenreStyle,
  level: number,
  rng: Rng,
  stepSec: number,
): void {
  const hit = (step: number, len: number, vel: number, notes: readonly number[] = voicing): void => {
    if (step >= start + span) return;
    for (const n of notes) add(CH.chords, at(bar, step), len * stepSec, n, vel);
  };
  switch (style.chordStyle) {
    case 'sustain':
      hit(start, span * 1.02, level === 0 ? 60 : 72);
      break;
    case 'stabs': {
      const pattern = rng.pick([
        [0, 6, 10],
        [0, 3, 8, 14],
        [0, 7, 12],
        [0, 10],
      ]);
      pattern.forEach((s, i) => hit(start + s, (pattern[i + 1] ?? 16) - s - 0.5, i === 0 ? 74 : 62));
      break;
    }
    case 'strum': {
      // D . D U . U D U on 8ths: downstrokes go low to high, upstrokes high to low, 12 ms apart.
      const guitar = [bassNote(chord.root) + 12, ...voicing];
      const strokes: [number, boolean, number][] = [
        [0, true, 84],
        [4, true, 70],
        [6, false, 58],
        [10, false, 60],
        [12, true, 72],
        [14, false, 56],
      ];
      for (const [s, down, vel] of strokes) {
        if (s >= span) continue;
        const order = down ? guitar : [...voicing].reverse();
        order.forEach((n, i) => add(CH.chords, at(bar, start + s) + i * 0.012, 3.5 * stepSec, n, vel - i * 2, false));
      }
      break;
    }
    case 'broken': {
      const low = bassNote(chord.root) + 12;
      hit(start, 5.5, 78);
      hit(start + 6, 5.5, 66);
      hit(start + 12, 3.5, 70);
      for (const s of [2, 4, 8, 10, 14])
        if (s < span && level >= 1) add(CH.chords, at(bar, start + s), 1.8 * stepSec, s % 4 === 0 ? low + 7 : low, 52);
      break;
    }
    case 'power': {
      const root = bassNote(chord.root) + 12;
      const power = [root, root + 7, root + 12];
      if (level >= 2) {
        hit(start, 7.6, 92, power);
        hit(start + 8, 7.6, 88, power);
      } else {
        for (let s = 0; s < span; s += 2) hit(start + s, 1.5, s % 8 === 0 ? 90 : 74, power);
      }
      break;
    }
    case 'offbeat':
      for (const s of [2, 6, 10, 14]) hit(start + s, 1.5, level >= 2 ? 78 : 68);
      break;
  }
}

function writeBass(
  add: AddNote,
  at: At,
  bar: number,
  start: number,
  span: number,
  chord: Chord,
  style: GenreStyle,
  level: number,
  rng: Rng,
  stepSec: number,
): void {
  const root = bassNote(chord.root);
  const fifth = root + 7 > 52 ? root - 5 : root + 7;
  const note = (step: number, len: number, n: number, vel: number): void => {
    if (step < start + span) add(CH.bass, at(bar, step), len * stepSec, n, vel);
  };
  switch (style.bassStyle) {
    case 'whole':
      note(start, span, root, 90);
      break;
    case 'eighths':
      for (let s = 0; s < span; s += 2) {
        const n = s === 14 && rng.chance(0.4) ? fifth : s === 10 && rng.chance(0.2) ? root + 12 : root;
        note(start + s, 1.7, n, s % 8 === 0 ? 100 : 86);
      }
      break;
    case 'root-fifth':
      note(start, 3.6, root, 96);
      note(start + 8, 3.6, fifth, 88);
      if (rng.chance(0.5)) note(start + 12, 3.6, root, 80);
      break;
    case 'syncopated':
      note(start, 5.5, root, 100);
      note(start + rng.pick([6, 7]), 2.5, root, 84);
      note(start + 10, 3.5, rng.chance(0.5) ? fifth : root, 88);
      if (rng.chance(0.5)) note(start + 14, 1.8, root + rng.pick([-2, -1, 2]), 72);
      break;
    case 'octaves':
      if (level === 0) {
        note(start, span, root, 90);
      } else {
        for (let s = 0; s < span; s += 2) note(start + s, 1.8, s % 4 === 2 ? root + 12 : root, s % 8 === 0 ? 100 : 82);
      }
      break;
    case 'pulse':
      if (level === 0) note(start, span - 0.5, root, 90);
      else for (const s of [2, 6, 10, 14]) note(start + s, 1.6, root, 100);
      if (level >= 2) note(start, 0.9, root, 80);
      break;
  }
}

function writeArp(
  add: AddNote,
  at: At,
  bar: number,
  start: number,
  span: number,
  voicing: readonly number[],
  style: GenreStyle,
  rng: Rng,
  stepSec: number,
): void {
  const tones = [...voicing.map((n) => n + 12), (voicing[0] ?? 60) + 24];
  const up = [...tones];
  const updown = [...tones, ...tones.slice(1, -1).reverse()];
  switch (style.arpStyle) {
    case 'up':
    case 'updown': {
      const seq = style.arpStyle === 'up' ? up : updown;
      for (let s = 0, i = 0; s < span; s += 2, i++)
        add(CH.arp, at(bar, start + s), 1.8 * stepSec, seq[i % seq.length] ?? 72, i % 4 === 0 ? 76 : 62);
      break;
    }
    case 'broken16': {
      const order = [0, 1, 2, 1, 0, 2, 1, 3];
      for (let s = 0; s < span; s++)
        add(
          CH.arp,
          at(bar, start + s),
          0.8 * stepSec,
          tones[order[s % order.length] ?? 0] ?? 72,
          s % 4 === 0 ? 72 : 56,
        );
      break;
    }
    case 'pluck':
      for (let s = 0; s < span; s += 2)
        if (rng.chance(0.35)) add(CH.arp, at(bar, start + s), 6 * stepSec, rng.pick(tones), rng.int(45, 70));
      break;
    case undefined:
      break;
  }
}

function writeDrums(
  add: AddNote,
  at: At,
  bar: number,
  style: DrumStyle,
  level: number,
  phraseStart: boolean,
  phraseEnd: boolean,
  rng: Rng,
): void {
  const hit = (step: number, note: number, vel: number, len = 0.6): void =>
    add(DRUM_CHANNEL, at(bar, step), len, note, vel);
  const fillFrom = phraseEnd ? 12 : 16;
  if (phraseStart && level >= 1 && style !== 'folk') hit(0, CRASH, 96, 2.5);
  switch (style) {
    case 'rock':
      for (let s = 0; s < fillFrom; s += 2)
        hit(s, level >= 2 && s % 4 === 2 ? RIDE : CLOSED_HAT, s % 4 === 0 ? 84 : 66);
      for (const s of [0, 8]) hit(s, KICK, 112);
      if (rng.chance(0.6)) hit(10, KICK, 96);
      if (rng.chance(0.25)) hit(7, KICK, 84);
      hit(4, SNARE, 110);
      if (fillFrom > 12) hit(12, SNARE, 110);
      break;
    case 'four-on-floor':
      for (const s of [0, 4, 8, 12]) hit(s, KICK, 118);
      for (const s of [4, 12]) if (s < fillFrom) hit(s, CLAP, 100);
      for (let s = 0; s < fillFrom; s++) if (s % 4 !== 2) hit(s, CLOSED_HAT, s % 2 === 0 ? 70 : 48);
      if (level >= 2) for (const s of [2, 6, 10, 14]) if (s < fillFrom) hit(s, OPEN_HAT, 72);
      break;
    case 'boom-bap':
      hit(0, KICK, 108);
      hit(rng.pick([7, 8, 10]), KICK, 92);
      if (rng.chance(0.4)) hit(rng.pick([3, 13, 15]), KICK, 76);
      hit(4, level >= 2 ? SNARE : SIDE_STICK, 96);
      if (fillFrom > 12) hit(12, level >= 2 ? SNARE : SIDE_STICK, 100);
      for (let s = 0; s < 16; s += 2) hit(s, CLOSED_HAT, 60 + (s % 4 === 0 ? 12 : 0));
      for (let s = 1; s < 16; s += 2) if (rng.chance(0.25)) hit(s, CLOSED_HAT, 38);
      break;
    case 'pop':
      hit(0, KICK, 110);
      hit(8, KICK, 104);
      if (rng.chance(0.5)) hit(6, KICK, 86);
      for (const s of [4, 12])
        if (s < fillFrom) {
          hit(s, SNARE, 96);
          hit(s, CLAP, 84);
        }
      for (let s = 0; s < fillFrom; s += 2) hit(s, CLOSED_HAT, s % 4 === 0 ? 74 : 60);
      if (level >= 2) for (let s = 0; s < 16; s++) hit(s, TAMBOURINE, s % 4 === 0 ? 58 : 40);
      break;
    case 'folk':
      hit(0, KICK, 92);
      hit(8, KICK, 84);
      hit(4, SIDE_STICK, 80);
      hit(12, SIDE_STICK, 84);
      for (let s = 0; s < 16; s += 2) hit(s, SHAKER, s % 4 === 0 ? 70 : 52);
      break;
    case 'cinematic':
      if (level >= 2) {
        hit(0, LOW_FLOOR_TOM, 112, 1.5);
        hit(0, KICK, 100);
        hit(6, LOW_FLOOR_TOM, 92, 1.2);
        hit(10, LOW_FLOOR_TOM, 100, 1.2);
      } else {
        hit(0, LOW_FLOOR_TOM, 96, 1.5);
        hit(8, LOW_FLOOR_TOM, 84, 1.5);
      }
      break;
  }
  if (phraseEnd) {
    for (let s = 12; s < 16; s++) {
      const note = style === 'four-on-floor' || style === 'pop' ? SNARE : (TOMS[s - 12] ?? SNARE);
      hit(s, note, 80 + (s - 12) * 10);
    }
  }
}

interface MelodyNote {
  readonly step: number;
  readonly steps: number;
  readonly note: number;
  readonly velocity: number;
}

/**
 * Writes a melody phrase by phrase: each 8-bar section states a 4-bar phrase and answers it with
 * the same rhythm and contour, varying only the last bar; strong beats take chord tones, weak
 * beats move stepwise in the scale. That repetition is what makes it read as a tune.
 */
class MelodyWriter {
  private readonly memory = new Map<number, { rhythm: [number, number][]; offsets: number[] }>();
  private degree: number;

  constructor(
    private readonly style: GenreStyle,
    private readonly key: MusicalKey,
    private readonly tonic: number,
    private readonly rng: Rng,
    private readonly intensity: number,
  ) {
    this.degree = 7 + rng.pick([0, 2, 4]);
  }

  bar(index: number, chord: Chord, beforeCadence: boolean): MelodyNote[] {
    const inSection = ((index % 8) + 8) % 8;
    const phraseBar = inSection % 4;
    const repeat = inSection >= 4 && phraseBar < 3;
    const remembered = this.memory.get(phraseBar);
    let rhythm: [number, number][];
    let offsets: number[] | undefined;
    if (repeat && remembered) {
      rhythm = remembered.rhythm;
      offsets = remembered.offsets;
    } else {
      rhythm = this.rhythm();
    }
    const out: MelodyNote[] = [];
    const chordDegrees = [chord.degree, chord.degree + 2, chord.degree + 4];
    const newOffsets: number[] = [];
    rhythm.forEach(([step, steps], i) => {
      let target: number;
      if (offsets !== undefined && offsets[i] !== undefined) {
        // Replay the remembered contour, re-snapped to this bar's chord on strong beats.
        target = this.clamp(this.degree + (offsets[i] ?? 0));
        if (step % 4 === 0) target = this.nearestChordTone(target, chordDegrees);
      } else if (step % 4 === 0 || i === 0) {
        target = this.nearestChordTone(this.clamp(this.degree + this.rng.pick([-2, 0, 2, 3, -3])), chordDegrees);
      } else {
        target = this.clamp(this.degree + this.rng.pick([-1, 1, -1, 1, 2, -2]));
      }
      if (beforeCadence && i === rhythm.length - 1) target = this.nearestChordTone(target, [4, 6, 8]);
      newOffsets.push(target - this.degree);
      this.degree = target;
      const note = degreeToMidi(this.key, this.tonic, target);
      out.push({ step, steps, note, velocity: step % 4 === 0 ? 92 : 78 });
    });
    if (!repeat) this.memory.set(phraseBar, { rhythm, offsets: newOffsets });
    return out;
  }

  private rhythm(): [number, number][] {
    const density = Math.max(1, Math.round(this.style.melodyDensity * this.intensity + this.rng.gauss() * 1.2));
    // Eighth-note grid: sixteenth melodies over sixteenth drums get busy fast.
    const candidates: number[] = [];
    for (let s = 0; s < 16; s += 2) candidates.push(s);
    const chosen = new Set<number>();
    if (this.rng.chance(0.8)) chosen.add(0);
    let guard = 0;
    while (chosen.size < Math.min(density, candidates.length) && guard++ < 64) {
      const s = this.rng.pick(candidates);
      // Strong beats are preferred; off-beats get in less often.
      if (s % 4 === 0 || this.rng.chance(0.45)) chosen.add(s);
    }
    const steps = [...chosen].sort((a, b) => a - b);
    return steps.map((s, i) => [s, Math.max(1, Math.min(8, (steps[i + 1] ?? 16) - s))]);
  }

  private clamp(degree: number): number {
    const lo = this.degreeAtOrAbove(this.style.melodyRange[0]);
    const hi = this.degreeAtOrBelow(this.style.melodyRange[1]);
    let d = degree;
    // Reflect off the range edges so the line turns back instead of sticking to the boundary.
    while (d > hi || d < lo) d = d > hi ? 2 * hi - d : 2 * lo - d;
    return d;
  }

  private nearestChordTone(degree: number, chordDegrees: readonly number[]): number {
    let best = degree;
    let bestDist = Infinity;
    for (let d = degree - 3; d <= degree + 3; d++) {
      if (!chordDegrees.some((c) => (((d - c) % 7) + 7) % 7 === 0)) continue;
      if (Math.abs(d - degree) < bestDist) {
        best = d;
        bestDist = Math.abs(d - degree);
      }
    }
    return this.clamp(best);
  }

  private degreeAtOrAbove(midi: number): number {
    let d = -14;
    while (degreeToMidi(this.key, this.tonic, d) < midi) d++;
    return d;
  }

  private degreeAtOrBelow(midi: number): number {
    let d = 28;
    while (degreeToMidi(this.key, this.tonic, d) > midi) d--;
    return d;
  }
}
