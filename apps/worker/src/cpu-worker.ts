import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createBookkeepingActivities } from '@voice/activities';
import type { Database } from '@voice/db';

export interface CpuWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
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

/** Workflows plus the bookkeeping activities (job rows, credits) on the CPU task queue. */
export async function createCpuWorker(options: CpuWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createBookkeepingActivities({ db: options.db }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities,
  });
}
