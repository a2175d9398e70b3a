/**
 * SHUTDOWN_GRACE_SECONDS as worker options: on SIGTERM a worker stops polling, gives running activities the grace
 * period, then cancels them (they see it through their heartbeat kit's signal, and Temporal retries them on another
 * worker). One that ignores its cancel gets 10 s more before run() gives up, so the process still exits.
 */
export function shutdownTimes(graceSeconds: number): { shutdownGraceTime: number; shutdownForceTime: number } {
  return { shutdownGraceTime: graceSeconds * 1000, shutdownForceTime: (graceSeconds + 10) * 1000 };
}
