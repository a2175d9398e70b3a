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
import type { RateLimiter } from './rate-limiter';

export type AuthAction = 'register' | 'login' | 'refresh';

interface AuthRateLimitPolicy {
  action: AuthAction;
  /** Also count attempts per submitted email, so spreading a password guess over many IPs does not help. */
  byEmail: boolean;
}

const AUTH_RATE_LIMIT_KEY = 'voice:authRateLimit';

/**
 * Counts attempts of an auth action per client IP (and per email when asked) and answers 429 with
 * Retry-After beyond AUTH_RATE_LIMIT per AUTH_RATE_WINDOW_SECONDS. Each action has its own quota so a
 * burst of logins cannot block token refreshes. The IP is Express's `req.ip`: behind a reverse proxy,
 * enable Express "trust proxy" or every client shares the proxy's address.
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

    const keys = [`auth:${policy.action}:ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`];
    const email = policy.byEmail ? emailOf(request.body) : undefined;
    if (email) keys.push(`auth:${policy.action}:email:${email}`);

    const windowMs = this.env.AUTH_RATE_WINDOW_SECONDS * 1000;
    for (const key of keys) {
      const decision = await this.limiter.consume(key, this.env.AUTH_RATE_LIMIT, windowMs);
      if (!decision.allowed) {
        throw rateLimited(
          `Too many ${policy.action} attempts; try again in ${decision.retryAfterSeconds} seconds`,
          decision.retryAfterSeconds,
        );
      }
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
export function AuthRateLimit(action: AuthAction, options: { byEmail?: boolean } = {}): MethodDecorator {
  const policy: AuthRateLimitPolicy = { action, byEmail: options.byEmail ?? false };
  return applyDecorators(
    SetMetadata(AUTH_RATE_LIMIT_KEY, policy),
    UseGuards(AuthRateLimitGuard),
    ApiTooManyRequestsResponse({ description: 'Too many attempts; see Retry-After.', type: ErrorResponseDto }),
  );
}
