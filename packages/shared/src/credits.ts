/**
 * The credit unit is one second of audio ("credit-second"). Users see minutes, charged per
 * downloaded minute prorated by the second, so an integer count of seconds is exact.
 */
export const CREDIT_UNIT = 'second' as const;
export const CREDIT_SECONDS_PER_MINUTE = 60;

/** Seconds of audio billed for a duration: partial seconds round up so nothing is free by rounding. */
export function creditsForDurationMs(durationMs: number): number {
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new RangeError(`invalid duration ${durationMs}`);
  return Math.ceil(durationMs / 1000);
}
