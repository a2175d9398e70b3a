import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server exposes: a prom-client Registry, or anything that renders like one (the platform's merge). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsServerOptions {
  /** METRICS_HOST. */
  host: string;
  /** METRICS_PORT; 0 picks a free port (see `url`). */
  port: number;
  registry: MetricsSource;
}

export interface MetricsServer {
  /** Where /metrics answers, e.g. `http://127.0.0.1:9464/metrics` (a wildcard host is given as loopback). */
  url: string;
  close(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * Serves GET /metrics in the Prometheus text format on its own port (plain node:http, apart from the public API, so
 * it is never exposed through the API's gateway); every other path answers 404. Resolves once it listens.
 */
export async function startMetricsServer({ host, port, registry }: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        response.writeHead(200, { 'Content-Type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        response.end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  // A scraper keeps its connection open between scrapes; neither it nor the listener may hold a stopping process up.
  server.keepAliveTimeout = 5_000;
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = WILDCARD_HOSTS.has(host)
    ? '127.0.0.1'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  return {
    url: `http://${shownHost}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
