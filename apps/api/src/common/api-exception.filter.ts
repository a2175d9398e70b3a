import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
} from '@nestjs/common';
import type { Env } from '@voice/config';
import type { Request, Response } from 'express';
import { STATUS_CODES as HTTP_STATUS_TEXT } from 'node:http';

import { StepRejection } from '@voice/shared';
import { DomainError, FOREIGN_ERROR_MESSAGE, FOREIGN_ERROR_STATUS, isMappedForeignError } from './domain-error';
import { mapTemporalError } from './temporal-errors';
import { ENV } from './tokens';

/** The one JSON shape of every error response. */
export interface ErrorBody {
  statusCode: number;
  error: { code: string; message: string; details?: unknown };
}

/** An error as the boundary resolved it: status, stable code, client-safe message. */
export interface ResolvedError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Readonly<Record<string, string>>;
}

const STATUS_CODES: Readonly<Partial<Record<number, string>>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  402: 'PAYMENT_REQUIRED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'RATE_LIMITED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}

function fromDomainError(error: DomainError): ResolvedError {
  return {
    status: error.status,
    code: error.code,
    message: error.message,
    details: error.details,
    headers: error.headers,
  };
}

/** Nest's HttpException response is either a string or `{ message: string | string[], error?, statusCode }`. */
function fromHttpException(error: HttpException): ResolvedError {
  const status = error.getStatus();
  const response = error.getResponse();
  let message = error.message;
  let details: unknown;
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const raw: unknown = response.message;
    if (typeof raw === 'string') message = raw;
    else if (Array.isArray(raw) && raw.every((item): item is string => typeof item === 'string')) {
      message = raw.join('; ');
      details = raw;
    }
  }
  return { status, code: codeForStatus(status), message, details };
}

/**
 * Errors from Express middleware (body-parser, multer) built with `http-errors`: a 4xx `status` and
 * `expose: true` mean the message was written for the client (e.g. "request entity too large").
 */
function fromExposedHttpError(error: unknown): ResolvedError | undefined {
  if (!(error instanceof Error) || !('status' in error) || !('expose' in error)) return undefined;
  const { status, expose } = error;
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return undefined;
  return { status, code: codeForStatus(status), message: error.message };
}

const INTERNAL: ResolvedError = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  code: 'INTERNAL',
  message: 'Internal server error',
};

/**
 * The single error boundary: DomainErrors, coded errors from our packages, Temporal client errors and
 * Nest HttpExceptions are mapped to `{ statusCode, error: { code, message, details? } }`. Anything else is
 * logged with its stack and answered with a bare 500, so internals never leak.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  protected readonly logger = new Logger('ApiExceptionFilter');

  constructor(@Inject(ENV) private readonly env: Env) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const resolved = this.resolve(exception, request);

    if (response.headersSent) {
      // A streamed download failed half-way; the status is gone, so all we can do is drop the connection.
      this.logger.error(`Error after response started on ${request.method} ${pathOf(request)}`, stackOf(exception));
      response.destroy();
      return;
    }
    for (const [name, value] of Object.entries(resolved.headers ?? {})) response.setHeader(name, value);
    const body: ErrorBody = {
      statusCode: resolved.status,
      error: {
        code: resolved.code,
        message: resolved.message,
        ...(resolved.details === undefined ? {} : { details: resolved.details }),
      },
    };
    response.status(resolved.status).json(body);
  }

  /** Shared with the /v1 filter, which writes the same resolution in OpenAI's shape. */
  protected resolve(exception: unknown, request: Request): ResolvedError {
    if (exception instanceof DomainError) {
      if (exception.status >= 500)
        this.logger.warn(`${exception.code}: ${exception.message}`, stackOf(exception.cause));
      return fromDomainError(exception);
    }
    // A step's submit-time check refused it (unknown model, voice, language pair, genre, a cut outside the audio).
    if (exception instanceof StepRejection) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      };
    }
    if (isMappedForeignError(exception)) {
      const status = FOREIGN_ERROR_STATUS[exception.code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
      return { status, code: exception.code, message: FOREIGN_ERROR_MESSAGE[exception.code] ?? exception.message };
    }
    const temporal = mapTemporalError(exception);
    if (temporal) {
      if (temporal.status >= 500) this.logger.warn(`${temporal.code}: ${String(exception)}`);
      return fromDomainError(temporal);
    }
    if (exception instanceof HttpException) {
      const resolved = fromHttpException(exception);
      // Nest's no-route 404 says "Cannot GET <originalUrl>": the query may carry a secret (a signed link's `sig`).
      if (
        resolved.status === HttpStatus.NOT_FOUND &&
        resolved.message === `Cannot ${request.method} ${request.originalUrl}`
      ) {
        return { ...resolved, message: `Cannot ${request.method} ${pathOf(request)}` };
      }
      // Only multer raises a 413 HttpException, with "File too large"; say what the limit is.
      if (resolved.status === HttpStatus.PAYLOAD_TOO_LARGE) {
        const limitMb = (this.env.MAX_UPLOAD_BYTES / 2 ** 20).toFixed(this.env.MAX_UPLOAD_BYTES < 2 ** 20 ? 2 : 0);
        return {
          ...resolved,
          message: `The file is too large: uploads are limited to ${limitMb} MB (MAX_UPLOAD_BYTES).`,
        };
      }
      if (resolved.status < 500) return resolved;
      // A 5xx HttpException thrown by library code may carry internals; keep its status, hide its message.
      this.logger.error(`${request.method} ${pathOf(request)} failed`, stackOf(exception));
      return {
        status: resolved.status,
        code: codeForStatus(resolved.status),
        message: HTTP_STATUS_TEXT[resolved.status] ?? INTERNAL.message,
      };
    }
    const exposed = fromExposedHttpError(exception);
    if (exposed) return exposed;

    this.logger.error(`Unhandled error on ${request.method} ${pathOf(request)}`, stackOf(exception));
    return INTERNAL;
  }
}

/** The request path without its query, which may hold secrets (signed links) that belong in neither bodies nor logs. */
function pathOf(request: Request): string {
  const url = request.originalUrl;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function stackOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return error === undefined ? undefined : String(error);
}
