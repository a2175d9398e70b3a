import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Env } from '@voice/config';

import type { AuthenticatedRequest } from '../auth/auth-principal';
import type { RateLimiter } from '../auth/rate-limit/rate-limiter';
import { rateLimited, unauthorized } from '../common/domain-error';
import { ENV, token } from '../common/tokens';

/** The limiter counting voice uploads per user (its own instance: auth quotas and upload quotas never mix). */
export const VOICE_UPLOAD_RATE_LIMITER = token<RateLimiter>('VOICE_UPLOAD_RATE_LIMITER');

/**
 * At most VOICE_UPLOAD_RATE_LIMIT voice uploads per user per VOICE_UPLOAD_RATE_WINDOW_SECONDS, else 429 with
 * Retry-After. A guard runs before the multipart interceptor, so a refused upload is never written to disk, and
 * every attempt counts (a refused or invalid one still cost a probe), so retrying in a loop does not help.
 */
@Injectable()
export class VoiceUploadRateLimitGuard implements CanActivate {
  constructor(
    @Inject(VOICE_UPLOAD_RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // The global JwtAuthGuard ran first and attached the caller.
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw unauthorized();
    const limit = this.env.VOICE_UPLOAD_RATE_LIMIT;
    const windowSeconds = this.env.VOICE_UPLOAD_RATE_WINDOW_SECONDS;
    const decision = await this.limiter.consume(`voices:upload:user:${principal.userId}`, limit, windowSeconds * 1000);
    if (!decision.allowed) {
      throw rateLimited(
        `Too many voice uploads: at most ${limit} per ${windowSeconds} s; try again in ${decision.retryAfterSeconds} seconds`,
        decision.retryAfterSeconds,
      );
    }
    return true;
  }
}
