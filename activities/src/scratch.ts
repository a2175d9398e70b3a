import { mkdtemp, rm } from 'node:fs/promises';
import * as path from 'node:path';

/** Runs `work` in a fresh directory under `workDir` that is removed afterwards, whatever happens. */
export async function withScratchDir<T>(workDir: string, jobId: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(workDir, `${jobId}-`));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
