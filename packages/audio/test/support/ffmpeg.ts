import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';

export const ffmpegPath = ffmpegInstaller.path;

/** Runs the bundled ffmpeg synchronously (fixture generation only). */
export function ffmpeg(...args: string[]): Buffer {
  return execFileSync(ffmpegPath, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], {
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** A temporary directory removed by `dispose()`. */
export function tempDir(prefix: string): { path: (name: string) => string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { path: (name) => join(dir, name), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes the first `fraction` of `source` to `target`, simulating an interrupted upload. */
export function truncateCopy(source: string, target: string, fraction = 0.5): void {
  const bytes = readFileSync(source);
  writeFileSync(target, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}
