import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Runs `write` against a temp file next to `target`, then renames it into place. The rename is atomic on one
 * filesystem, so readers see the old file or the complete new one, never a partial write.
 */
export async function writeFileAtomically(target: string, write: (tempPath: string) => Promise<void>): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tempPath = join(dir, `.${basename(target)}.${randomUUID()}.partial`);
  try {
    await write(tempPath);
    await rename(tempPath, target);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}

export function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
