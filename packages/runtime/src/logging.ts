import { hostname } from 'node:os';
import {
  LogTimestamp,
  Runtime,
  type LogLevel as TemporalLogLevel,
  type LogMetadata,
  type Logger as TemporalLogger,
} from '@temporalio/worker';
import type { Env } from '@voice/config';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { activeTraceIds, configureTracing, type TracingEnv } from './tracing';

export type LogEnv = Pick<Env, 'LOG_LEVEL' | 'LOG_FORMAT'>;
/** Where log lines go: anything with `write(line)`. */
export type LogDestination = DestinationStream;

export interface LoggingOptions {
  /**
   * Where the JSON lines go instead of stdout (tests read them back). Given, it is written as is, whatever LOG_FORMAT
   * says: a destination is a machine reader.
   */
  destination?: DestinationStream;
}

/**
 * Keys whose values are secrets wherever they sit in a logged object: credentials and signatures as HTTP headers
 * (Node lowercases those) and as the request fields and settings our code names them. Request bodies are never
 * logged; this is the net under every other object that might be.
 */
export const SECRET_LOG_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'stripe-signature',
  'x-razorpay-signature',
  'webhook-signature',
  'paypal-transmission-sig',
  'paypal-cert-url',
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'mfaToken',
  'recoveryCodes',
  'apiKey',
  'key_secret',
  'secret',
  'secrets',
  'signingSecret',
  'webhookSecret',
  'totpSecret',
  'clientSecret',
  'JWT_SECRET',
  'ADMIN_PASSWORD',
  'DATA_ENCRYPTION_KEY',
  'DATABASE_URL',
  'SMTP_URL',
];

/** How deep (objects and arrays) under a logged object a secret key is still found. */
const SCRUB_DEPTH = 8;
const CENSOR = '[Redacted]';
const secretKeys: ReadonlySet<string> = new Set(SECRET_LOG_KEYS.map((key) => key.toLowerCase()));

/**
 * `value` with the values of SECRET_LOG_KEYS (any case) replaced at any depth up to SCRUB_DEPTH. Copies only the
 * objects on the way to a secret: the caller's object is never changed, and a line without secrets costs one walk.
 * (pino's own `redact` paths need a wildcard per depth, and at four depths cost ~0.5 ms a line: this is ~1 µs.)
 */
export function scrubSecrets<T>(value: T, depth = SCRUB_DEPTH): T {
  if (depth < 0 || typeof value !== 'object' || value === null || value instanceof Error) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const scrubbed = scrubSecrets(item, depth - 1);
      if (scrubbed !== item) (copy ??= [...value])[index] = scrubbed;
    });
    return (copy ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const scrubbed = secretKeys.has(key.toLowerCase()) ? CENSOR : scrubSecrets(item, depth - 1);
    if (scrubbed !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = scrubbed;
  }
  return (copy ?? value) as T;
}

/** Errors as pino prints them (message, type, stack, own fields), with secret fields (an HTTP client's headers) masked. */
function serializeError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  // Spread: the serializer's object has a prototype of its own, which scrubSecrets would leave alone.
  return typeof serialized === 'object' && serialized !== null ? scrubSecrets({ ...serialized }) : serialized;
}

/**
 * pino `redact` paths for the headers of pino-http's request and response shapes, should anyone log them: exact
 * paths (16 cost ~6 µs a line; pino's wildcards cost far more, hence scrubSecrets for every other place).
 */
export const HEADER_REDACT_PATHS: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'stripe-signature',
  'x-razorpay-signature',
  'webhook-signature',
  'paypal-transmission-sig',
].flatMap((header) => [`req.headers["${header}"]`, `res.headers["${header}"]`]);

/** Query parameters whose values are credentials (signed links, tokens) or may carry them (callback URLs). */
const SECRET_QUERY_PARAM = /sig|token|key|secret|password|auth|code|callback|credential/i;

/** `url` with the values of secret-looking query parameters replaced, for request log lines. */
export function redactUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const params = new URLSearchParams(url.slice(queryAt + 1));
  for (const name of new Set(params.keys())) {
    if (SECRET_QUERY_PARAM.test(name)) params.set(name, '[Redacted]');
  }
  const query = params.toString();
  return query ? `${url.slice(0, queryAt)}?${query}` : url.slice(0, queryAt);
}

/** Writes each line to the destination of the moment, so tests and the launcher can point the process's logs. */
class SwitchableDestination implements DestinationStream {
  target: DestinationStream = stdoutDestination();

  write(line: string): void {
    this.target.write(line);
  }
}

// Resolved per write, not bound once: a test that swaps process.stdout.write sees the lines.
function stdoutDestination(): DestinationStream {
  return { write: (line: string) => void process.stdout.write(line) };
}

/** The same lines, readable in a terminal; formatted in this thread (no transport worker), for development. */
function prettyDestination(): DestinationStream {
  const pretty = prettyFactory({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'hostname' });
  return { write: (line: string) => void process.stdout.write(pretty(line)) };
}

const destination = new SwitchableDestination();
let root: Logger | undefined;

function rootLogger(): Logger {
  root ??= pino(
    {
      level: 'info',
      base: { pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: log shippers and people filter on "level":"error".
      formatters: { level: (label) => ({ level: label }), log: (fields) => scrubSecrets(fields) },
      // The SDK reports failures under `error`; without a serializer an Error would print as {}.
      serializers: { err: serializeError, error: serializeError },
      redact: { paths: [...HEADER_REDACT_PATHS], censor: CENSOR },
      // With tracing on, a line written inside a span names it, so logs and traces join up.
      mixin: activeTraceIds,
    },
    destination,
  );
  return root;
}

/**
 * The process's one root logger, (re)pointed at LOG_LEVEL and LOG_FORMAT (stdout) or at `options.destination`.
 * Logging is per process, like Nest's logger and the Temporal runtime it feeds: every entry point calls this with
 * its env, and the last call wins (tests that start several apps in one process share it).
 */
export function configureLogging(env: LogEnv, options: LoggingOptions = {}): Logger {
  const logger = rootLogger();
  logger.level = env.LOG_LEVEL;
  destination.target = options.destination ?? (env.LOG_FORMAT === 'pretty' ? prettyDestination() : stdoutDestination());
  return logger;
}

/** The root logger as last configured (info, JSON on stdout before any configureLogging call). */
export function processLogger(): Logger {
  return rootLogger();
}

/**
 * Writes a line another process already serialised (the worker host's JSON lines) to this process's destination,
 * so one stream holds every process's lines. Its level was filtered and its secrets redacted where it was written.
 */
export function writeLogLine(line: string): void {
  destination.write(line.endsWith('\n') ? line : `${line}\n`);
}

const pinoLevels: Record<TemporalLogLevel, Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's Logger over pino: workflow `log`, activity `log`, worker and core messages with their metadata. */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: () => Logger) {}

  log(level: TemporalLogLevel, message: string, meta?: LogMetadata): void {
    // The SDK's own timestamp symbol; pino stamps the line itself.
    const { [LogTimestamp]: _timestamp, ...fields } = meta ?? {};
    this.logger()[pinoLevels[level]](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

let installed = false;

/**
 * Points the process's logs at LOG_LEVEL/LOG_FORMAT (or `options.destination`), starts tracing when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, and installs the Temporal runtime with a logger over the logs. The runtime can be installed once per process, before any worker or connection exists;
 * a later call only re-points the logs.
 */
export function installWorkerRuntime(
  env: LogEnv & TracingEnv & Partial<Pick<Env, 'TEMPORAL_METRICS_PORT' | 'METRICS_HOST'>>,
  options: LoggingOptions = {},
): void {
  configureLogging(env, options);
  configureTracing(env);
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new PinoTemporalLogger(processLogger),
    // With TEMPORAL_METRICS_PORT set, the SDK core serves its own worker metrics (temporal_*: task slots, poll and
    // schedule-to-start latencies, sticky cache…) in the Prometheus format on METRICS_HOST at that port.
    ...(env.TEMPORAL_METRICS_PORT === undefined
      ? {}
      : {
          telemetryOptions: {
            metrics: { prometheus: { bindAddress: `${env.METRICS_HOST ?? '0.0.0.0'}:${env.TEMPORAL_METRICS_PORT}` } },
          },
        }),
  });
}
