import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_PROVIDERS, PAYMENT_STATUSES, type PaymentProviderName, type PaymentStatus } from '@voice/shared';
import { z } from 'zod/v4';

export const createIntentSchema = z
  .object({
    packageId: z.string().min(1).max(40),
    provider: z.enum(PAYMENT_PROVIDERS, { error: `must be one of ${PAYMENT_PROVIDERS.join(', ')}` }),
  })
  .strict();
export type CreateIntentInput = z.output<typeof createIntentSchema>;

export const confirmSchema = z
  .object({
    paymentId: z.uuid({ error: 'must be a payment id (UUID) from create-intent' }),
    /** Razorpay Checkout's handler result; the other providers need only the payment id. */
    razorpayPaymentId: z.string().min(1).max(100).optional(),
    razorpaySignature: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ConfirmInput = z.output<typeof confirmSchema>;

export const paymentHistoryQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type PaymentHistoryQuery = z.output<typeof paymentHistoryQuerySchema>;

export const adminPaymentsQuerySchema = paymentHistoryQuerySchema.extend({
  status: z.enum(PAYMENT_STATUSES).optional(),
});
export type AdminPaymentsQuery = z.output<typeof adminPaymentsQuerySchema>;

export class CreditPackageDto {
  @ApiProperty({ example: 'pro' }) id!: string;
  @ApiProperty({ example: 'Pro' }) name!: string;
  @ApiProperty({ example: 180 }) minutes!: number;
  @ApiProperty({ example: 5000, description: 'Price in the currency’s minor unit (cents)' }) priceMinor!: number;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ example: 0.17, description: 'Saving against the basic package’s per-minute price' }) discount!: number;
  @ApiProperty({ example: 27.78, description: 'Price per minute in minor units, for comparison (not charged as such)' })
  pricePerMinuteMinor!: number;
}

export class ProviderAvailabilityDto {
  @ApiProperty({ enum: PAYMENT_PROVIDERS }) provider!: PaymentProviderName;
  @ApiProperty() available!: boolean;
  @ApiProperty({ type: [String], description: 'The variables to set when it is unavailable', example: [] })
  missing!: string[];
}

export class PackagesDto {
  @ApiProperty({ type: [CreditPackageDto] }) packages!: CreditPackageDto[];
  @ApiProperty({ type: [ProviderAvailabilityDto] }) providers!: ProviderAvailabilityDto[];
}

export class PaymentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: PAYMENT_PROVIDERS }) provider!: PaymentProviderName;
  @ApiProperty({ description: 'PaymentIntent, Razorpay order or PayPal order id' }) providerPaymentId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'pro' }) packageId!: string | null;
  @ApiProperty({ example: 5000 }) amountMinor!: number;
  @ApiProperty({ example: 'usd' }) currency!: string;
  @ApiProperty({ example: 10800, description: 'Credit-seconds the package grants' }) creditsPurchased!: number;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: PaymentStatus;
  @ApiProperty({ description: 'Money refunded so far, minor units' }) refundedMinor!: number;
  @ApiProperty({ description: 'Money taken back by disputes (chargebacks), minor units' }) disputedMinor!: number;
  @ApiProperty({ description: 'Credit-seconds taken back for refunds and disputes' }) creditsReversed!: number;
  @ApiProperty({ description: 'Credit-seconds a refund could not take back (already spent)' })
  creditsShortfall!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the payment waits in review' })
  reviewReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) fulfilledAt!: string | null;
}

export class AdminPaymentDto extends PaymentDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ type: String, nullable: true }) captureId!: string | null;
}

export class PaymentClientDataDto {
  @ApiProperty({ enum: PAYMENT_PROVIDERS }) provider!: PaymentProviderName;
  @ApiPropertyOptional({ description: 'Stripe: the PaymentIntent id' }) paymentIntentId?: string;
  @ApiPropertyOptional({ description: 'Stripe: for Stripe.js (Payment Element); confirms this payment only' })
  clientSecret?: string;
  @ApiPropertyOptional({ description: 'Stripe: STRIPE_PUBLISHABLE_KEY, when configured' }) publishableKey?: string;
  @ApiPropertyOptional({ description: 'Razorpay or PayPal: the order id' }) orderId?: string;
  @ApiPropertyOptional({ description: 'Razorpay: the key id Checkout opens with' }) keyId?: string;
  @ApiPropertyOptional({ description: 'Razorpay: the order amount in minor units' }) amountMinor?: number;
  @ApiPropertyOptional({ description: 'Razorpay: the order currency' }) currency?: string;
  @ApiPropertyOptional({ description: 'PayPal: where the buyer approves the order' }) approveUrl?: string;
}

export class CreatedIntentDto {
  @ApiProperty({ type: PaymentDto }) payment!: PaymentDto;
  @ApiProperty({ type: PaymentClientDataDto, description: 'What the client needs to take the payment' })
  client!: PaymentClientDataDto;
}

export class ConfirmedPaymentDto {
  @ApiProperty({ type: PaymentDto }) payment!: PaymentDto;
  @ApiProperty({ description: 'Available credit-seconds after this call' }) balance!: number;
  @ApiProperty({ description: 'False while the provider has not taken the money yet (try again, or wait for it)' })
  paid!: boolean;
}

export class PaymentPageDto {
  @ApiProperty({ type: [PaymentDto] }) items!: PaymentDto[];
  @ApiPropertyOptional({ format: 'date-time', description: 'Pass as `before` for the next page' }) nextBefore?: string;
}

export class AdminPaymentPageDto {
  @ApiProperty({ type: [AdminPaymentDto] }) items!: AdminPaymentDto[];
  @ApiPropertyOptional({ format: 'date-time' }) nextBefore?: string;
}

export class WebhookAckDto {
  @ApiProperty({ example: true }) received!: boolean;
  @ApiProperty({ example: 1, description: 'Events in the delivery that the platform acts on' }) events!: number;
}
