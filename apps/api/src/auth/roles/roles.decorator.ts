import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';

import { ErrorResponseDto, MFA_OPERATION_EXTENSION, ROLES_OPERATION_EXTENSION } from '../../common/openapi';
import type { UserRole } from '../auth-principal';

export const ROLES_KEY = 'voice:roles';
export const MFA_ENROLMENT_KEY = 'voice:mfaEnrolment';

/**
 * Limits a controller or handler to callers of these roles (RolesGuard, after JwtAuthGuard): others get 403
 * FORBIDDEN_ROLE. A route admitting only `admin` also needs a sign-in completed with a second factor. The
 * OpenAPI document shows the roles (`x-roles`, `x-mfa` and a line of the description). Handler metadata
 * overrides the controller's.
 */
export function Roles(...roles: [UserRole, ...UserRole[]]): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiExtension(ROLES_OPERATION_EXTENSION, roles),
    ApiForbiddenResponse({
      description: 'FORBIDDEN_ROLE, or for admin routes MFA_ENROLMENT_REQUIRED / MFA_REQUIRED.',
      type: ErrorResponseDto,
    }),
  );
}

/**
 * Lets an admin who has not enrolled a second factor (or holds a password-only session) reach this admin
 * route: only the enrolment routes may carry it, since everything else under /api/admin waits for MFA.
 */
export function MfaEnrolmentRoute(): MethodDecorator {
  return applyDecorators(SetMetadata(MFA_ENROLMENT_KEY, true), ApiExtension(MFA_OPERATION_EXTENSION, 'enrolment'));
}
