/**
 * Domain errors thrown by the query functions. Each carries a literal `code` so the API's single error
 * filter (and activities, which turn them into non-retryable failures) can map them without instanceof chains.
 */

/** Sign-up with an email that exists already, compared case-insensitively. */
export class EmailTakenError extends Error {
  readonly code = 'EMAIL_TAKEN' as const;
  constructor(readonly email: string) {
    super('An account with this email already exists');
    this.name = 'EmailTakenError';
  }
}

/** The balance cannot cover a hold or a charge; nothing was changed. */
export class InsufficientCreditsError extends Error {
  readonly code = 'INSUFFICIENT_CREDITS' as const;
  constructor(
    /** Credit-seconds the operation needed. */
    readonly required: number,
    /** Credit-seconds that were available to it. */
    readonly available: number,
  ) {
    super(`Insufficient credits: ${required} credit-seconds required, ${available} available`);
    this.name = 'InsufficientCreditsError';
  }
}

/** The user does not exist (for example deleted while one of their tokens was still valid). */
export class UserNotFoundError extends Error {
  readonly code = 'USER_NOT_FOUND' as const;
  constructor(readonly userId: string) {
    super(`User ${userId} not found`);
    this.name = 'UserNotFoundError';
  }
}

/** No such job, or it belongs to someone else (the two are indistinguishable on purpose). */
export class JobNotFoundError extends Error {
  readonly code = 'JOB_NOT_FOUND' as const;
  constructor(readonly jobId: string) {
    super(`Job ${jobId} not found`);
    this.name = 'JobNotFoundError';
  }
}

/** The job has no deliverable yet (or never will): only completed jobs can be downloaded. */
export class JobNotCompletedError extends Error {
  readonly code = 'JOB_NOT_COMPLETED' as const;
  constructor(
    readonly jobId: string,
    readonly status: string,
  ) {
    super(`Job ${jobId} is ${status}, not completed`);
    this.name = 'JobNotCompletedError';
  }
}

/** A hold was requested for a job that failed, was cancelled or was already charged: it could never be released. */
export class JobNotActiveError extends Error {
  readonly code = 'JOB_NOT_ACTIVE' as const;
  constructor(
    readonly jobId: string,
    readonly status: string,
  ) {
    super(`Job ${jobId} is ${status} and cannot hold credits`);
    this.name = 'JobNotActiveError';
  }
}

/** The job's download window is over: the retention schedule expired its files (they are, or soon will be, deleted). */
export class JobFilesExpiredError extends Error {
  readonly code = 'OUTPUT_EXPIRED' as const;
  constructor(
    readonly jobId: string,
    readonly expiredAt: Date,
  ) {
    super(`The files of job ${jobId} expired on ${expiredAt.toISOString()} and are no longer available`);
    this.name = 'JobFilesExpiredError';
  }
}

/** An idempotency key was reused for a different operation, user or job: a caller bug, never retried away. */
export class IdempotencyKeyConflictError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_CONFLICT' as const;
  constructor(readonly idempotencyKey: string) {
    super(`Idempotency key ${idempotencyKey} was already used for a different operation`);
    this.name = 'IdempotencyKeyConflictError';
  }
}

/** Every error class the data layer throws on purpose. */
export type DbDomainError =
  | EmailTakenError
  | UserNotFoundError
  | InsufficientCreditsError
  | JobNotFoundError
  | JobNotCompletedError
  | JobNotActiveError
  | JobFilesExpiredError
  | IdempotencyKeyConflictError;
