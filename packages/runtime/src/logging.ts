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

/** How deep under the logged object a secret key is still found (pino's paths have no recursive wildcard). */
const REDACT_DEPTH = 4;

/** pino `redact` paths for SECRET_LOG_KEYS at every depth up to REDACT_DEPTH (`*.password`, `*.*["set-cookie"]`…). */
export function secretRedactPaths(keys: readonly string[] = SECRET_LOG_KEYS): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(key);
    for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
      const wildcards = Array.from({ length: depth }, () => '*').join('.');
      if (plain) paths.push(wildcards ? `${wildcards}.${key}` : key);
      else paths.push(`${wildcards}["${key}"]`);
    }
  }
  return paths;
}

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
      formatters: { level: (label) => ({ level: label }) },
      // The SDK reports failures under `error`; without a serializer an Error would print as {}.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      redact: { paths: secretRedactPaths(), censor: '[Redacted]' },
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
export function installWorkerRuntime(env: LogEnv & TracingEnv, options: LoggingOptions = {}): void {
  configureLogging(env, options);
  configureTracing(env);
  if (installed) return;
  installed = true;
  Runtime.install({ logger: new PinoTemporalLogger(processLogger) });
}
