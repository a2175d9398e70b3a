import { setTimeout as sleep } from 'node:timers/promises';

import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Env } from '@voice/config';
import type { Request } from 'express';

import { rateLimited } from '../../common/domain-error';
import { ErrorResponseDto } from '../../common/openapi';
import { AUTH_RATE_LIMITER, ENV } from '../../common/tokens';
import { clientAddressKey } from './client-address';
import type { RateLimiter } from './rate-limiter';

export type AuthAction =
  'register' | 'login' | 'refresh' | 'mfa' | 'forgot-password' | 'reset-password' | 'resend-verification';

/** The env limits an action's per-address quota can use. */
type AddressLimit = 'AUTH_RATE_LIMIT' | 'PASSWORD_RESET_RATE_LIMIT';

interface AuthRateLimitPolicy {
  action: AuthAction;
  /** Per-address quota (ignored with byEmail, which uses AUTH_LOGIN_IP_RATE_LIMIT); default AUTH_RATE_LIMIT. */
  addressLimit: AddressLimit;
  /**
   * Count per (email, address) pair as well as per address, and slow down (never refuse) attempts on one email
   * from everywhere. Refusing per email alone would let anyone lock the owner out with a few wrong passwords.
   */
  byEmail: boolean;
}

const AUTH_RATE_LIMIT_KEY = 'voice:authRateLimit';

/**
 * The per-email slowdown: the first attempt past AUTH_EMAIL_SLOWDOWN_AFTER waits 250 ms, each further one twice as
 * long, up to 8 s. That turns a distributed guess on one account from thousands of tries a minute into a handful,
 * while its owner, at worst, waits 8 s for a login that still goes through.
 */
export const EMAIL_SLOWDOWN_BASE_MS = 250;
export const EMAIL_SLOWDOWN_MAX_MS = 8_000;
// Attempts past the threshold that each double the delay; beyond them it stays at the maximum, so the bucket
// (and its memory) stops growing there.
const EMAIL_SLOWDOWN_STEPS = Math.log2(EMAIL_SLOWDOWN_MAX_MS / EMAIL_SLOWDOWN_BASE_MS) + 1;

/** Delay for the attempt numbered `count` (1-based) on one email within the window. */
export function emailSlowdownMs(count: number, threshold: number): number {
  if (count <= threshold) return 0;
  return Math.min(EMAIL_SLOWDOWN_MAX_MS, EMAIL_SLOWDOWN_BASE_MS * 2 ** (count - threshold - 1));
}

interface Quota {
  key: string;
  limit: number;
}

/**
 * Answers 429 with Retry-After beyond a quota per AUTH_RATE_WINDOW_SECONDS. Each action has its own quotas so a
 * burst of logins cannot block token refreshes:
 * - register, refresh, mfa, resend-verification: AUTH_RATE_LIMIT per client address (MfaService adds
 *   AUTH_MFA_RATE_LIMIT per account);
 * - forgot-password, reset-password: PASSWORD_RESET_RATE_LIMIT per client address;
 * - login: AUTH_LOGIN_IP_RATE_LIMIT per address over all emails and AUTH_RATE_LIMIT per (email, address) pair,
 *   then a delay (see emailSlowdownMs) once one email has had AUTH_EMAIL_SLOWDOWN_AFTER attempts from anywhere.
 * The address is Express's `req.ip` (an IPv6 client counts by its /64): behind a reverse proxy, enable Express
 * "trust proxy" or every client shares the proxy's address.
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.get<AuthRateLimitPolicy | undefined>(AUTH_RATE_LIMIT_KEY, context.getHandler());
    if (!policy) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const address = clientAddressKey(request.ip ?? request.socket.remoteAddress);
    const email = policy.byEmail ? emailOf(request.body) : undefined;
    const prefix = `auth:${policy.action}`;
    const windowMs = this.env.AUTH_RATE_WINDOW_SECONDS * 1000;

    const quotas: Quota[] = [
      {
        key: `${prefix}:ip:${address}`,
        limit: policy.byEmail ? this.env.AUTH_LOGIN_IP_RATE_LIMIT : this.env[policy.addressLimit],
      },
    ];
    // JSON-encoded so no email can forge another pair's key.
    if (email !== undefined) {
      quotas.push({ key: `${prefix}:pair:${JSON.stringify([email, address])}`, limit: this.env.AUTH_RATE_LIMIT });
    }
    for (const { key, limit } of quotas) {
      const decision = await this.limiter.consume(key, limit, windowMs);
      if (!decision.allowed) {
        throw rateLimited(
          `Too many ${policy.action} attempts; try again in ${decision.retryAfterSeconds} seconds`,
          decision.retryAfterSeconds,
        );
      }
    }

    if (email !== undefined) {
      // Counted whether or not the account exists, so the delay says nothing about which emails are registered.
      const threshold = this.env.AUTH_EMAIL_SLOWDOWN_AFTER;
      const ceiling = threshold + EMAIL_SLOWDOWN_STEPS;
      const decision = await this.limiter.consume(`${prefix}:email:${email}`, ceiling, windowMs);
      const delayMs = decision.allowed
        ? emailSlowdownMs(ceiling - decision.remaining, threshold)
        : EMAIL_SLOWDOWN_MAX_MS;
      // A timer, not work: the event loop serves other requests meanwhile.
      if (delayMs > 0) await sleep(delayMs);
    }
    return true;
  }
}

/** Normalised like the login schema does, so "A@x.com" and "a@x.com " share a quota. */
function emailOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('email' in body)) return undefined;
  const email: unknown = body.email;
  return typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : undefined;
}

/** Rate-limits an auth handler (see AuthRateLimitGuard) and documents the 429. */
export function AuthRateLimit(
  action: AuthAction,
  options: { byEmail?: boolean; addressLimit?: AddressLimit } = {},
): MethodDecorator {
  const policy: AuthRateLimitPolicy = {
    action,
    byEmail: options.byEmail ?? false,
    addressLimit: options.addressLimit ?? 'AUTH_RATE_LIMIT',
  };
  return applyDecorators(
    SetMetadata(AUTH_RATE_LIMIT_KEY, policy),
    UseGuards(AuthRateLimitGuard),
    ApiTooManyRequestsResponse({ description: 'Too many attempts; see Retry-After.', type: ErrorResponseDto }),
  );
}
