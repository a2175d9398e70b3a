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
import type { Env } from '@voice/config';
import type { Request, Response } from 'express';

import { ENV, RATE_LIMITER } from '../../common/tokens';
import { clientAddressKey } from './client-address';
import { ApiRateLimited, enforceQuota, type RateLimitPolicy } from './rate-limit-policy';
import type { RateLimiter } from './rate-limiter';

export type AuthAction =
  | 'register'
  | 'login'
  | 'refresh'
  | 'mfa'
  | 'forgot-password'
  | 'reset-password'
  | 'resend-verification'
  | 'delete-account';

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
  policy: RateLimitPolicy;
}

/**
 * Answers 429 with Retry-After beyond a quota per AUTH_RATE_WINDOW_SECONDS. Each action has its own quotas so a
 * burst of logins cannot block token refreshes:
 * - register, mfa, resend-verification: AUTH_RATE_LIMIT per client address (MfaService adds AUTH_MFA_RATE_LIMIT
 *   per account);
 * - refresh: AUTH_REFRESH_RATE_LIMIT per address, much higher: the web app refreshes on every page load, and a
 *   refresh token is single-use (reuse revokes its sign-in), so there is nothing to guess;
 * - forgot-password, reset-password: PASSWORD_RESET_RATE_LIMIT per client address;
 * - login: AUTH_LOGIN_IP_RATE_LIMIT per address over all emails and AUTH_RATE_LIMIT per (email, address) pair,
 *   then a delay (see emailSlowdownMs) once one email has had AUTH_EMAIL_SLOWDOWN_AFTER attempts from anywhere.
 * Responses carry each quota's RateLimit-Policy / RateLimit items. The address is Express's `req.ip` (an IPv6 client
 * counts by its /64): behind a reverse proxy, set TRUST_PROXY (Express "trust proxy") or every client shares the proxy's address.
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.get<AuthRateLimitPolicy | undefined>(AUTH_RATE_LIMIT_KEY, context.getHandler());
    if (!policy) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const address = clientAddressKey(request.ip ?? request.socket.remoteAddress);
    const email = policy.byEmail ? emailOf(request.body) : undefined;
    const prefix = `auth:${policy.action}`;
    const windowSeconds = this.env.AUTH_RATE_WINDOW_SECONDS;
    const named = (name: string, limit: number): RateLimitPolicy => ({ name, limit, windowSeconds });

    const quotas: Quota[] = [
      {
        key: `${prefix}:ip:${address}`,
        policy: policy.byEmail
          ? named(`auth-${policy.action}-address`, this.env.AUTH_LOGIN_IP_RATE_LIMIT)
          : named(`auth-${policy.action}`, this.addressLimit(policy)),
      },
    ];
    // JSON-encoded so no email can forge another pair's key.
    if (email !== undefined) {
      quotas.push({
        key: `${prefix}:pair:${JSON.stringify([email, address])}`,
        policy: named(`auth-${policy.action}`, this.env.AUTH_RATE_LIMIT),
      });
    }
    for (const { key, policy: quota } of quotas) {
      await enforceQuota(
        this.limiter,
        quota,
        key,
        (seconds) => `Too many ${policy.action} attempts; try again in ${seconds} seconds`,
        response,
      );
    }

    if (email !== undefined) {
      // Counted whether or not the account exists, so the delay says nothing about which emails are registered.
      const threshold = this.env.AUTH_EMAIL_SLOWDOWN_AFTER;
      const ceiling = threshold + EMAIL_SLOWDOWN_STEPS;
      const decision = await this.limiter.consume(`${prefix}:email:${email}`, ceiling, windowSeconds * 1000);
      const delayMs = decision.allowed
        ? emailSlowdownMs(ceiling - decision.remaining, threshold)
        : EMAIL_SLOWDOWN_MAX_MS;
      // A timer, not work: the event loop serves other requests meanwhile.
      if (delayMs > 0) await sleep(delayMs);
    }
    return true;
  }

  private addressLimit(policy: AuthRateLimitPolicy): number {
    return policy.action === 'refresh' ? this.env.AUTH_REFRESH_RATE_LIMIT : this.env[policy.addressLimit];
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
    ApiRateLimited('Too many attempts; see Retry-After.'),
  );
}
