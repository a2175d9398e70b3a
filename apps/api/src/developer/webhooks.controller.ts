import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';

import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { BEARER_SCHEME, ErrorResponseDto, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import {
  CallbackSecretDto,
  CreatedWebhookDto,
  type CreateWebhookInput,
  createWebhookSchema,
  deliveryIdSchema,
  WebhookDeliveryDto,
  WebhookDeliveryListDto,
  WebhookEndpointDto,
  WebhookEndpointListDto,
  webhookIdSchema,
} from './dto/webhooks.dto';
import { MAX_WEBHOOK_ENDPOINTS, WebhooksService } from './webhooks.service';

/**
 * Webhook endpoints and their delivery log. Signed-in sessions only, like API keys: a leaked key cannot point the
 * account's events at its own server.
 */
@ApiTags('developer')
@ApiBearerAuth(BEARER_SCHEME)
@ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or invalid access token' })
@ApiResponse({ status: 403, type: ErrorResponseDto, description: 'API_KEY_NOT_ALLOWED: an API key, not a session' })
@Controller('developer')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('webhooks')
  @HttpCode(HttpStatus.CREATED)
  // The one response that holds the secret: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Register a webhook endpoint; the response shows its signing secret once',
    description:
      'Deliveries follow Standard Webhooks: `webhook-id`, `webhook-timestamp` and `webhook-signature` ' +
      '(`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret’s base64-decoded bytes). Any 2xx within ' +
      '10 s is a success; anything else (redirects included, which are not followed) is retried with exponential ' +
      'backoff for 24 h, after which an endpoint that never succeeded is disabled and you are mailed. Only public ' +
      `http(s) addresses are accepted, checked after DNS resolution. At most ${MAX_WEBHOOK_ENDPOINTS} per account.`,
  })
  @ApiBody({ schema: openApiSchema(createWebhookSchema) })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Not an http(s) URL, a private or unresolvable host, no or unknown event',
  })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'WEBHOOK_LIMIT_REACHED' })
  create(
    @CurrentUser() user: AuthPrincipal,
    @Body(new ZodValidationPipe(createWebhookSchema)) body: CreateWebhookInput,
  ): Promise<CreatedWebhookDto> {
    return this.webhooks.create(user.userId, body);
  }

  @Get('webhooks')
  @ApiOperation({ summary: 'Your webhook endpoints (never their secrets), with status active or disabled' })
  @ApiOkResponse({ type: WebhookEndpointListDto })
  list(@CurrentUser() user: AuthPrincipal): Promise<WebhookEndpointListDto> {
    return this.webhooks.list(user.userId);
  }

  @Get('webhooks/callback-secret')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The secret that signs deliveries to your jobs’ callback_url',
    description:
      'One per account, made on first use. A job submitted with `callback_url` gets its terminal event ' +
      '(job.completed, job.failed or job.cancelled) there, signed like webhook deliveries but with this secret.',
  })
  @ApiOkResponse({ type: CallbackSecretDto })
  callbackSecret(@CurrentUser() user: AuthPrincipal): Promise<CallbackSecretDto> {
    return this.webhooks.callbackSecret(user.userId);
  }

  @Delete('webhooks/:id')
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log; retries in flight stop' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'WEBHOOK_NOT_FOUND' })
  remove(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(webhookIdSchema, 'webhook id')) id: string,
  ): Promise<WebhookEndpointDto> {
    return this.webhooks.remove(user.userId, id);
  }

  @Get('webhooks/:id/deliveries')
  @ApiOperation({ summary: 'The endpoint’s delivery log: status, attempts and the last response code' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookDeliveryListDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'WEBHOOK_NOT_FOUND' })
  deliveries(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(webhookIdSchema, 'webhook id')) id: string,
  ): Promise<WebhookDeliveryListDto> {
    return this.webhooks.deliveries(user.userId, id);
  }

  @Post('webhooks/:id/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a delivery again (same webhook-id, new signature), with a fresh retry window',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'deliveryId', format: 'uuid' })
  @ApiResponse({ status: 202, type: WebhookDeliveryDto, description: 'Queued: the delivery is pending again' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'WEBHOOK_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND' })
  @ApiResponse({
    status: 409,
    type: ErrorResponseDto,
    description: 'WEBHOOK_DELIVERY_IN_PROGRESS (still retrying), WEBHOOK_DISABLED',
  })
  redeliver(
    @CurrentUser() user: AuthPrincipal,
    @Param('id', new ZodValidationPipe(webhookIdSchema, 'webhook id')) id: string,
    @Param('deliveryId', new ZodValidationPipe(deliveryIdSchema, 'delivery id')) deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.redeliver(user.userId, id, deliveryId);
  }
}
