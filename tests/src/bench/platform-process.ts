import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findWorkerHostPid } from '@voice/platform';
import { freePort } from '@voice/runtime';
import { OutboxMailbox } from '@voice/testkit';
import { ApiClient } from '../api-client';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** `npm start`'s entry point running as a child process, with its own DATA_DIR, ports and embedded parts. */
export interface PlatformProcess {
  api: ApiClient;
  child: ChildProcess;
  dataDir: string;
  /** Resident memory of the platform process and of its worker host, in MB. */
  rss(): { platform: number; workerHost: number };
  /** The same two processes' memory by kind (see MemoryBreakdown). */
  breakdown(): { platform: MemoryBreakdown; workerHost: MemoryBreakdown | undefined };
  stop(): Promise<void>;
}

/** Resident memory of a process now, from /proc, in MB. */
export function rssMb(pid: number): number {
  if (!existsSync(`/proc/${pid}/status`)) return 0;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(rss?.[1] ?? 0) / 1024;
}

/** Where a process's resident memory sits, in MB, told apart by the shape of its mappings in /proc/<pid>/smaps. */
export interface MemoryBreakdown {
  /** WebAssembly memories (PGlite, the denoiser): V8 reserves ≥ 1 GiB of address space for each. */
  wasm: number;
  /** glibc malloc: the main heap plus the per-thread arenas (anonymous regions on a 64 MiB boundary). */
  malloc: number;
  /** Everything else anonymous: the V8 heap, JIT code, thread stacks, native buffers from mmap. */
  otherAnonymous: number;
  /** Mapped files: binaries, shared libraries, model weights read by mmap. */
  files: number;
}

const MALLOC_ARENA_KB = 64 * 1024;

export function memoryBreakdown(pid: number): MemoryBreakdown {
  const breakdown: MemoryBreakdown = { wasm: 0, malloc: 0, otherAnonymous: 0, files: 0 };
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return breakdown;
  }
  // Each mapping: a header line ("start-end perms offset dev inode [path]") followed by "Key: value kB" lines.
  for (const block of text.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const header = block.slice(0, block.indexOf('\n'));
    const fields = header.trim().split(/\s+/);
    const pathname = fields.slice(5).join(' ');
    const startKb = Number.parseInt(fields[0]?.split('-')[0] ?? '0', 16) / 1024;
    const sizeKb = Number(/\nSize:\s+(\d+) kB/.exec(block)?.[1] ?? 0);
    const rssMb = Number(/\nRss:\s+(\d+) kB/.exec(block)?.[1] ?? 0) / 1024;
    if (rssMb === 0) continue;
    if (pathname.startsWith('/')) breakdown.files += rssMb;
    // glibc's thread arenas start on a 64 MiB boundary and never exceed it.
    else if (pathname === '[heap]' || (startKb % MALLOC_ARENA_KB === 0 && sizeKb <= MALLOC_ARENA_KB)) {
      breakdown.malloc += rssMb;
    } else if (sizeKb >= 1024 * 1024) breakdown.wasm += rssMb;
    else breakdown.otherAnonymous += rssMb;
  }
  return breakdown;
}

export async function startPlatformProcess(name: string, env: Record<string, string> = {}): Promise<PlatformProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `voice-bench-${name}-`));
  const apiPort = await freePort();
  const log = openSync(path.join(dataDir, 'platform.log'), 'a');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'apps/platform/dist/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      TEMPORAL_DEV_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      FREE_CREDIT_SECONDS: String(24 * 3600),
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    closeSync(log);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const health = await fetch(`http://127.0.0.1:${apiPort}/api/health`).catch(() => undefined);
      if (health?.status === 200) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`platform did not start; see ${dataDir}/platform.log`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const pid = child.pid ?? 0;
  return {
    // No SMTP_URL: the verification mail register() opens is an .eml file under DATA_DIR/outbox.
    api: new ApiClient(`http://127.0.0.1:${apiPort}`, new OutboxMailbox(path.join(dataDir, 'outbox'))),
    child,
    dataDir,
    rss: () => {
      const host = findWorkerHostPid(pid);
      return { platform: rssMb(pid), workerHost: host ? rssMb(host) : 0 };
    },
    breakdown: () => {
      const host = findWorkerHostPid(pid);
      return { platform: memoryBreakdown(pid), workerHost: host ? memoryBreakdown(host) : undefined };
    },
    stop,
  };
}
