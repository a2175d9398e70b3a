import type { User } from '@voice/db';
import type { Request } from 'express';

export type UserRole = User['role'];
export const USER_ROLES: readonly UserRole[] = ['user', 'admin'];
/** Roles whose routes need a sign-in with a second factor (RolesGuard enforces it, the OpenAPI document says so). */
export const SECOND_FACTOR_ROLES: readonly UserRole[] = ['admin'];

/** A route admitting only second-factor roles (an admin-only route) requires MFA; one also open to users does not. */
export function requiresSecondFactor(roles: readonly string[]): boolean {
  return roles.length > 0 && roles.every((role) => SECOND_FACTOR_ROLES.some((gated) => gated === role));
}

/** How the caller proved who they are; API keys will add `'api-key'`. */
export type AuthMethod = 'jwt';

/** The authenticated caller, attached to the request by JwtAuthGuard and read with `@CurrentUser()`. */
export interface AuthPrincipal {
  userId: string;
  role: UserRole;
  method: AuthMethod;
  /**
   * The sign-in behind this credential passed a second factor (TOTP or recovery code), as the access token's
   * `amr` claim says. Admin-only routes require it (RolesGuard); a token issued before enrolment, or by a
   * password-only sign-in, is false for its whole life, and refreshing keeps it false.
   */
  mfa: boolean;
}

export interface AuthenticatedRequest extends Request {
  principal?: AuthPrincipal;
}
