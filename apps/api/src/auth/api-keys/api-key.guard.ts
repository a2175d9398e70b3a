import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Env } from '@voice/config';
import type { ApiKeyScope } from '@voice/db';
import type { Response } from 'express';

import { DomainError } from '../../common/domain-error';
import { ENV, RATE_LIMITER } from '../../common/tokens';
import type { AuthenticatedRequest } from '../auth-principal';
import { enforceQuota } from '../rate-limit/rate-limit-policy';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { ROLES_KEY } from '../roles/roles.decorator';
import { REQUIRED_SCOPE_KEY } from './require-scope.decorator';

export function apiKeyNotAllowed(): DomainError<'API_KEY_NOT_ALLOWED'> {
  return new DomainError(
    'API_KEY_NOT_ALLOWED',
    HttpStatus.FORBIDDEN,
    'This route does not accept API keys; it needs a signed-in session',
  );
}

export function insufficientScope(scope: ApiKeyScope): DomainError<'INSUFFICIENT_SCOPE'> {
  return new DomainError('INSUFFICIENT_SCOPE', HttpStatus.FORBIDDEN, `This API key lacks the "${scope}" scope`, {
    details: { requiredScope: scope },
  });
}

/**
 * Global guard after JwtAuthGuard, before RolesGuard; it only acts on API-key callers:
 * 1. counts the request against the key's quota (API_KEY_RATE_LIMIT per API_KEY_RATE_WINDOW_SECONDS, shared by every
 *    instance), refused ones included, so hammering a forbidden route still spends it;
 * 2. refuses routes that name no scope (`@RequireScope`) and every role-gated (admin) route, whatever it names;
 * 3. refuses a key without the route's scope.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const http = context.switchToHttp();
    const principal = http.getRequest<AuthenticatedRequest>().principal;
    if (principal?.method !== 'api-key') return true;

    const limit = this.env.API_KEY_RATE_LIMIT;
    const windowSeconds = this.env.API_KEY_RATE_WINDOW_SECONDS;
    await enforceQuota(
      this.limiter,
      { name: 'api-key', limit, windowSeconds },
      `apikey:${principal.apiKeyId}`,
      (seconds) =>
        `Too many requests with this API key: at most ${limit} per ${windowSeconds} s; try again in ${seconds} seconds`,
      http.getResponse<Response>(),
    );

    const targets = [context.getHandler(), context.getClass()];
    const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE_KEY, targets);
    const roles = this.reflector.getAllAndOverride<readonly string[] | undefined>(ROLES_KEY, targets);
    // Admin routes never take a key, even one whose owner is an admin: keys carry no second factor.
    if (scope === undefined || roles !== undefined) throw apiKeyNotAllowed();
    if (!principal.scopes.includes(scope)) throw insufficientScope(scope);
    return true;
  }
}
