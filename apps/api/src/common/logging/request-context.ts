import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { traceHttpRequest } from '@voice/runtime';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** An incoming id is kept only if it is a short token (a UUID, a ULID, NGINX's $request_id): never text to log. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * The request's id: the caller's (or its proxy's) `X-Request-Id` when sane, else a new UUID. Set on `req.id` (where
 * pino-http reads it) and echoed in the response header, so a client can quote it.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  if (typeof req.id === 'string' && req.id) return req.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  req.id = id;
  if (!res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * First middleware of the app: gives the request its id and runs the rest of it with that id in context (and in a
 * server span, when tracing is on).
 */
export function requestContextMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  storage.run({ requestId: requestIdOf(req, res) }, () => traceHttpRequest(req, res, next));
}

/** The id of the HTTP request this code runs for, if any (the pipeline client puts it in the workflow's memo). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
