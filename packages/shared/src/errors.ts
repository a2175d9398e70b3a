/**
 * Failure types used with ApplicationFailure.nonRetryable(message, type) in activities, and as
 * domain error codes in the API's single error boundary.
 */
export const FailureTypes = {
  InvalidAudio: 'InvalidAudio',
  UnknownModel: 'UnknownModel',
  InsufficientCredits: 'InsufficientCredits',
  QualityCheckFailed: 'QualityCheckFailed',
  InvalidRequest: 'InvalidRequest',
  /** A broken invariant inside the platform, not the user's input. */
  Internal: 'InternalError',
} as const;
export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];
