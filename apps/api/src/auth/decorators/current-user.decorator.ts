import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import { unauthorized } from '../../common/domain-error';
import type { AuthenticatedRequest, AuthPrincipal } from '../auth-principal';

/** The authenticated caller (`AuthPrincipal`) of a protected route. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthPrincipal => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  // Only reachable on a @Public() route, where there is no caller to inject.
  if (!request.principal) throw unauthorized();
  return request.principal;
});
