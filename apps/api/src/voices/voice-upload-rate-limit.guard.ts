import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Env } from '@voice/config';
import type { Response } from 'express';

import type { AuthenticatedRequest } from '../auth/auth-principal';
import { enforceQuota } from '../auth/rate-limit/rate-limit-policy';
import type { RateLimiter } from '../auth/rate-limit/rate-limiter';
import { unauthorized } from '../common/domain-error';
import { ENV, RATE_LIMITER } from '../common/tokens';

/**
 * At most VOICE_UPLOAD_RATE_LIMIT voice uploads per user per VOICE_UPLOAD_RATE_WINDOW_SECONDS, else 429 with
 * Retry-After (and the `voice-upload` RateLimit fields). A guard runs before the multipart interceptor, so a refused
 * upload is never written to disk, and every attempt counts (a refused or invalid one still cost a probe), so
 * retrying in a loop does not help. Counted in the shared limiter, so the quota holds across API instances.
 */
@Injectable()
export class VoiceUploadRateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    // The global JwtAuthGuard ran first and attached the caller.
    const principal = http.getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw unauthorized();
    const limit = this.env.VOICE_UPLOAD_RATE_LIMIT;
    const windowSeconds = this.env.VOICE_UPLOAD_RATE_WINDOW_SECONDS;
    await enforceQuota(
      this.limiter,
      { name: 'voice-upload', limit, windowSeconds },
      `voices:upload:user:${principal.userId}`,
      (seconds) => `Too many voice uploads: at most ${limit} per ${windowSeconds} s; try again in ${seconds} seconds`,
      http.getResponse<Response>(),
    );
    return true;
  }
}
