import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Env } from '@voice/config';

const levels: Record<Env['LOG_LEVEL'], LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
let installed = false;

/** The Temporal runtime can be installed once per process, before any worker or connection exists. */
export function installWorkerRuntime(env: Pick<Env, 'LOG_LEVEL'>): void {
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new DefaultLogger(levels[env.LOG_LEVEL]) });
}
