import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';

import { type DomainError, rateLimited } from '../../common/domain-error';
import { ErrorResponseDto } from '../../common/openapi';
import type { RateLimitDecision, RateLimiter } from './rate-limiter';

/** A named quota, as advertised in the `RateLimit-Policy` header. */
export interface RateLimitPolicy {
  /** A short token-like name (`job-submit`); sent as a Structured Fields String. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * The header fields of draft-ietf-httpapi-ratelimit-headers-11: both are Structured Field Lists whose items are a
 * String naming the policy with parameters, e.g. `RateLimit-Policy: "job-submit";q=10;w=60` (quota and window in
 * seconds) and `RateLimit: "job-submit";r=3;t=42` (requests remaining, seconds until that quota is renewed). A
 * request under several policies gets one item of each per policy.
 */
export const RATE_LIMIT_POLICY_HEADER = 'RateLimit-Policy';
export const RATE_LIMIT_HEADER = 'RateLimit';

export function policyItem(policy: RateLimitPolicy): string {
  return `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`;
}

/**
 * `t` on a refusal equals Retry-After (at least 1 s), as the draft asks that Retry-After not point before the end of
 * the effective window.
 */
export function serviceLimitItem(policy: RateLimitPolicy, decision: RateLimitDecision): string {
  const seconds = decision.allowed ? decision.resetSeconds : Math.max(1, Math.ceil(decision.retryAfterSeconds));
  return `"${policy.name}";r=${decision.remaining};t=${seconds}`;
}

/** Adds this policy's items to the response's RateLimit-Policy and RateLimit lists. */
export function appendRateLimitHeaders(response: Response, policy: RateLimitPolicy, decision: RateLimitDecision): void {
  response.append(RATE_LIMIT_POLICY_HEADER, policyItem(policy));
  response.append(RATE_LIMIT_HEADER, serviceLimitItem(policy, decision));
}

/** The 429 for a refused attempt: Retry-After plus the violated policy's RateLimit-Policy and RateLimit fields. */
export function quotaExceeded(
  policy: RateLimitPolicy,
  decision: RateLimitDecision,
  message: string,
): DomainError<'RATE_LIMITED'> {
  return rateLimited(message, decision.retryAfterSeconds, {
    [RATE_LIMIT_POLICY_HEADER]: policyItem(policy),
    [RATE_LIMIT_HEADER]: serviceLimitItem(policy, decision),
  });
}

/**
 * Counts one attempt under `policy` for `key`: on success the response (when there is one) carries the policy's
 * headers; a refusal throws the 429 (see quotaExceeded) with `message(retryAfterSeconds)`.
 */
export async function enforceQuota(
  limiter: RateLimiter,
  policy: RateLimitPolicy,
  key: string,
  message: (retryAfterSeconds: number) => string,
  response?: Response,
): Promise<RateLimitDecision> {
  const decision = await limiter.consume(key, policy.limit, policy.windowSeconds * 1000);
  if (!decision.allowed) throw quotaExceeded(policy, decision, message(Math.max(1, decision.retryAfterSeconds)));
  if (response) appendRateLimitHeaders(response, policy, decision);
  return decision;
}

/** Documents a rate-limited route's 429 and the headers it and its successes carry. */
export function ApiRateLimited(description: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiResponse({
      status: 429,
      type: ErrorResponseDto,
      description: `${description} Carries Retry-After and the RateLimit-Policy / RateLimit fields (IETF draft).`,
      headers: {
        'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
        [RATE_LIMIT_POLICY_HEADER]: { description: 'e.g. `"job-submit";q=10;w=60`', schema: { type: 'string' } },
        [RATE_LIMIT_HEADER]: { description: 'e.g. `"job-submit";r=0;t=42`', schema: { type: 'string' } },
      },
    }),
  );
}
