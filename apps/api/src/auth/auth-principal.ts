import type { User } from '@voice/db';
import type { Request } from 'express';

export type UserRole = User['role'];
export const USER_ROLES: readonly UserRole[] = ['user', 'admin'];

/** How the caller proved who they are; API keys will add `'api-key'`. */
export type AuthMethod = 'jwt';

/** The authenticated caller, attached to the request by JwtAuthGuard and read with `@CurrentUser()`. */
export interface AuthPrincipal {
  userId: string;
  role: UserRole;
  method: AuthMethod;
}

export interface AuthenticatedRequest extends Request {
  principal?: AuthPrincipal;
}
