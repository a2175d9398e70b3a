/**
 * Failures the caller caused or can act on; the API's error boundary answers each with its own HTTP status.
 */
const RequestFailureTypes = {
  InvalidAudio: 'InvalidAudio',
  UnknownModel: 'UnknownModel',
  InsufficientCredits: 'InsufficientCredits',
  QualityCheckFailed: 'QualityCheckFailed',
  InvalidRequest: 'InvalidRequest',
} as const;

/**
 * Failure types used with ApplicationFailure.nonRetryable(message, type) in activities and workflows, and as
 * domain error codes in the API's single error boundary. Every permanent failure uses one of these.
 */
export const FailureTypes = {
  ...RequestFailureTypes,
  /** A model or engine the request needs is not installed on the worker (an operator problem, not the caller's). */
  ModelUnavailable: 'ModelUnavailable',
  /** The job was cancelled or failed meanwhile: acting on it (holding credits) would strand state. */
  JobNotActive: 'JobNotActive',
  /** A broken invariant of the platform itself; retrying cannot help. */
  Internal: 'InternalError',
} as const;

/** A failure type the API maps to a 4xx status (see {@link FailureTypes}). */
export type FailureType = (typeof RequestFailureTypes)[keyof typeof RequestFailureTypes];
/** Any member of {@link FailureTypes}, including the platform-side ones the API answers as 5xx/409. */
export type AnyFailureType = (typeof FailureTypes)[keyof typeof FailureTypes];
