import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';

import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { DeveloperService, MAX_LIVE_API_KEYS, MAX_USAGE_DAYS } from './developer.service';
import {
  ApiKeyDto,
  apiKeyIdSchema,
  ApiKeyListDto,
  type CreateApiKeyInput,
  createApiKeySchema,
  CreatedApiKeyDto,
  type UsageQueryInput,
  usageQuerySchema,
  UsageReportDto,
} from './dto/developer.dto';

/**
 * API keys and their usage. Signed-in sessions only: these routes name no scope, so an API key is refused here
 * (403 API_KEY_NOT_ALLOWED) and a leaked key cannot mint others or hide its tracks.
 */
@ApiTags('developer')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'API_KEY_NOT_ALLOWED: an API key, not a session' })
@Controller('developer')
export class DeveloperController {
  constructor(private readonly developer: DeveloperService) {}

  @Post('api-keys')
  @HttpCode(HttpStatus.CREATED)
  // The one response that holds the secret: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Create an API key; the response shows the key once',
    description:
      'Scopes: `jobs:write` (submit and cancel jobs), `jobs:read` (status, progress, history, input and the paid ' +
      'download), `voices` (the voice library) and `credits:read` (GET /api/user/credits). Use the key as ' +
      '`Authorization: Bearer <key>` or `X-API-Key: <key>`. Only its hash is stored: it cannot be shown again. ' +
      `At most ${MAX_LIVE_API_KEYS} active keys per account.`,
  })
  @ApiBody({ schema: openApiSchema(createApiKeySchema) })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'No name or scope, unknown scope, expiry past' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'API_KEY_LIMIT_REACHED' })
  create(
    @CurrentUser() user: AuthPrincipal,
    @Body(new ZodValidationPipe(createApiKeySchema)) body: CreateApiKeyInput,
  ): Promise<CreatedApiKeyDto> {
    return this.developer.createKey(user.userId, body);
  }

  @Get('api-keys')
  @ApiOperation({ summary: 'Your API keys (never the keys themselves: name, prefix, scopes, dates and status)' })
  @ApiOkResponse({ type: ApiKeyListDto })
  list(@CurrentUser() user: AuthPrincipal): Promise<ApiKeyListDto> {
    return this.developer.listKeys(user.userId);
  }

  @Delete('api-keys/:id')
  @ApiOperation({
    summary: 'Revoke an API key: its next request is refused (401 API_KEY_REVOKED)',
    description: 'The key stays listed, as revoked, with the jobs and usage it recorded. Revoking twice is a no-op.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'API_KEY_NOT_FOUND' })
  revoke(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(apiKeyIdSchema, 'API key id')) id: string,
  ): Promise<ApiKeyDto> {
    return this.developer.revokeKey(user.userId, id);
  }

  @Get('usage')
  @ApiOperation({
    summary: 'Minutes processed and credits charged per day and feature, per key and in total',
    description:
      'Counted when charged (a job’s first download), in UTC days, and attributed to the key that submitted the ' +
      `job (null: the web app). \`from\` and \`to\` are inclusive; the default is the last 30 days; at most ${MAX_USAGE_DAYS} days.`,
  })
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', format: 'date' } })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date' } })
  @ApiQuery({ name: 'key', required: false, description: 'Only this key', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ type: UsageReportDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'A bad date or range' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'API_KEY_NOT_FOUND' })
  usage(
    @CurrentUser() user: AuthPrincipal,
    @Query(new ZodValidationPipe(usageQuerySchema, 'query')) query: UsageQueryInput,
  ): Promise<UsageReportDto> {
    return this.developer.usage(user.userId, query);
  }
}
