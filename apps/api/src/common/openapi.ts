import type { INestApplication } from '@nestjs/common';
import {
  type ApiBodyOptions,
  ApiProperty,
  ApiPropertyOptional,
  DocumentBuilder,
  type OpenAPIObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { PIPELINE_OPS, STEPS } from '@voice/shared';
import { z } from 'zod/v4';

import { requiresSecondFactor } from '../auth/auth-principal';

/**
 * OpenAPI's Schema Object. @nestjs/swagger does not export it from its entry point (and its `exports` map
 * blocks deep imports), so it is recovered from `ApiBody`'s options.
 */
export type SchemaObject = Exclude<Extract<ApiBodyOptions, { schema: unknown }>['schema'], { $ref: string }>;

/** Where the docs live, relative to the server root (the global prefix is part of it). */
export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs-json';
export const BEARER_SCHEME = 'bearer';
/** A developer API key in `X-API-Key` (the same key also works as `Authorization: Bearer vp_live_…`). */
export const API_KEY_SCHEME = 'api-key';
export const REFRESH_COOKIE_SCHEME = 'refresh-cookie';

/** Operation extension set by `@Public()`; the document post-processor turns it into `security: []`. */
export const PUBLIC_OPERATION_EXTENSION = 'x-public';
/** Operation extension set by `@Roles(...)`: the roles that may call it. Kept in the document for clients. */
export const ROLES_OPERATION_EXTENSION = 'x-roles';
/**
 * What an admin-only operation asks of the second factor: `required` (a sign-in completed with a one-time code)
 * or `enrolment` (reachable before enrolling, set by `@MfaEnrolmentRoute()`). Filled in by the post-processor.
 */
export const MFA_OPERATION_EXTENSION = 'x-mfa';
/** Operation extension set by `@RequireScope(...)`: the scope an API key needs here. Routes without it refuse keys. */
export const API_KEY_SCOPE_EXTENSION = 'x-api-key-scope';

/**
 * The OpenAPI schema of a zod request schema, so `@ApiBody({ schema: openApiSchema(registerSchema) })`
 * documents exactly what the ZodValidationPipe enforces. `io: 'input'` describes what clients send
 * (before trims and defaults).
 */
export function openApiSchema(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  // JSON Schema 2020-12 and OpenAPI schema objects agree on the keywords zod emits for our plain bodies.
  return jsonSchema as SchemaObject;
}

export class ErrorDetailDto {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code.' })
  code!: string;

  @ApiProperty({ example: 'Invalid request body: password: must be at least 8 characters' })
  message!: string;

  @ApiPropertyOptional({ description: 'Extra data, e.g. `[{ field, message }]` for validation errors.' })
  details?: unknown;
}

/** The single error shape every non-2xx response uses. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Generates the document from the controllers' decorators. Call after the global prefix is set. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Voice Platform API')
    .setDescription(
      'Self-hostable GenAI voice platform. Credits are counted in seconds of audio (1 credit = 1 second); ' +
        'users are charged per downloaded minute, prorated by the second.',
    )
    .setVersion('0.1.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from sign-in, or a developer API key (`vp_live_…`) on routes that take one.',
      },
      BEARER_SCHEME,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
    .addCookieAuth('refresh_token', { type: 'apiKey', in: 'cookie' }, REFRESH_COOKIE_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
  addStepSchemas(document);

  // Routes are protected by default (global JwtAuthGuard); mirror that in the document.
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const isPublic = PUBLIC_OPERATION_EXTENSION in operation;
      Reflect.deleteProperty(operation, PUBLIC_OPERATION_EXTENSION);
      // A public route may still declare its own scheme (the refresh cookie); otherwise it needs none.
      operation.security = isPublic ? (operation.security ?? []) : [{ [BEARER_SCHEME]: [] }];
      describeRoles(operation);
      if (!isPublic) describeApiKeyScope(operation);
    }
  }
  return document;
}

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;

/**
 * Shows an operation's roles where readers and generated clients look: `x-roles`, `x-mfa` and a line of the
 * description. (Bearer scopes cannot carry them: OpenAPI 3.0 allows scopes only for OAuth2 and OpenID schemes.)
 */
function describeRoles(operation: OperationObject): void {
  const roles: unknown = Reflect.get(operation, ROLES_OPERATION_EXTENSION);
  if (!Array.isArray(roles) || roles.length === 0) return;
  const names = roles.map(String);
  let line = `**Roles:** ${names.map((role) => `\`${role}\``).join(', ')}.`;
  if (requiresSecondFactor(names)) {
    const enrolment = Reflect.get(operation, MFA_OPERATION_EXTENSION) === 'enrolment';
    Reflect.set(operation, MFA_OPERATION_EXTENSION, enrolment ? 'enrolment' : 'required');
    line += enrolment
      ? ' Reachable before enrolling a second factor, with a password-only session.'
      : ' Needs an access token from a sign-in completed with a one-time code (POST /api/auth/mfa); an admin who ' +
        'has not enrolled yet gets 403 MFA_ENROLMENT_REQUIRED.';
  }
  operation.description = operation.description ? `${operation.description}\n\n${line}` : line;
}

/** Routes that take API keys also list the X-API-Key scheme, and say which scope a key needs. */
function describeApiKeyScope(operation: OperationObject): void {
  const scope: unknown = Reflect.get(operation, API_KEY_SCOPE_EXTENSION);
  if (typeof scope !== 'string') return;
  operation.security = [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
  const line =
    `**API keys:** accepted with the \`${scope}\` scope, as \`X-API-Key: vp_live_…\` or ` +
    '`Authorization: Bearer vp_live_…` (API_KEY_RATE_LIMIT requests per key per window).';
  operation.description = operation.description ? `${operation.description}\n\n${line}` : line;
}

/**
 * Every step type's schema from the registry, as components (`Step_denoise`, …) and one `PipelineStep` union,
 * so clients (the web app's job builder) generate their forms and types from the same source as the API.
 */
function addStepSchemas(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? {};
  document.components.schemas = schemas;
  for (const op of PIPELINE_OPS) {
    schemas[`Step_${op}`] = { ...openApiSchema(STEPS[op].schema), description: STEPS[op].summary };
  }
  schemas['PipelineStep'] = {
    oneOf: PIPELINE_OPS.map((op) => ({ $ref: `#/components/schemas/Step_${op}` })),
    discriminator: { propertyName: 'op' },
  };
}

/** Serves Swagger UI at /api/docs and the JSON at /api/docs-json. Must run before `app.init()`. */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Voice Platform API',
  });
  return document;
}
