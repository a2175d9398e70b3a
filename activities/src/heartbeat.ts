import { Context } from '@temporalio/activity';

/**
 * Runs work that has no natural progress points (an ffmpeg decode, a storage copy) while heartbeating,
 * so the server can tell a slow activity from a dead worker and deliver cancellation.
 */
export async function withHeartbeats<T>(work: () => Promise<T>, intervalMs = 5_000): Promise<T> {
  const context = Context.current();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** JSON turns -Infinity (the loudness of silence) into null; make that explicit and round for readability. */
export function finiteOrNull(value: number, decimals = 2): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
