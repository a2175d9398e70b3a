import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { Env } from '@voice/config';

export type TracingEnv = Pick<Env, 'OTEL_EXPORTER_OTLP_ENDPOINT'>;

interface Tracing {
  provider: NodeTracerProvider;
  plugin: OpenTelemetryPlugin;
}

let tracing: Tracing | undefined;

/**
 * Starts OpenTelemetry tracing for this process when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP/HTTP, JSON, to
 * `<endpoint>/v1/traces`); a no-op otherwise, and on every call after the first. Spans: one per HTTP request in the
 * API, then Temporal's (StartWorkflow, RunWorkflow, StartActivity, RunActivity) through its interceptors, all in
 * one trace, the W3C `traceparent` carrying it across processes.
 */
export function configureTracing(env: TracingEnv): void {
  if (tracing || !env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  const resource = new Resource({ 'service.name': 'voice-platform', 'process.pid': process.pid });
  const url = `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // The AsyncLocalStorage context manager and the W3C propagator: a span started for a request is the parent of
  // whatever the request does.
  provider.register();
  tracing = { provider, plugin: new OpenTelemetryPlugin({ resource, spanProcessor }) };
}

/**
 * Temporal's OpenTelemetry plugin when tracing is on, else none: pass as `plugins` to `new Client`, `Worker.create`
 * and `bundleWorkflowCode` (the workflow interceptors must be bundled; workflow spans leave the sandbox by a sink).
 */
export function tracingPlugins(): OpenTelemetryPlugin[] {
  return tracing ? [tracing.plugin] : [];
}

/** Sends the spans still buffered; call when the process stops. */
export async function shutdownTracing(): Promise<void> {
  const current = tracing;
  tracing = undefined;
  await current?.provider.shutdown();
  // The API allows one global registration; undone, a later configureTracing in this process can register again.
  trace.disable();
  context.disable();
  propagation.disable();
}

/** The trace and span ids of the active span, for log lines; empty without tracing. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = tracing ? trace.getActiveSpan() : undefined;
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/**
 * Runs the rest of an HTTP request in a server span named after its method and path (no query: it may hold
 * credentials), continuing the caller's `traceparent` when there is one. Without tracing it just calls `next`.
 */
export function traceHttpRequest(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (!tracing) {
    next();
    return;
  }
  const parent = propagation.extract(context.active(), req.headers);
  const path = (req.url ?? '').split('?')[0] ?? '';
  const span = trace
    .getTracer('voice-api')
    .startSpan(
      `${req.method ?? 'HTTP'} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '', 'url.path': path } },
      parent,
    );
  res.once('close', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}
