import { ServiceError, isGrpcServiceError, type Client } from '@temporalio/client';

// gRPC status codes meaning "Temporal is not reachable right now".
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

export function isUnreachable(error: unknown): boolean {
  const grpc = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(grpc) && (grpc.code === GRPC_UNAVAILABLE || grpc.code === GRPC_DEADLINE_EXCEEDED);
}

export class CallTimedOut extends Error {}

/**
 * The call under a gRPC deadline, and a timer as well: while the channel reconnects the SDK's retry backoff can
 * outlast the deadline (measured: ~20 s), so the caller stops waiting at `deadlineMs` whatever the call does.
 */
export async function boundedCall<T>(client: Client, deadlineMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimedOut(`no answer within ${deadlineMs} ms`)), deadlineMs);
  });
  const pending = client.withDeadline(Date.now() + deadlineMs, call);
  // Settles later on its own; its outcome no longer matters once the timer won.
  pending.catch(() => undefined);
  try {
    return await Promise.race([pending, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
