import { type CanActivate, type ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Database, isMfaEnrolled } from '@voice/db';

import { DomainError, unauthorized } from '../../common/domain-error';
import { DATABASE } from '../../common/tokens';
import { type AuthenticatedRequest, requiresSecondFactor, type UserRole } from '../auth-principal';
import { MFA_ENROLMENT_KEY, ROLES_KEY } from './roles.decorator';

export function forbiddenRole(roles: readonly UserRole[]): DomainError<'FORBIDDEN_ROLE'> {
  return new DomainError(
    'FORBIDDEN_ROLE',
    HttpStatus.FORBIDDEN,
    `This route needs the ${roles.map((role) => `"${role}"`).join(' or ')} role`,
  );
}

export function mfaEnrolmentRequired(): DomainError<'MFA_ENROLMENT_REQUIRED'> {
  return new DomainError(
    'MFA_ENROLMENT_REQUIRED',
    HttpStatus.FORBIDDEN,
    'Admins must enrol a one-time-code authenticator first: POST /api/admin/mfa/enrol, then /api/admin/mfa/confirm',
  );
}

export function mfaRequired(): DomainError<'MFA_REQUIRED'> {
  return new DomainError(
    'MFA_REQUIRED',
    HttpStatus.FORBIDDEN,
    'This session was not verified with a one-time code; sign in again and complete POST /api/auth/mfa',
  );
}

/**
 * Global guard after JwtAuthGuard: enforces `@Roles(...)`. For admin-only routes it also enforces the second
 * factor from the principal (`mfa`, i.e. the token's `amr`), never from the account's current state, so a
 * token minted before enrolment or by a password-only sign-in cannot reach them later. The database is read
 * only on refusal, to tell "enrol first" from "sign in with your code".
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<readonly UserRole[] | undefined>(ROLES_KEY, targets);
    if (!roles) return true;
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    // Only on a route that is both @Public() and @Roles(): a contradiction, so refuse.
    if (!principal) throw unauthorized();
    if (!roles.includes(principal.role)) throw forbiddenRole(roles);
    if (!requiresSecondFactor(roles) || principal.mfa) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(MFA_ENROLMENT_KEY, targets)) return true;
    throw (await isMfaEnrolled(this.db, principal.userId)) ? mfaRequired() : mfaEnrolmentRequired();
  }
}
