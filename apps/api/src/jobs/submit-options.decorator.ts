import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import type { Request } from 'express';

import { validationError } from '../common/domain-error';
import { idempotencyOf, type Idempotency } from './idempotency-key.decorator';

/** What a submit request says besides its body: its Idempotency-Key and where to call back when the job ends. */
export interface SubmitOptions {
  idempotency?: Idempotency;
  /** `?callback_url=` (Deepgram's style): gets the job's terminal event, signed like a webhook (checked at submit). */
  callbackUrl?: string;
}

const MAX_CALLBACK_URL_LENGTH = 2048;

/** The Idempotency-Key header and the `callback_url` query parameter of a job submission. */
export const JobSubmitOptions = createParamDecorator((_data: unknown, context: ExecutionContext): SubmitOptions => {
  const request = context.switchToHttp().getRequest<Request>();
  const idempotency = idempotencyOf(request);
  const raw = request.query['callback_url'];
  if (raw !== undefined && (typeof raw !== 'string' || raw === '' || raw.length > MAX_CALLBACK_URL_LENGTH)) {
    const message = `must be one absolute http(s) URL of at most ${MAX_CALLBACK_URL_LENGTH} characters`;
    throw validationError(`Invalid query: callback_url: ${message}`, [{ field: 'callback_url', message }]);
  }
  return { ...(idempotency ? { idempotency } : {}), ...(raw ? { callbackUrl: raw } : {}) };
});

/** The OpenAPI side of JobSubmitOptions. */
export function ApiSubmitOptions(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'Up to 255 characters; a retry gets the same job',
    }),
    ApiQuery({
      name: 'callback_url',
      required: false,
      description:
        'Gets the job’s terminal event (job.completed, job.failed, job.cancelled), signed per Standard Webhooks with ' +
        'your callback secret (GET /api/developer/webhooks/callback-secret). Private addresses are refused (400).',
    }),
  );
}
