import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';

/** Marks which process made a scratch dir, so a sweep can tell a dead worker's leftovers from live work. */
const OWNER_FILE = '.owner';
/** Distinguishes this process from an earlier one that had the same pid (a restarted container is pid 1 again). */
const PROCESS_TOKEN = randomUUID();
/** Ids become path segments: nothing that could climb out of the work dir. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

interface Owner {
  host: string;
  pid: number;
  token: string;
}

/** `<workDir>/<jobId>`: everything a job keeps on local disk while one of its activities runs. */
export function jobScratchRoot(workDir: string, jobId: string): string {
  if (!SAFE_SEGMENT.test(jobId) || jobId.includes('..')) throw new Error(`unsafe job id for a scratch dir: ${jobId}`);
  return path.join(workDir, jobId);
}

/**
 * Runs `work` in a fresh directory `<workDir>/<jobId>/<label>-XXXXXX` that is removed afterwards, on success and
 * on failure alike (the job's folder goes too once nothing else of the job uses it). A worker killed mid-way
 * leaves it behind; {@link sweepScratch} at the next worker start removes it.
 */
export async function withScratchDir<T>(
  workDir: string,
  jobId: string,
  label: string,
  work: (dir: string) => Promise<T>,
): Promise<T> {
  if (!SAFE_SEGMENT.test(label)) throw new Error(`unsafe scratch label: ${label}`);
  const root = jobScratchRoot(workDir, jobId);
  const dir = await makeScratchDir(root, label);
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    // Another activity of the same job may still be using the folder: then it is not empty, and stays.
    await rmdir(root).catch(() => undefined);
  }
}

async function makeScratchDir(root: string, label: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(root, { recursive: true });
      const dir = await mkdtemp(path.join(root, `${label}-`));
      const owner: Owner = { host: hostname(), pid: process.pid, token: PROCESS_TOKEN };
      await writeFile(path.join(dir, OWNER_FILE), JSON.stringify(owner));
      return dir;
    } catch (error) {
      // A sibling activity of the same job removed the (empty) job folder between mkdir and mkdtemp: make it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

let processTmpdir: string | undefined;

/**
 * Points this process's temp dir (TMPDIR, which `os.tmpdir()` and the engines' helper processes read) at an
 * owned scratch dir `<workDir>/process-<pid>/tmp-XXXXXX`. Engines make short-lived temp files there (flite, the
 * Whisper sidecar's chunks, Apertium); if the worker is killed they stay under DATA_DIR/work, where the next
 * start's {@link sweepScratch} removes them, instead of leaking into /tmp. Idempotent per process.
 */
export async function useScratchTmpdir(workDir: string): Promise<string> {
  if (processTmpdir) return processTmpdir;
  processTmpdir = await makeScratchDir(jobScratchRoot(workDir, `process-${process.pid}`), 'tmp');
  process.env['TMPDIR'] = processTmpdir;
  return processTmpdir;
}

export interface SweepOptions {
  /** Scratch untouched for this long is removed whoever made it (another host's dead worker); default 24 h. */
  maxAgeMs?: number;
}

/**
 * Removes scratch that no running activity can still own: dirs made on this host by a process that is gone (or by
 * an earlier process with this one's pid), and anything untouched for `maxAgeMs`. Run it when a worker starts,
 * before it polls: the media and GPU workers share DATA_DIR/work, so live scratch of another process is kept.
 */
export async function sweepScratch(workDir: string, options: SweepOptions = {}): Promise<string[]> {
  const maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
  const removed: string[] = [];
  const jobs = await readdir(workDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const job of jobs) {
    const jobDir = path.join(workDir, job.name);
    if (!job.isDirectory()) {
      if (await isStale(jobDir, maxAgeMs)) removed.push(await remove(jobDir));
      continue;
    }
    for (const entry of await readdir(jobDir, { withFileTypes: true }).catch(() => [])) {
      const entryPath = path.join(jobDir, entry.name);
      const owner = entry.isDirectory() ? await readOwner(entryPath) : undefined;
      if ((owner && isDeadOwner(owner)) || (await isStale(entryPath, maxAgeMs))) removed.push(await remove(entryPath));
    }
    await rmdir(jobDir).catch(() => undefined);
  }
  return removed;
}

async function remove(target: string): Promise<string> {
  await rm(target, { recursive: true, force: true });
  return target;
}

async function readOwner(dir: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    if (typeof owner.host === 'string' && typeof owner.pid === 'number' && typeof owner.token === 'string') {
      return owner as Owner;
    }
  } catch {
    // No marker (made before scratch had owners, or the writer died first): only the age rule applies.
  }
  return undefined;
}

function isDeadOwner(owner: Owner): boolean {
  // Another host's pids mean nothing here; its leftovers age out instead.
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return owner.token !== PROCESS_TOKEN;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** True when nothing under `target` was modified within `maxAgeMs`. */
async function isStale(target: string, maxAgeMs: number): Promise<boolean> {
  const newest = await newestMtimeMs(target);
  return newest !== undefined && Date.now() - newest > maxAgeMs;
}

async function newestMtimeMs(target: string): Promise<number | undefined> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return undefined;
  let newest = info.mtimeMs;
  if (info.isDirectory()) {
    for (const entry of await readdir(target).catch(() => [])) {
      const child = await newestMtimeMs(path.join(target, entry));
      if (child !== undefined) newest = Math.max(newest, child);
    }
  }
  return newest;
}
