import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import express from 'express';

import {
  httpMetricsMiddleware,
  mergedMetricsSource,
  readSample,
  reportStep,
  routeTemplate,
  startMetricsServer,
  UNMATCHED_ROUTE,
  VoiceMetrics,
  withStepReport,
  type MetricsServer,
  type RoutedRequest,
} from '../src';

describe('route templates', () => {
  const request = (fields: Partial<RoutedRequest>) => fields as RoutedRequest;

  it('are the mount path plus the route path, never the raw URL', () => {
    assert.equal(
      routeTemplate(request({ baseUrl: '', route: { path: '/api/jobs/:id' }, url: '/api/jobs/42' })),
      '/api/jobs/:id',
    );
    assert.equal(routeTemplate(request({ baseUrl: '/v1', route: { path: '/audio/speech' } })), '/v1/audio/speech');
  });

  it('are "unmatched" when no route handled the request, or its path is not a string', () => {
    assert.equal(routeTemplate(request({ url: '/api/nope/123' })), UNMATCHED_ROUTE);
    assert.equal(routeTemplate(request({ route: { path: /^\/re/ } })), UNMATCHED_ROUTE);
    // What a catch-all middleware mount leaves on a request nothing else routed.
    for (const path of ['*', '/*', '/*path', '/{*path}', '(.*)', '/api{/*splat}']) {
      assert.equal(routeTemplate(request({ route: { path } })), UNMATCHED_ROUTE, path);
    }
    assert.equal(routeTemplate(request({ route: { path: '/files/*key' } })), '/files/*key');
  });
});

describe('HTTP metrics on a real Express app', () => {
  let server: Server;
  let base: string;
  const metrics = new VoiceMetrics({ defaultMetrics: false });

  before(async () => {
    const app = express();
    app.use(httpMetricsMiddleware(metrics));
    const router = express.Router();
    router.get('/jobs/:id', (req, res) => {
      res.status(req.params.id === 'missing' ? 404 : 200).json({ id: req.params.id });
    });
    router.post('/jobs', (_req, res) => {
      res.status(401).json({ error: 'no token' });
    });
    app.use('/api', router);
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('labels each request by route template, method and status, and times it', async () => {
    for (const id of ['1', '2', 'missing']) await (await fetch(`${base}/api/jobs/${id}?x=${id}`)).text();
    await (await fetch(`${base}/api/jobs`, { method: 'POST' })).text();
    await (await fetch(`${base}/no/such/path/7`)).text();

    const requests = (labels: Record<string, string>) =>
      readSample(metrics.registry, 'voice_http_requests_total', labels);
    assert.equal(await requests({ method: 'GET', route: '/api/jobs/:id', status: '200' }), 2);
    assert.equal(await requests({ method: 'GET', route: '/api/jobs/:id', status: '404' }), 1);
    assert.equal(await requests({ method: 'POST', route: '/api/jobs', status: '401' }), 1);
    assert.equal(await requests({ method: 'GET', route: UNMATCHED_ROUTE, status: '404' }), 1);
    assert.equal(
      await readSample(metrics.registry, 'voice_http_request_duration_seconds_count', {
        route: '/api/jobs/:id',
        status: '200',
      }),
      2,
    );
    // No label value may carry a raw path: ids and query strings would make a series per request.
    const text = await metrics.registry.metrics();
    assert.doesNotMatch(text, /jobs\/1|jobs\/missing|x=|such/);
  });
});

describe('the registry', () => {
  it('is per instance: what one records, another never sees', async () => {
    const first = new VoiceMetrics({ defaultMetrics: false });
    const second = new VoiceMetrics({ defaultMetrics: false });
    first.jobSubmitted({ jobType: 'tts', tier: 'free' });
    assert.equal(await readSample(first.registry, 'voice_jobs_submitted_total', { job_type: 'tts', tier: 'free' }), 1);
    assert.equal(
      await readSample(second.registry, 'voice_jobs_submitted_total', { job_type: 'tts', tier: 'free' }),
      undefined,
    );
  });

  it('holds the contract metrics, the process metrics, and the scrape-time gauges only once observed', async () => {
    const metrics = new VoiceMetrics();
    const names = () => metrics.registry.getMetricsAsArray().map((metric) => metric.name);
    for (const name of [
      'voice_http_requests_total',
      'voice_http_request_duration_seconds',
      'voice_jobs_submitted_total',
      'voice_jobs_finished_total',
      'voice_job_duration_seconds',
      'voice_step_duration_seconds',
      'voice_model_real_time_factor',
      'voice_model_load_seconds',
      'voice_credits_charged_total',
      'voice_payments_total',
      'voice_credits_purchased_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(names().includes(name), `${name} is registered`);
    }
    assert.ok(!names().includes('voice_task_queue_backlog'), 'no task-queue gauge before a process observes queues');
    assert.ok(!names().includes('voice_credits_held'));
    assert.ok(!names().includes('voice_worker_slots_used'));

    metrics.observeTaskQueues(async () => [{ taskQueue: 'q-gpu', backlog: 3, backlogAgeSeconds: 12.5, pollers: 2 }]);
    metrics.observeHeldCredits(async () => ({ held: 600, oldestAgeSeconds: 90 }));
    let running = 1;
    metrics.observeWorkerSlots({ taskQueue: 'q-gpu', total: 4, used: () => running });
    assert.equal(await readSample(metrics.registry, 'voice_task_queue_backlog', { task_queue: 'q-gpu' }), 3);
    assert.equal(
      await readSample(metrics.registry, 'voice_task_queue_backlog_age_seconds', { task_queue: 'q-gpu' }),
      12.5,
    );
    assert.equal(await readSample(metrics.registry, 'voice_task_queue_pollers', { task_queue: 'q-gpu' }), 2);
    assert.equal(await readSample(metrics.registry, 'voice_credits_held'), 600);
    assert.equal(await readSample(metrics.registry, 'voice_credits_held_oldest_age_seconds'), 90);
    assert.equal(await readSample(metrics.registry, 'voice_worker_slots_total', { task_queue: 'q-gpu' }), 4);
    assert.equal(await readSample(metrics.registry, 'voice_worker_slots_used', { task_queue: 'q-gpu' }), 1);
    running = 3;
    assert.equal(
      await readSample(metrics.registry, 'voice_worker_slots_used', { task_queue: 'q-gpu' }),
      3,
      'read at each scrape',
    );
  });

  it('answers a scrape even when a scrape-time source fails, leaving its gauges empty rather than stale', async () => {
    const metrics = new VoiceMetrics({ defaultMetrics: false });
    let healthy = true;
    metrics.observeTaskQueues(async () => {
      if (!healthy) throw new Error('Temporal is down');
      return [{ taskQueue: 'q', backlog: 5, backlogAgeSeconds: 1, pollers: 1 }];
    });
    assert.equal(await readSample(metrics.registry, 'voice_task_queue_backlog', { task_queue: 'q' }), 5);
    healthy = false;
    const text = await metrics.registry.metrics();
    assert.match(text, /# TYPE voice_task_queue_backlog gauge/);
    assert.doesNotMatch(text, /voice_task_queue_backlog\{/);
  });

  it('records job outcomes with their duration, steps with their real-time factor, charges and payments', async () => {
    const metrics = new VoiceMetrics({ defaultMetrics: false });
    metrics.jobFinished({ jobType: 'denoise+normalize', tier: 'premium', status: 'completed', seconds: 42 });
    metrics.stepFinished({
      step: 'runDenoise',
      model: 'rnnoise',
      seconds: 3,
      audioSeconds: 60,
      processingSeconds: 1.5,
    });
    metrics.stepFinished({ step: 'normalizeLoudness', model: '', seconds: 0.4, audioSeconds: 60 });
    metrics.modelLoaded({ model: 'rnnoise', seconds: 0.2 });
    metrics.creditsCharged(120);
    metrics.paymentApplied({ provider: 'stripe', outcome: 'paid', creditsPurchased: 3600 });
    metrics.paymentApplied({ provider: 'stripe', outcome: 'refunded', creditsPurchased: 0 });

    const job = { job_type: 'denoise+normalize', tier: 'premium', status: 'completed' };
    assert.equal(await readSample(metrics.registry, 'voice_jobs_finished_total', job), 1);
    assert.equal(await readSample(metrics.registry, 'voice_job_duration_seconds_sum', job), 42);
    assert.equal(
      await readSample(metrics.registry, 'voice_step_duration_seconds_sum', { step: 'runDenoise', model: 'rnnoise' }),
      3,
    );
    // The model's own 1.5 s over 60 s of audio, not the whole step's 3 s.
    assert.equal(await readSample(metrics.registry, 'voice_model_real_time_factor_sum', { model: 'rnnoise' }), 0.025);
    assert.equal(
      await readSample(metrics.registry, 'voice_model_real_time_factor_count', { model: '' }),
      undefined,
      'no model, no RTF',
    );
    assert.equal(await readSample(metrics.registry, 'voice_model_load_seconds_count', { model: 'rnnoise' }), 1);
    assert.equal(await readSample(metrics.registry, 'voice_credits_charged_total'), 120);
    assert.equal(
      await readSample(metrics.registry, 'voice_payments_total', { provider: 'stripe', outcome: 'paid' }),
      1,
    );
    assert.equal(
      await readSample(metrics.registry, 'voice_payments_total', { provider: 'stripe', outcome: 'refunded' }),
      1,
    );
    assert.equal(await readSample(metrics.registry, 'voice_credits_purchased_total', { provider: 'stripe' }), 3600);
  });
});

describe('step reports', () => {
  it('reach the interceptor from inside the activity, and are ignored outside one', async () => {
    reportStep({ model: 'outside' }); // no metered activity around it: nothing to fill, nothing thrown
    const { report, result } = withStepReport(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      reportStep({ model: 'piper-en-us-joe-medium', audioSeconds: 4 });
      return 'done';
    });
    assert.equal(await result, 'done');
    assert.deepEqual(report, { model: 'piper-en-us-joe-medium', audioSeconds: 4 });
  });
});

describe('the metrics server', () => {
  let server: MetricsServer;
  const metrics = new VoiceMetrics();

  before(async () => {
    metrics.jobSubmitted({ jobType: 'tts', tier: 'free' });
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, registry: metrics.registry });
  });
  after(() => server.close());

  it('binds an ephemeral port for port 0 and serves the registry in the Prometheus text format at /metrics', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(new URL(server.url).port, '0');
    const response = await fetch(server.url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    assert.match(body, /^voice_jobs_submitted_total\{job_type="tts",tier="free"\} 1$/m);
    assert.match(body, /^process_cpu_seconds_total /m);
  });

  it('answers 404 on any other path or method', async () => {
    const origin = new URL(server.url).origin;
    assert.equal((await fetch(`${origin}/`)).status, 404);
    assert.equal((await fetch(`${origin}/metrics/extra`)).status, 404);
    assert.equal((await fetch(`${origin}/api/health`)).status, 404);
    assert.equal((await fetch(server.url, { method: 'POST' })).status, 404);
  });
});

describe('merged metrics (the embedded platform and its worker host)', () => {
  it('add counters and histograms of both processes and list every family once', async () => {
    const parent = new VoiceMetrics();
    const child = new VoiceMetrics();
    parent.jobFinished({ jobType: 'tts', tier: 'free', status: 'completed', seconds: 5 });
    child.stepFinished({ step: 'runTts', model: 'piper', seconds: 2, audioSeconds: 4 });
    parent.httpRequest({ method: 'POST', route: '/api/audio/tts', status: 202, seconds: 0.01 });
    child.httpRequest({ method: 'POST', route: '/api/audio/tts', status: 202, seconds: 0.02 });
    parent.observeTaskQueues(async () => [{ taskQueue: 'q', backlog: 2, backlogAgeSeconds: 3, pollers: 1 }]);

    const merged = mergedMetricsSource(parent.registry, async () => [await child.registry.getMetricsAsJSON()]);
    const text = await merged.metrics();
    assert.match(text, /^voice_job_duration_seconds_count\{job_type="tts",tier="free",status="completed"\} 1$/m);
    assert.match(text, /^voice_step_duration_seconds_count\{step="runTts",model="piper"\} 1$/m);
    assert.match(text, /^voice_http_requests_total\{method="POST",route="\/api\/audio\/tts",status="202"\} 2$/m);
    assert.match(text, /^voice_task_queue_backlog\{task_queue="q"\} 2$/m);
    for (const family of [
      'voice_http_requests_total',
      'process_resident_memory_bytes',
      'voice_step_duration_seconds',
    ]) {
      assert.equal(text.match(new RegExp(`^# TYPE ${family} `, 'gm'))?.length, 1, `${family} once`);
    }
  });

  it('keep the serving process’s event-loop lag and start time instead of blending in the other process’s', async () => {
    const parent = new VoiceMetrics();
    const child = new VoiceMetrics();
    const childSnapshot = (await child.registry.getMetricsAsJSON()).map((metric) =>
      metric.name.startsWith('nodejs_eventloop_lag') || metric.name === 'process_start_time_seconds'
        ? { ...metric, values: metric.values.map((value) => ({ ...value, value: 7 })) }
        : metric,
    );
    const text = await mergedMetricsSource(parent.registry, async () => [childSnapshot]).metrics();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    // Neither the maximum nor the average of the two: the child's 7 s would show in both.
    assert.ok(value('nodejs_eventloop_lag_max_seconds') < 7, 'the parent’s lag, not the child’s 7 s');
    assert.ok(value('nodejs_eventloop_lag_p99_seconds') < 3, 'not averaged with the child’s');
    // Seconds since the epoch: this process's start, not the child's sentinel 7.
    assert.ok(value('process_start_time_seconds') > 1e9, `start time ${value('process_start_time_seconds')}`);
  });
});
