import { HttpStatus } from '@nestjs/common';

/** One entry of `error.details` for validation failures. */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface DomainErrorOptions {
  /** Machine-readable extras sent to the client (e.g. the invalid fields). Never put internals here. */
  details?: unknown;
  /** Response headers the filter sets with the error (e.g. Retry-After). */
  headers?: Readonly<Record<string, string>>;
  cause?: unknown;
}

/**
 * An expected failure with a stable, literal `code`, an HTTP status and a message that is safe to show
 * to the client. The global `ApiExceptionFilter` turns it into `{ statusCode, error: { code, message, details? } }`.
 */
export class DomainError<Code extends string = string> extends Error {
  readonly details: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: Code,
    readonly status: HttpStatus,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** 400 listing the offending fields. */
export function validationError(message: string, issues: FieldIssue[]): DomainError<'VALIDATION_FAILED'> {
  return new DomainError('VALIDATION_FAILED', HttpStatus.BAD_REQUEST, message, { details: issues });
}

/** 401; keep the message generic where detail would help an attacker (login, refresh). */
export function unauthorized(message = 'Authentication required'): DomainError<'UNAUTHORIZED'> {
  return new DomainError('UNAUTHORIZED', HttpStatus.UNAUTHORIZED, message);
}

/** 401 for a validly signed access token whose account no longer exists (deleted within the token's TTL). */
export function accountGone(): DomainError<'USER_NOT_FOUND'> {
  return new DomainError(
    'USER_NOT_FOUND',
    HttpStatus.UNAUTHORIZED,
    'The account of this access token no longer exists',
  );
}

/**
 * 403 for a suspended account: at sign-in (after the password checked out, so it reveals nothing to a guesser) and
 * on every request made with a credential issued before the suspension.
 */
export function accountSuspended(): DomainError<'ACCOUNT_SUSPENDED'> {
  return new DomainError(
    'ACCOUNT_SUSPENDED',
    HttpStatus.FORBIDDEN,
    'This account is suspended. Contact support if you think this is a mistake.',
  );
}

export function forbidden(message = 'Forbidden'): DomainError<'FORBIDDEN'> {
  return new DomainError('FORBIDDEN', HttpStatus.FORBIDDEN, message);
}

export function notFound<Code extends string>(code: Code, message: string): DomainError<Code> {
  return new DomainError(code, HttpStatus.NOT_FOUND, message);
}

export function conflict<Code extends string>(code: Code, message: string): DomainError<Code> {
  return new DomainError(code, HttpStatus.CONFLICT, message);
}

/** 429 with a Retry-After header (whole seconds, at least 1), plus any other headers (the RateLimit fields). */
export function rateLimited(
  message: string,
  retryAfterSeconds: number,
  headers: Readonly<Record<string, string>> = {},
): DomainError<'RATE_LIMITED'> {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new DomainError('RATE_LIMITED', HttpStatus.TOO_MANY_REQUESTS, message, {
    details: { retryAfterSeconds: seconds },
    headers: { ...headers, 'Retry-After': String(seconds) },
  });
}

/** 503 for a dependency this process was started without or cannot reach. */
export function serviceUnavailable(message: string): DomainError<'SERVICE_UNAVAILABLE'> {
  return new DomainError('SERVICE_UNAVAILABLE', HttpStatus.SERVICE_UNAVAILABLE, message);
}

/**
 * Errors thrown by other packages (`@voice/db` and friends) that carry a literal `code` but are not
 * DomainErrors; the filter maps them by code. Add a line here when a package gains a new expected error.
 */
export const FOREIGN_ERROR_STATUS: Readonly<Record<string, HttpStatus>> = {
  EMAIL_TAKEN: HttpStatus.CONFLICT,
  // A validly signed access token whose user was deleted within its TTL: the credentials are no good any more.
  USER_NOT_FOUND: HttpStatus.UNAUTHORIZED,
  INSUFFICIENT_CREDITS: HttpStatus.PAYMENT_REQUIRED,
  JOB_NOT_FOUND: HttpStatus.NOT_FOUND,
  JOB_NOT_COMPLETED: HttpStatus.CONFLICT,
  JOB_NOT_ACTIVE: HttpStatus.CONFLICT,
  // Past its download window: the retention schedule expired (and deletes) the job's files.
  OUTPUT_EXPIRED: HttpStatus.GONE,
  IDEMPOTENCY_KEY_CONFLICT: HttpStatus.CONFLICT,
};

/** Client messages for foreign errors whose own message is not the one to show (defaults to the error's message). */
export const FOREIGN_ERROR_MESSAGE: Readonly<Partial<Record<string, string>>> = {
  USER_NOT_FOUND: accountGone().message,
};

/** An Error whose `code` is listed in FOREIGN_ERROR_STATUS. */
export function isMappedForeignError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !('code' in error)) return false;
  const code: unknown = error.code;
  return typeof code === 'string' && Object.hasOwn(FOREIGN_ERROR_STATUS, code);
}
