import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { PAYMENT_PROVIDERS, type PaymentProviderName } from '@voice/shared';
import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod/v4';

import { ApiQueryFrom } from '../admin/dto/admin-panel.dto';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { Public } from '../auth/decorators/public.decorator';
import { Roles } from '../auth/roles/roles.decorator';
import { DomainError } from '../common/domain-error';
import { BEARER_SCHEME, ErrorResponseDto, openApiSchema } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { type Idempotency, IdempotencyKey } from '../jobs/idempotency-key.decorator';
import {
  AdminPaymentPageDto,
  type AdminPaymentsQuery,
  adminPaymentsQuerySchema,
  ConfirmedPaymentDto,
  type ConfirmInput,
  confirmSchema,
  CreatedIntentDto,
  type CreateIntentInput,
  createIntentSchema,
  PackagesDto,
  type PaymentHistoryQuery,
  paymentHistoryQuerySchema,
  PaymentDto,
  PaymentPageDto,
  WebhookAckDto,
} from './dto/payment.dto';
import { PaymentsService } from './payments.service';

const providerParam = new ZodValidationPipe(z.enum(PAYMENT_PROVIDERS), 'provider');
const paymentIdParam = new ZodValidationPipe(z.uuid({ error: 'must be a payment id (UUID)' }), 'payment id');

/** Buying credit packages: the catalogue, the order, the return path and the buyer's own payments. */
@ApiTags('payments')
@Controller('payment')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get('packages')
  @Public()
  @ApiOperation({
    summary: 'The credit packages on sale, and which payment providers this server is configured for',
    description:
      'Prices are integers in the currency’s minor unit (cents). An unavailable provider lists the variables to set.',
  })
  @ApiOkResponse({ type: PackagesDto })
  packages(): PackagesDto {
    return this.payments.listPackages();
  }

  @Post('create-intent')
  @HttpCode(HttpStatus.CREATED)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    summary: 'Start buying a package: records a pending payment and the provider’s order for it',
    description:
      'Returns what the client needs to take the payment: Stripe a PaymentIntent client secret (for Stripe.js), ' +
      'Razorpay an order id and key id (for Checkout), PayPal the order id and its approve link. With an ' +
      'Idempotency-Key a retry returns the same payment and order; the same key with another body answers 422. ' +
      'Needs a verified email address.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Up to 255 characters' })
  @ApiBody({ schema: openApiSchema(createIntentSchema) })
  @ApiCreatedResponse({ type: CreatedIntentDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'UNKNOWN_PACKAGE, PROVIDER_UNAVAILABLE (names the variables to set), VALIDATION_FAILED',
  })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'EMAIL_NOT_VERIFIED' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'IDEMPOTENCY_KEY_REUSED' })
  @ApiResponse({
    status: 502,
    type: ErrorResponseDto,
    description: 'PAYMENT_PROVIDER_ERROR: the provider refused or could not be reached',
  })
  createIntent(
    @CurrentUser() user: AuthPrincipal,
    @Body(new ZodValidationPipe(createIntentSchema)) body: CreateIntentInput,
    @IdempotencyKey() idempotency: Idempotency | undefined,
  ): Promise<CreatedIntentDto> {
    return this.payments.createIntent(user.userId, body, idempotency);
  }

  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({
    summary: 'The client’s return path: verifies the payment with the provider, then grants its credits once',
    description:
      'Stripe: the PaymentIntent is retrieved. Razorpay: send `razorpayPaymentId` and `razorpaySignature` from ' +
      'Checkout; the HMAC of order_id|payment_id is checked and the payment fetched. PayPal: the approved order is ' +
      'captured. Confirm and the provider’s webhook may both arrive, in any order: the credits are granted once. ' +
      '`paid: false` means the provider has not taken the money yet.',
  })
  @ApiBody({ schema: openApiSchema(confirmSchema) })
  @ApiOkResponse({ type: ConfirmedPaymentDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'INVALID_PAYMENT_EVIDENCE, VALIDATION_FAILED' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'PAYMENT_NOT_FOUND (unknown, or someone else’s)' })
  @ApiResponse({ status: 502, type: ErrorResponseDto, description: 'PAYMENT_PROVIDER_ERROR' })
  confirm(
    @CurrentUser() user: AuthPrincipal,
    @Body(new ZodValidationPipe(confirmSchema)) body: ConfirmInput,
  ): Promise<ConfirmedPaymentDto> {
    return this.payments.confirm(user.userId, body);
  }

  @Get('history')
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({ summary: 'Your payments, newest first' })
  @ApiQueryFrom(paymentHistoryQuerySchema)
  @ApiOkResponse({ type: PaymentPageDto })
  history(
    @CurrentUser() user: AuthPrincipal,
    @Query(new ZodValidationPipe(paymentHistoryQuerySchema, 'query')) query: PaymentHistoryQuery,
  ): Promise<PaymentPageDto> {
    return this.payments.history(user.userId, query);
  }

  @Get('payments/:id')
  @ApiBearerAuth(BEARER_SCHEME)
  @ApiOperation({ summary: 'One of your payments, as it stands (the web app polls it while the provider works)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PaymentDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'PAYMENT_NOT_FOUND (unknown, or someone else’s)' })
  payment(@CurrentUser() user: AuthPrincipal, @Param('id', paymentIdParam) id: string): Promise<PaymentDto> {
    return this.payments.payment(user.userId, id);
  }

  @Post('webhooks/:provider')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Provider webhooks: verified on the raw body, then applied exactly once',
    description:
      'Stripe: the Stripe-Signature header (constructEvent, 5 min tolerance). Razorpay: X-Razorpay-Signature ' +
      '(HMAC-SHA256 with RAZORPAY_WEBHOOK_SECRET). PayPal: PayPal’s verify-webhook-signature call with ' +
      'PAYPAL_WEBHOOK_ID. Answers 200 once every event is durably recorded; events of other types are ' +
      'acknowledged and ignored.',
  })
  @ApiParam({ name: 'provider', enum: PAYMENT_PROVIDERS })
  @ApiConsumes('application/json')
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'INVALID_WEBHOOK_SIGNATURE (missing, forged or stale), PROVIDER_UNAVAILABLE',
  })
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'Not recorded; the provider retries the delivery' })
  webhook(
    @Param('provider', providerParam) provider: PaymentProviderName,
    @Req() request: Request,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<WebhookAckDto> {
    // The raw bytes (express.raw for this path, before the JSON parser): signatures are over them exactly.
    if (!Buffer.isBuffer(request.body)) {
      throw new DomainError('INVALID_WEBHOOK_SIGNATURE', HttpStatus.BAD_REQUEST, 'Expected a raw request body');
    }
    return this.payments.handleWebhook(provider, request.body, headers);
  }
}

/** Every user's payments, with the ones in review (an amount or currency mismatch) for a person to decide. */
@ApiTags('admin')
@ApiBearerAuth(BEARER_SCHEME)
@Roles('admin')
@Controller('admin/payments')
export class AdminPaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Get()
  @ApiOperation({ summary: 'All payments, newest first; `status=review` lists the ones that granted nothing' })
  @ApiQueryFrom(adminPaymentsQuerySchema)
  @ApiOkResponse({ type: AdminPaymentPageDto })
  list(
    @Query(new ZodValidationPipe(adminPaymentsQuerySchema, 'query')) query: AdminPaymentsQuery,
  ): Promise<AdminPaymentPageDto> {
    return this.payments.adminList(query);
  }
}
