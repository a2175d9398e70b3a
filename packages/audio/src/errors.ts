/** Why an input was rejected. Each reason is a permanent (non-retryable) failure. */
export type AudioValidationReason =
  'empty' | 'not_audio' | 'unsupported_format' | 'truncated' | 'no_audio_stream' | 'too_long' | 'too_many_channels';

/**
 * The input cannot be used as audio. The message is written for the end user (it becomes the
 * body of an HTTP 4xx answer), so it never contains paths or tool output.
 */
export class AudioValidationError extends Error {
  /** Matches `FailureTypes.InvalidAudio` in `@voice/shared`, so the error boundary can map it. */
  readonly code = 'InvalidAudio' as const;

  constructor(
    readonly reason: AudioValidationReason,
    message: string,
  ) {
    super(message);
    this.name = 'AudioValidationError';
  }
}

/**
 * ffmpeg failed for a reason that is not attributable to the input having been validated as bad
 * (missing binary, killed process, unexpected exit). Treat it as transient.
 */
export class FfmpegError extends Error {
  constructor(
    message: string,
    /** Exit code, or null when the process was killed by a signal. */
    readonly exitCode: number | null,
    /** The last lines ffmpeg wrote to stderr, for logs only. */
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}
