import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { TranslationEngineError, type TranslationPair } from './errors';
import { apertiumCodeToBcp47 } from './languages';

/** Where Debian's apertium packages put their mode files (`apertium -l` lists this directory). */
export const DEFAULT_APERTIUM_MODES_DIR = '/usr/share/apertium/modes';

/** Apt packages that provide the pairs this platform registers (see packages/models translate-models.ts). */
export const APERTIUM_APT_PACKAGES = [
  'apertium',
  'apertium-eng-spa',
  'apertium-eng-cat',
  'apertium-en-gl',
  'apertium-eo-en',
] as const;

/** Options shared by every Apertium call. */
export interface ApertiumOptions {
  /** Directory holding `<mode>.mode` files; defaults to Debian's. */
  readonly modesDir?: string;
  /** The `apertium` executable; defaults to the one on PATH. */
  readonly command?: string;
}

export interface RunApertiumOptions extends ApertiumOptions {
  /** Kills the pipeline and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Wall-clock limit for one run; the pipeline is killed past it. Default 120 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
// Plain `src-tgt` modes only: variants (`eng-cat_valencia`) and debug modes (`en-eo-bytecode`) are not
// separate languages the API could name.
const PLAIN_MODE = /^([a-z]{2,3})-([a-z]{2,3})$/;

/** Translation directions installed on this machine, sorted by source then target. */
export async function listTranslationPairs(options: ApertiumOptions = {}): Promise<TranslationPair[]> {
  let names: string[];
  try {
    names = await readdir(options.modesDir ?? DEFAULT_APERTIUM_MODES_DIR);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const pairs = new Map<string, TranslationPair>();
  for (const name of names.sort()) {
    if (!name.endsWith('.mode')) continue;
    const mode = name.slice(0, -'.mode'.length);
    const match = PLAIN_MODE.exec(mode);
    if (!match) continue;
    const source = apertiumCodeToBcp47(match[1]!);
    const target = apertiumCodeToBcp47(match[2]!);
    if (source === undefined || target === undefined || source === target) continue;
    const key = `${source}-${target}`;
    // Sorted names put `eng-spa` after `en-es`: the ISO 639-3 modes are the maintained successors, so they win.
    if (!pairs.has(key) || mode.length > pairs.get(key)!.mode.length) pairs.set(key, { source, target, mode });
  }
  return [...pairs.values()].sort((a, b) => a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
}

/**
 * Runs `apertium -u <mode>` on `text` (plain-text format) and returns its output. `-u` drops the `*` marks on
 * unknown words, which would otherwise be read aloud. The text goes through a temporary file: the driver script
 * opens /dev/stdin, which fails on the socket Node gives a child as stdin. The pipeline runs in its own process
 * group so that a timeout or an abort kills every stage, not only the driver.
 */
export async function runApertium(mode: string, text: string, options: RunApertiumOptions = {}): Promise<string> {
  options.signal?.throwIfAborted();
  const dir = await mkdtemp(path.join(tmpdir(), 'apertium-'));
  try {
    const input = path.join(dir, 'input.txt');
    await writeFile(input, text, 'utf8');
    return await runPipeline(mode, input, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runPipeline(mode: string, inputFile: string, options: RunApertiumOptions): Promise<string> {
  const command = options.command ?? 'apertium';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['-u', mode, inputFile], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: Error | undefined;
    const killGroup = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    };
    const onAbort = (): void => {
      failure ??= options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted');
      killGroup();
    };
    const timer = setTimeout(() => {
      failure ??= new TranslationEngineError('timeout', `apertium ${mode} did not finish within ${timeoutMs} ms`);
      killGroup();
    }, timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (error: NodeJS.ErrnoException) => {
      settle();
      reject(
        error.code === 'ENOENT'
          ? new TranslationEngineError(
              'missing',
              `${command} is not installed; install the Debian packages: apt-get install ${APERTIUM_APT_PACKAGES.join(' ')}`,
            )
          : error,
      );
    });
    child.on('close', (code) => {
      settle();
      if (failure) return reject(failure);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      // The driver prints some errors (no UTF-8 locale, unknown mode) on stdout.
      const detail = `${Buffer.concat(err).toString('utf8')}\n${stdout}`.trim().slice(-500);
      reject(new TranslationEngineError('failed', `apertium ${mode} exited with ${code}: ${detail}`));
    });
  });
}
