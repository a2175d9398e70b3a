import type { IncomingMessage, ServerResponse } from 'node:http';

import type { MetricsRecorder } from './recorder';

/** The route label of requests no route handled: 404s, and what middleware answered (web app files, body errors). */
export const UNMATCHED_ROUTE = 'unmatched';

/** What Express leaves on a request once a route matched it (`baseUrl` is the mount path of its router). */
export interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * The route template of a handled request, e.g. `/api/jobs/:id`: the router's mount path plus the route's path. Never
 * the raw URL, whose ids and query strings would give every request a series of its own.
 */
/**
 * Paths made only of a wildcard (`*`, `/*`, `/*path`, `/{*path}`, `(.*)`), or a prefix and an optional one
 * (`/api{/*splat}`, how Nest mounts middleware under the global prefix).
 */
const CATCH_ALL = /^\/?(\*\w*|\{\*\w*\}|\(\.\*\))$|^(\/[\w.-]+)*\{\/\*\w*\}$/;

export function routeTemplate(request: RoutedRequest): string {
  const path = request.route?.path;
  // A catch-all is a middleware mount (the request logger's `*`), not a handler: a request that matched nothing else
  // was not routed, whatever route object that mount left on it.
  if (typeof path !== 'string' || CATCH_ALL.test(path)) return UNMATCHED_ROUTE;
  const template = `${request.baseUrl ?? ''}${path}`;
  return template === '' ? '/' : template;
}

/** Methods outside this set (anything a client makes up) share one label value, so the label stays bounded. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Express-style middleware recording every response into voice_http_requests_total and
 * voice_http_request_duration_seconds. The labels are read when the response ends, after routing, so requests
 * refused by guards or filters carry their route too. Mount it first, so the duration covers the whole request.
 */
export function httpMetricsMiddleware(metrics: MetricsRecorder) {
  return (request: RoutedRequest, response: ServerResponse, next: () => void): void => {
    const started = performance.now();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const method = request.method && KNOWN_METHODS.has(request.method) ? request.method : 'OTHER';
      // A client that went away before the answer: 499, as NGINX logs it, rather than a status never sent.
      const status = response.writableFinished ? response.statusCode : 499;
      metrics.httpRequest({
        method,
        route: routeTemplate(request),
        status,
        seconds: (performance.now() - started) / 1000,
      });
    };
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}
