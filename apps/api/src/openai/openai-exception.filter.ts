import { type ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';

import { ApiExceptionFilter, type ResolvedError } from '../common/api-exception.filter';

/** OpenAI's error body: what its SDKs parse into typed errors (`BadRequestError`, `AuthenticationError`, …). */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's `type` per status; its SDKs pick the error class from the status, and clients branch on `type`. */
function typeForStatus(status: number): string {
  if (status === HttpStatus.UNAUTHORIZED) return 'authentication_error';
  if (status === HttpStatus.PAYMENT_REQUIRED) return 'insufficient_quota';
  if (status === HttpStatus.FORBIDDEN) return 'permission_error';
  if (status === HttpStatus.TOO_MANY_REQUESTS) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Our stable codes in OpenAI's spelling where it has one, else lower-cased (`UNKNOWN_MODEL` → `unknown_model`). */
const OPENAI_CODES: Readonly<Record<string, string>> = {
  INVALID_API_KEY: 'invalid_api_key',
  UNAUTHORIZED: 'invalid_api_key',
  RATE_LIMITED: 'rate_limit_exceeded',
  INSUFFICIENT_CREDITS: 'insufficient_quota',
  UNKNOWN_MODEL: 'model_not_found',
};

/** The field an error is about: OpenAI's `param`, from our `{ param }` details or the first invalid field. */
function paramOf(details: unknown): string | null {
  if (typeof details !== 'object' || details === null) return null;
  if ('param' in details && typeof details.param === 'string') return details.param;
  if (Array.isArray(details)) {
    const first: unknown = details[0];
    if (typeof first === 'object' && first !== null && 'field' in first && typeof first.field === 'string') {
      return first.field || null;
    }
  }
  return null;
}

export function toOpenAiError(resolved: ResolvedError): OpenAiErrorBody {
  return {
    error: {
      message: resolved.message,
      type: typeForStatus(resolved.status),
      param: paramOf(resolved.details),
      code: OPENAI_CODES[resolved.code] ?? resolved.code.toLowerCase(),
    },
  };
}

/**
 * The /v1 routes' error boundary: the same resolution as the global filter (statuses, safe messages, logging),
 * written in OpenAI's shape so its SDKs raise their typed errors.
 */
@Catch()
export class OpenAiExceptionFilter extends ApiExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (response.headersSent) {
      // Audio was already streaming: the status is gone, so the client learns of it by the connection dropping.
      this.logger.error(`Error after a /v1 response started on ${request.method} ${request.path}`, String(exception));
      response.destroy();
      return;
    }
    const resolved = this.resolve(exception, request);
    for (const [name, value] of Object.entries(resolved.headers ?? {})) response.setHeader(name, value);
    response.status(resolved.status).json(toOpenAiError(resolved));
  }
}
