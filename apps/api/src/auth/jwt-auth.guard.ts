import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Database, findAccountState } from '@voice/db';

import { accountGone, accountSuspended, unauthorized } from '../common/domain-error';
import { DATABASE } from '../common/tokens';
import type { AuthenticatedRequest, AuthPrincipal } from './auth-principal';
import { AUTH_STRATEGIES, type AuthStrategy } from './auth-strategy';
import { IS_PUBLIC_KEY } from './decorators/public.decorator';

/**
 * Global guard (APP_GUARD): every route requires a caller unless marked `@Public()`. Despite the name it
 * is strategy-agnostic: it asks each AUTH_STRATEGIES entry in order (API keys, then bearer JWTs)
 * and attaches the first principal to the request for `@CurrentUser()`.
 *
 * Then it reads the caller's account by primary key, on every request and for every strategy: a suspension
 * (403 ACCOUNT_SUSPENDED), a deletion (401) or a demotion takes effect at the next request, not when a
 * 15-minute access token expires. It is one primary-key lookup of three columns (measured on embedded PGlite:
 * 0.7 ms in-process, 1.0 ms through its worker thread); a token version embedded in the JWT would still need that
 * lookup to be checked, or a cache that delays the revocation it exists for.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_STRATEGIES) private readonly strategies: readonly AuthStrategy[],
    @Inject(DATABASE) private readonly db: Database,
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
        request.principal = await this.current(principal);
        return true;
      }
    }
    throw unauthorized('Authentication required');
  }

  /** The principal as the account is now: refused when suspended or gone, with its current role and tier. */
  private async current(principal: AuthPrincipal): Promise<AuthPrincipal> {
    const account = await findAccountState(this.db, principal.userId);
    if (!account) throw accountGone();
    if (account.suspendedAt) throw accountSuspended();
    return { ...principal, role: account.role, tier: account.subscriptionTier };
  }
}
