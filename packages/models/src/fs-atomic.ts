import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A staging directory inside `modelsDir`, so the final rename stays on one filesystem (and is atomic).
 * Names start with `.tmp-` so listings and cleanups can recognise leftovers of a crashed run.
 */
export async function makeStagingDir(modelsDir: string, id: string): Promise<string> {
  await mkdir(modelsDir, { recursive: true });
  return mkdtemp(path.join(modelsDir, `.tmp-${id}-`));
}

/**
 * Moves a fully verified staging directory to `<modelsDir>/<id>`. An existing (stale or corrupt) copy is first
 * renamed aside, so readers see either the old directory or the new one, never a half-written mix.
 */
export async function commitModelDir(stagingDir: string, modelsDir: string, id: string): Promise<string> {
  const finalDir = path.join(modelsDir, id);
  let aside: string | undefined;
  if (existsSync(finalDir)) {
    aside = path.join(modelsDir, `.old-${id}-${randomBytes(4).toString('hex')}`);
    await rename(finalDir, aside);
  }
  try {
    await rename(stagingDir, finalDir);
  } catch (error) {
    if (aside !== undefined) await rename(aside, finalDir);
    throw error;
  }
  if (aside !== undefined) await rm(aside, { recursive: true, force: true });
  return finalDir;
}
