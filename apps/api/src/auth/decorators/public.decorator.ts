import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

import { PUBLIC_OPERATION_EXTENSION } from '../../common/openapi';

export const IS_PUBLIC_KEY = 'voice:isPublic';

/**
 * Opts a route out of authentication. Routes are protected by default (global JwtAuthGuard); the
 * OpenAPI document marks public routes with `security: []`. Apply it to handlers, not controllers.
 */
export function Public(): MethodDecorator {
  return applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));
}
