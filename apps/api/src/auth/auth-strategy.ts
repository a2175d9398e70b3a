import type { Request } from 'express';

import { type Token } from '../common/tokens';
import type { AuthPrincipal } from './auth-principal';

/**
 * One way of authenticating a request. JwtAuthGuard asks each registered strategy in turn; the first
 * principal wins. Contract:
 * - return `null` when the request carries no credentials of this kind (let the next strategy try);
 * - throw a 401 DomainError when it carries credentials of this kind that are invalid;
 * - return the principal otherwise.
 * API keys are one (ApiKeyStrategy: `X-API-Key`, or a bearer token with the key prefix), asked before the JWT one.
 */
export interface AuthStrategy {
  readonly name: string;
  authenticate(request: Request): Promise<AuthPrincipal | null>;
}

/** The ordered strategies JwtAuthGuard consults. */
export const AUTH_STRATEGIES = Symbol('AUTH_STRATEGIES') as Token<readonly AuthStrategy[]>;
