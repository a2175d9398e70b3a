import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { unauthorized } from '../common/domain-error';
import type { AuthenticatedRequest } from './auth-principal';
import { AUTH_STRATEGIES, type AuthStrategy } from './auth-strategy';
import { IS_PUBLIC_KEY } from './decorators/public.decorator';

/**
 * Global guard (APP_GUARD): every route requires a caller unless marked `@Public()`. Despite the name it
 * is strategy-agnostic: it asks each AUTH_STRATEGIES entry in order (API keys, then bearer JWTs)
 * and attaches the first principal to the request for `@CurrentUser()`.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_STRATEGIES) private readonly strategies: readonly AuthStrategy[],
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Fail closed: a future transport (WebSocket gateway, RPC) must bring its own authentication.
    if (context.getType() !== 'http') return false;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    for (const strategy of this.strategies) {
      const principal = await strategy.authenticate(request);
      if (principal) {
        request.principal = principal;
        return true;
      }
    }
    throw unauthorized('Authentication required');
  }
}
