import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogTimestamp } from '@temporalio/worker';

import {
  configureLogging,
  PinoTemporalLogger,
  processLogger,
  redactUrl,
  scrubSecrets,
  SECRET_LOG_KEYS,
  writeLogLine,
} from '../src';

/** Points the process's logger at an array for the duration of `work`, at `level`. */
function capture(level: 'debug' | 'info' | 'warn' | 'error', work: () => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  configureLogging(
    { LOG_LEVEL: level, LOG_FORMAT: 'json' },
    { destination: { write: (line) => void lines.push(line) } },
  );
  work();
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the process logger', () => {
  it('writes one JSON object per line with a level name, an ISO time and the pid', () => {
    const [line] = capture('info', () => processLogger().info({ jobId: 'j1' }, 'hello'));
    assert.equal(line?.['level'], 'info');
    assert.equal(line?.['msg'], 'hello');
    assert.equal(line?.['jobId'], 'j1');
    assert.equal(line?.['pid'], process.pid);
    assert.ok(!Number.isNaN(Date.parse(String(line?.['time']))), 'an ISO time');
  });

  it('follows LOG_LEVEL each time it is configured', () => {
    assert.equal(capture('warn', () => processLogger().info('dropped')).length, 0);
    assert.equal(capture('debug', () => processLogger().debug('kept')).length, 1);
  });

  it('masks every secret key, in any case, five objects deep, through arrays and in errors', () => {
    const secret = 'S3CR3T-value';
    const nested = (depth: number, leaf: Record<string, unknown>): Record<string, unknown> =>
      depth === 0 ? leaf : depth % 2 ? { inner: nested(depth - 1, leaf) } : { list: [nested(depth - 1, leaf)] };
    const raw = capture('info', () => {
      for (const key of SECRET_LOG_KEYS) {
        for (let depth = 0; depth <= 5; depth++) {
          processLogger().info(nested(depth, { [key]: secret, [key.toUpperCase()]: secret, keep: 'visible' }));
        }
        // An HTTP client's error carries the request's headers as fields of its own.
        const error = Object.assign(new Error('request failed'), { config: { headers: { [key]: secret } } });
        processLogger().error({ err: error, keep: 'visible' }, 'call failed');
      }
      for (const header of ['authorization', 'cookie', 'set-cookie', 'stripe-signature']) {
        processLogger().info({
          req: { headers: { [header]: secret } },
          res: { headers: { [header]: secret } },
          keep: 'visible',
        });
      }
    });
    assert.equal(raw.length, SECRET_LOG_KEYS.length * 7 + 4);
    for (const line of raw) {
      const text = JSON.stringify(line);
      assert.ok(!text.includes(secret), `masked: ${text}`);
      assert.ok(text.includes('[Redacted]') && text.includes('visible'), `only the secret is masked: ${text}`);
    }
  });

  it('re-emits lines another process wrote, unchanged, into the same destination', () => {
    const lines: string[] = [];
    configureLogging(
      { LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      { destination: { write: (line) => void lines.push(line) } },
    );
    writeLogLine('{"level":"info","pid":1,"msg":"from the host"}');
    assert.deepEqual(lines, ['{"level":"info","pid":1,"msg":"from the host"}\n']);
  });
});

describe('scrubSecrets', () => {
  it('never changes the object it is given, and returns it as is when it holds no secret', () => {
    const clean = { a: { b: [1, { c: 'x' }] } };
    assert.equal(scrubSecrets(clean), clean);
    const holding = { a: { password: 'p', keep: 1 }, list: [{ token: 't' }] };
    const scrubbed = scrubSecrets(holding);
    assert.deepEqual(scrubbed, { a: { password: '[Redacted]', keep: 1 }, list: [{ token: '[Redacted]' }] });
    assert.deepEqual(holding, { a: { password: 'p', keep: 1 }, list: [{ token: 't' }] });
  });
});

describe('redactUrl', () => {
  it('masks signed-link and token parameters and keeps the rest', () => {
    assert.equal(
      redactUrl('/api/files/a%2Fb.wav?expires=1700000000&sig=abc123&filename=out.wav'),
      '/api/files/a%2Fb.wav?expires=1700000000&sig=%5BRedacted%5D&filename=out.wav',
    );
    assert.equal(
      redactUrl('/api/jobs?callback_url=https%3A%2F%2Fh%3Ftoken%3Dx'),
      '/api/jobs?callback_url=%5BRedacted%5D',
    );
    assert.equal(redactUrl('/api/jobs/history?limit=5'), '/api/jobs/history?limit=5');
    assert.equal(redactUrl('/api/health'), '/api/health');
  });
});

describe('PinoTemporalLogger (the Temporal runtime logger)', () => {
  it('keeps the SDK metadata, maps the levels, serialises errors and drops the timestamp symbol', () => {
    const logger = new PinoTemporalLogger(processLogger);
    const lines = capture('debug', () => {
      logger.trace('too fine');
      logger.debug('Activity started', { activityType: 'runTts', workflowId: 'job-1', [LogTimestamp]: 1n });
      logger.warn('Activity failed', { error: new Error('ffmpeg exited 1'), activityType: 'decodeAudio' });
      logger.log('ERROR', 'core trouble', { sdkComponent: 'core' });
    });
    assert.deepEqual(
      lines.map((line) => [line['level'], line['msg']]),
      [
        ['debug', 'Activity started'],
        ['warn', 'Activity failed'],
        ['error', 'core trouble'],
      ],
    );
    assert.equal(lines[0]?.['activityType'], 'runTts');
    assert.equal(lines[0]?.['workflowId'], 'job-1');
    const error = lines[1]?.['error'] as { message?: string; stack?: string; type?: string } | undefined;
    assert.equal(error?.message, 'ffmpeg exited 1');
    assert.equal(error?.type, 'Error');
    assert.match(error?.stack ?? '', /ffmpeg exited 1/);
  });
});
