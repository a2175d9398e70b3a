/** Why a generation request was rejected. Every reason is permanent (bad input). */
export type MusicRequestReason =
  | 'unknown_genre'
  | 'invalid_key'
  | 'tempo_out_of_range'
  | 'invalid_duration'
  | 'invalid_seed'
  | 'unknown_sfx'
  | 'unknown_mood'
  | 'unknown_platform'
  | 'duration_exceeds_platform_limit';

/**
 * The request cannot be generated as asked. The message is written for the end user (the API
 * answers 400 with it); `supported` lists the accepted values where the reason is a vocabulary miss.
 */
export class MusicRequestError extends Error {
  /** Matches `FailureTypes.InvalidRequest` in `@voice/shared`, so the error boundary maps it to 400. */
  readonly code = 'InvalidRequest' as const;

  constructor(
    readonly reason: MusicRequestReason,
    message: string,
    readonly supported: readonly string[] = [],
  ) {
    super(message);
    this.name = 'MusicRequestError';
  }
}
