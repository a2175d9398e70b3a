import { ApplicationFailure } from '@temporalio/common';
import type { AnyFailureType } from '@voice/shared';

/** Maps one domain error class (and its subclasses) to a permanent failure of a FailureTypes member. */
export interface FailureRule {
  readonly matches: (error: unknown) => boolean;
  readonly type: AnyFailureType;
  readonly message: (error: Error) => string;
}

/**
 * A rule for `errorClass`: its instances (those passing `when`, if given) fail the activity for good with `type`,
 * and with the error's own message unless `message` rewrites it.
 */
export function failureRule<E extends Error>(
  errorClass: abstract new (...args: never[]) => E,
  type: AnyFailureType,
  options: { when?: (error: E) => boolean; message?: (error: E) => string } = {},
): FailureRule {
  return {
    matches: (error) => error instanceof errorClass && (options.when?.(error) ?? true),
    type,
    message: (error) => options.message?.(error as E) ?? error.message,
  };
}

/** `ApplicationFailure.nonRetryable` restricted to FailureTypes members. */
export function permanentFailure(type: AnyFailureType, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/**
 * The error to rethrow for `error`: a non-retryable failure from the first matching rule, else `error` unchanged
 * (transient: Temporal retries it). Failures already classified (ApplicationFailure, cancellation) pass through.
 */
export function toFailure(error: unknown, rules: readonly FailureRule[]): unknown {
  if (error instanceof ApplicationFailure || !(error instanceof Error)) return error;
  const rule = rules.find((candidate) => candidate.matches(error));
  if (!rule) return error;
  return permanentFailure(rule.type, rule.message(error));
}

/** Runs `work`, rethrowing what it throws through {@link toFailure}. */
export async function withFailureRules<T>(rules: readonly FailureRule[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toFailure(error, rules);
  }
}
