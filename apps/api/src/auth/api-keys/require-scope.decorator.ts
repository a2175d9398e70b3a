import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiResponse } from '@nestjs/swagger';
import type { ApiKeyScope } from '@voice/db';

import { API_KEY_SCOPE_EXTENSION, ErrorResponseDto } from '../../common/openapi';

export const REQUIRED_SCOPE_KEY = 'voice:requiredScope';

/**
 * Opens a controller or handler to API keys that carry `scope` (ApiKeyGuard); a key without it gets 403
 * INSUFFICIENT_SCOPE. Signed-in sessions hold every scope. A route without this decorator refuses every API key
 * (403 API_KEY_NOT_ALLOWED), so a new route is closed to keys until it says otherwise. Handler metadata overrides
 * the controller's.
 */
export function RequireScope(scope: ApiKeyScope): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE_KEY, scope),
    ApiExtension(API_KEY_SCOPE_EXTENSION, scope),
    ApiResponse({
      status: 403,
      type: ErrorResponseDto,
      description: `INSUFFICIENT_SCOPE: an API key without the \`${scope}\` scope.`,
    }),
  );
}
