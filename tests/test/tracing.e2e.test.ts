import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestPlatform, type TestPlatform } from '../src/platform-harness';

/** A span as OTLP/JSON carries it (ids in hex), with the pid of the process that exported it. */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  pid: number | undefined;
}

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { intValue?: number | string } }> };
    scopeSpans?: Array<{ spans?: Array<Omit<ExportedSpan, 'pid'>> }>;
  }>;
}

const SERVER_KIND = 2;

/**
 * Tracing against a local HTTP server standing in for an OpenTelemetry collector: OTEL_EXPORTER_OTLP_ENDPOINT points
 * the platform (and the worker host it forks) at it, and one job's spans, from the HTTP request to the inference
 * activity in the other process, arrive there in one trace that continues the caller's `traceparent`.
 */
describe('OpenTelemetry tracing over OTLP/HTTP', { timeout: 300_000 }, () => {
  const spans: ExportedSpan[] = [];
  const paths = new Set<string>();
  const lines: string[] = [];
  let collector: Server;
  let platform: TestPlatform;

  before(async () => {
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        paths.add(`${request.method ?? ''} ${request.url ?? ''} ${request.headers['content-type'] ?? ''}`);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const pid = resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'process.pid')?.value
            .intValue;
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? [])
              spans.push({ ...span, pid: pid === undefined ? undefined : Number(pid) });
          }
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    platform = await startTestPlatform(
      {
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      },
      {
        logDestination: {
          write: (chunk: string) => {
            for (const line of chunk.split('\n')) if (line) lines.push(line);
          },
        },
      },
    );
  });

  after(async () => {
    await platform?.close();
    collector?.close();
  });

  test('a job is one trace: the HTTP span, then StartWorkflow, RunWorkflow and the activities, in both worker processes', async () => {
    const api = platform.api();
    await api.register(`tracing-${Date.now()}@example.com`);
    const callerTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const submitted = await api.request(
      'POST',
      '/api/audio/tts',
      { text: 'Traces join the dots.' },
      {
        traceparent: `00-${callerTrace}-${callerSpan}-01`,
      },
    );
    assert.equal(submitted.status, 202, submitted.text);
    const final = await api.waitForJob(submitted.json['jobId'] as string, { timeoutMs: 240_000 });
    assert.equal(final['status'], 'completed', JSON.stringify(final));

    // Spans are sent in batches every few seconds; the worker host's come from its own exporter.
    const inTrace = () => spans.filter((span) => span.traceId === callerTrace);
    const deadline = Date.now() + 60_000;
    const wanted = ['RunWorkflow:pipelineWorkflow', 'RunActivity:runTts', 'RunActivity:markJobCompleted'];
    while (!wanted.every((name) => inTrace().some((span) => span.name === name))) {
      assert.ok(
        Date.now() < deadline,
        `spans in the trace so far: ${inTrace()
          .map((span) => span.name)
          .join(', ')}`,
      );
      await sleep(500);
    }
    assert.ok(
      [...paths].every((path) => path === 'POST /v1/traces application/json'),
      `OTLP/HTTP JSON to /v1/traces: ${[...paths].join('; ')}`,
    );

    const trace = inTrace();
    const byName = (name: string) => trace.filter((span) => span.name === name);
    const [http] = byName('POST /api/audio/tts');
    assert.ok(http, 'a server span for the request');
    assert.equal(http.kind, SERVER_KIND);
    assert.equal(http.parentSpanId, callerSpan, "the request's span continues the caller's traceparent");
    const [start] = byName('StartWorkflow:pipelineWorkflow');
    assert.ok(start, 'the workflow start is traced');
    assert.equal(start.parentSpanId, http.spanId, 'and it happens inside the request');
    const [run] = byName('RunWorkflow:pipelineWorkflow');
    assert.ok(run);
    for (const name of ['StartActivity:runTts', 'StartActivity:settleCredits', 'RunActivity:settleCredits']) {
      assert.ok(byName(name).length > 0, `${name} is in the trace`);
    }
    const inference = byName('RunActivity:runTts')[0];
    const bookkeeping = byName('RunActivity:markJobCompleted')[0];
    assert.ok(inference?.pid !== undefined && bookkeeping?.pid !== undefined);
    assert.equal(bookkeeping.pid, process.pid, 'bookkeeping ran in this process');
    assert.notEqual(inference.pid, process.pid, 'inference ran in the worker host, which joined the same trace');

    // The request's log line names the trace, so a log line leads to its trace and back.
    const logged = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((record) => record['msg'] === 'job submitted' && record['jobId'] === submitted.json['jobId']);
    assert.equal(logged?.['traceId'], callerTrace);
  });
});
