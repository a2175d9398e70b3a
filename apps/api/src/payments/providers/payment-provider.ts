import type { IncomingHttpHeaders } from 'node:http';
import type { CreditPackage, PaymentProviderName, VerifiedPaymentEvent } from '@voice/shared';

/** What the client needs to take the payment, per provider (no secret of ours is ever in it). */
export type PaymentClientData =
  | {
      provider: 'stripe';
      paymentIntentId: string;
      /** For Stripe.js (Payment Element); lets the holder confirm this one PaymentIntent, nothing else. */
      clientSecret: string;
      /** STRIPE_PUBLISHABLE_KEY, when configured. */
      publishableKey?: string;
    }
  | { provider: 'razorpay'; orderId: string; keyId: string; amountMinor: number; currency: string }
  | { provider: 'paypal'; orderId: string; approveUrl: string };

export interface CreateOrderInput {
  /** Our payments row id: carried to the provider as metadata / receipt / custom id, for the support desk. */
  paymentId: string;
  userId: string;
  pkg: CreditPackage;
  /** Passed on to the provider (Stripe Idempotency-Key, PayPal-Request-Id), so a retried create makes one order. */
  idempotencyKey: string;
  /** Where PayPal sends the buyer back after approving or cancelling. */
  returnUrl: string;
  cancelUrl: string;
}

export interface CreatedOrder {
  /** The id the payments row is keyed by: PaymentIntent id, Razorpay order id, PayPal order id. */
  providerPaymentId: string;
  client: PaymentClientData;
}

/** What the client's return path sends to POST /api/payment/confirm beyond our payment id (Razorpay's checkout result). */
export interface ConfirmEvidence {
  razorpayPaymentId?: string;
  razorpaySignature?: string;
}

/** The provider's answer on the confirm path: paid (with the amounts it reports), or not (yet). */
export type ConfirmVerdict =
  | { paid: true; event: Extract<VerifiedPaymentEvent, { kind: 'paid' }> }
  | { paid: false; providerStatus: string; failed: boolean };

/**
 * One payment provider behind its official SDK. Every method checks with the provider or a signature; nothing the
 * client claims is taken on trust.
 */
export interface PaymentProvider {
  readonly name: PaymentProviderName;
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
  /** The client data of an order made earlier (an Idempotency-Key replay of create-intent). */
  clientDataFor(providerPaymentId: string, pkg: CreditPackage): Promise<PaymentClientData>;
  /**
   * Asks the provider whether the payment went through: Stripe retrieves the PaymentIntent, Razorpay checks the
   * HMAC of `order_id|payment_id` then fetches the payment, PayPal captures the order (idempotently).
   */
  confirm(providerPaymentId: string, evidence: ConfirmEvidence): Promise<ConfirmVerdict>;
  /**
   * Verifies a webhook delivery on its raw body and returns the events we act on (empty for types we ignore).
   * Throws WebhookSignatureError for a missing, forged or stale signature.
   */
  parseWebhook(rawBody: Buffer, headers: IncomingHttpHeaders): Promise<VerifiedPaymentEvent[]>;
}

/** A webhook whose signature does not check out (missing, forged, outside the timestamp tolerance): 400, nothing done. */
export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** The provider refused or could not be reached; `status` is its HTTP status when it answered. */
export class PaymentProviderError extends Error {
  constructor(
    readonly provider: PaymentProviderName,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaymentProviderError';
  }
}
