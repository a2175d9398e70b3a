import { mkdir } from 'node:fs/promises';
import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createCpuActivities } from '@voice/activities';
import type { Database } from '@voice/db';
import type { BlobStorage } from '@voice/storage';

export interface CpuWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  storage: BlobStorage;
  workDir: string;
  ffmpegPath?: string;
  modelsDir?: string;
  maxConcurrentActivities: number;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes seconds; every worker in a process shares one bundle. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('@voice/workflows'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: console.warn,
      error: console.error,
    },
  });
  return bundle;
}

/** Workflows plus CPU activities (preprocess, model selection, quality, credits) on the CPU task queue. */
export async function createCpuWorker(options: CpuWorkerOptions): Promise<Worker> {
  await mkdir(options.workDir, { recursive: true });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createCpuActivities({
      db: options.db,
      storage: options.storage,
      workDir: options.workDir,
      ffmpegPath: options.ffmpegPath,
      modelsDir: options.modelsDir,
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
  });
}
