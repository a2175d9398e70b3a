import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import type { Env } from '@voice/config';
import { type Database, findAccountState } from '@voice/db';
import type { Response } from 'express';

import { RequireScope } from '../auth/api-keys/require-scope.decorator';
import type { AuthenticatedRequest } from '../auth/auth-principal';
import { ApiRateLimited, enforceQuota } from '../auth/rate-limit/rate-limit-policy';
import type { RateLimiter } from '../auth/rate-limit/rate-limiter';
import { accountGone, unauthorized } from '../common/domain-error';
import { DATABASE, ENV, RATE_LIMITER } from '../common/tokens';
import { isPremium } from '../user/premium';

/**
 * JOB_SUBMIT_RATE_LIMIT submissions per user per JOB_SUBMIT_RATE_WINDOW_SECONDS over every submit route together,
 * whether by session or API key, in the limiter all instances share; premium accounts skip it. As a guard it runs
 * before the multipart interceptor, so a refused upload never reaches the disk; every attempt counts, invalid ones
 * included (each cost a probe).
 */
@Injectable()
export class JobSubmitRateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const principal = http.getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw unauthorized();
    // JwtAuthGuard read the tier for this request; a principal made elsewhere has none, so read it then.
    const tier = principal.tier ?? (await findAccountState(this.db, principal.userId))?.subscriptionTier;
    if (tier === undefined) throw accountGone();
    if (isPremium(tier)) return true;
    const limit = this.env.JOB_SUBMIT_RATE_LIMIT;
    const windowSeconds = this.env.JOB_SUBMIT_RATE_WINDOW_SECONDS;
    await enforceQuota(
      this.limiter,
      { name: 'job-submit', limit, windowSeconds },
      `jobs:submit:user:${principal.userId}`,
      (seconds) => `Too many job submissions: at most ${limit} per ${windowSeconds} s; try again in ${seconds} seconds`,
      http.getResponse<Response>(),
    );
    return true;
  }
}

/** A route that submits a job: open to API keys with `jobs:write`, and under the job-submission rate limit. */
export function SubmitsJob(): MethodDecorator {
  return applyDecorators(
    RequireScope('jobs:write'),
    UseGuards(JobSubmitRateLimitGuard),
    ApiRateLimited('Too many job submissions (JOB_SUBMIT_RATE_LIMIT per user per window; premium accounts skip it).'),
  );
}
