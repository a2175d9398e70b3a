import type { ApiKeyScope, User } from '@voice/db';
import type { SubscriptionTier } from '@voice/shared';
import type { Request } from 'express';

export type UserRole = User['role'];
export const USER_ROLES: readonly UserRole[] = ['user', 'admin'];
/** Roles whose routes need a sign-in with a second factor (RolesGuard enforces it, the OpenAPI document says so). */
export const SECOND_FACTOR_ROLES: readonly UserRole[] = ['admin'];

/** A route admitting only second-factor roles (an admin-only route) requires MFA; one also open to users does not. */
export function requiresSecondFactor(roles: readonly string[]): boolean {
  return roles.length > 0 && roles.every((role) => SECOND_FACTOR_ROLES.some((gated) => gated === role));
}

/** How the caller proved who they are: a signed-in session's access JWT, or a developer API key. */
export type AuthMethod = AuthPrincipal['method'];

interface PrincipalBase {
  userId: string;
  role: UserRole;
  /**
   * The sign-in behind this credential passed a second factor (TOTP or recovery code), as the access token's
   * `amr` claim says. Admin-only routes require it (RolesGuard); a token issued before enrolment, or by a
   * password-only sign-in, is false for its whole life, and refreshing keeps it false. Always false for API keys.
   */
  mfa: boolean;
  /**
   * The account's subscription tier as JwtAuthGuard read it for this request, with the role (strategies leave it
   * out): the submit path takes it from here instead of reading the account again.
   */
  tier?: SubscriptionTier;
}

/**
 * The authenticated caller, attached to the request by JwtAuthGuard and read with `@CurrentUser()`. A session may
 * do everything its role allows; an API key only what its scopes allow, and only on routes that name a scope
 * (ApiKeyGuard).
 */
export type AuthPrincipal =
  | (PrincipalBase & { method: 'jwt' })
  | (PrincipalBase & { method: 'api-key'; apiKeyId: string; scopes: readonly ApiKeyScope[] });

/** The key a request came with, or null for a signed-in session: recorded on the jobs it submits. */
export function apiKeyIdOf(principal: AuthPrincipal): string | null {
  return principal.method === 'api-key' ? principal.apiKeyId : null;
}

export interface AuthenticatedRequest extends Request {
  principal?: AuthPrincipal;
}
