/**
 * @voice/api — the NestJS HTTP API as a library. `createApiApp(deps)` is what main.ts, the all-in-one
 * launcher and the tests call; everything else here is for feature modules and their tests.
 */
export type { ApiDependencies } from './api-dependencies';
export { createApiApp, GLOBAL_PREFIX, JSON_BODY_LIMIT } from './create-api-app';
export { AppModule } from './app.module';

export * from './common/tokens';
export * from './common/domain-error';
export { requireDependency } from './common/require-dependency';
export {
  PIPELINE_CLIENT,
  TemporalPipelineClient,
  type PipelineClient,
  type PipelineStart,
} from './common/pipeline-client';
export { ApiExceptionFilter, type ErrorBody } from './common/api-exception.filter';
export { mapTemporalError } from './common/temporal-errors';
export { ZodValidationPipe, fieldIssues } from './common/zod-validation.pipe';
export {
  createOpenApiDocument,
  ErrorResponseDto,
  openApiSchema,
  type SchemaObject,
  BEARER_SCHEME,
  OPENAPI_JSON_PATH,
  OPENAPI_UI_PATH,
} from './common/openapi';

export type { AuthMethod, AuthPrincipal, AuthenticatedRequest, UserRole } from './auth/auth-principal';
export { Roles, MfaEnrolmentRoute } from './auth/roles/roles.decorator';
export { RolesGuard } from './auth/roles/roles.guard';
export { AUTH_STRATEGIES, type AuthStrategy } from './auth/auth-strategy';
export { JwtAuthGuard } from './auth/jwt-auth.guard';
export { Public, IS_PUBLIC_KEY } from './auth/decorators/public.decorator';
export { CurrentUser } from './auth/decorators/current-user.decorator';
export { AccessTokenService, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER } from './auth/access-token.service';
export { resolveJwtSecret } from './auth/jwt-secret';
export { REFRESH_COOKIE_NAME, REFRESH_COOKIE_PATH } from './auth/refresh-cookie';
export { type RateLimitDecision, type RateLimiter, SlidingWindowRateLimiter } from './auth/rate-limit/rate-limiter';
export { DatabaseRateLimiter, type DatabaseRateLimiterOptions } from './auth/rate-limit/database-rate-limiter';
export { RequireScope } from './auth/api-keys/require-scope.decorator';
export { ApiKeyGuard } from './auth/api-keys/api-key.guard';
export type { ReadinessProbe } from './health/readiness-probe';
export { ApiLifecycle, type DrainOptions, type DrainResult } from './lifecycle/api-lifecycle';
export { closeOnSignals, drainOptionsFromEnv, shutdownApiApp } from './lifecycle/graceful-shutdown';
