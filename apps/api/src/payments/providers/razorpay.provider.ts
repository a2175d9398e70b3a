import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

import type { CreditPackage, VerifiedPaymentEvent } from '@voice/shared';
import axios, { type AxiosInstance } from 'axios';
import Razorpay from 'razorpay';
import { z } from 'zod';

import {
  type ConfirmEvidence,
  type ConfirmVerdict,
  type CreatedOrder,
  type CreateOrderInput,
  type PaymentClientData,
  type PaymentProvider,
  PaymentProviderError,
  WebhookSignatureError,
} from './payment-provider';
import { PaymentEvidenceError, parseJsonObject, redactSecrets, signatureHeader } from './provider-errors';

export interface RazorpayProviderConfig {
  keyId: string;
  keySecret: string;
  /** The secret set on the webhook in the Razorpay dashboard; without it every webhook is refused. */
  webhookSecret?: string;
  /** Another server speaking Razorpay's API (the local fake in tests); unset = https://api.razorpay.com. */
  apiBase?: string;
  /** Per request; the SDK sets none, so a stalled connection would hang the confirm call. */
  timeoutMs?: number;
}

type PaidEvent = Extract<VerifiedPaymentEvent, { kind: 'paid' }>;

/** How the SDK rejects: `{ statusCode, error: { code, description } }` (its normalizeError). */
const sdkErrorSchema = z.object({
  statusCode: z.number(),
  error: z.object({ code: z.string().optional(), description: z.string().optional() }).nullish(),
});

const amountSchema = z.union([z.number(), z.string()]);
const paymentEntitySchema = z.object({
  id: z.string(),
  amount: amountSchema,
  currency: z.string(),
  status: z.string(),
  order_id: z.string().nullish(),
});
const webhookSchemas = {
  'payment.captured': z.object({ payment: z.object({ entity: paymentEntitySchema }) }),
  'order.paid': z.object({
    payment: z.object({ entity: paymentEntitySchema }),
    order: z.object({ entity: z.object({ id: z.string() }) }),
  }),
  'refund.processed': z.object({
    refund: z.object({
      entity: z.object({ id: z.string(), amount: amountSchema, currency: z.string(), payment_id: z.string() }),
    }),
    payment: z.object({ entity: z.object({ order_id: z.string().nullish() }) }).optional(),
  }),
};

/** UPI (and cards, netbanking) through Razorpay Checkout, which hands the browser a payment id and a signature. */
export class RazorpayPaymentProvider implements PaymentProvider {
  readonly name = 'razorpay' as const;
  private readonly razorpay: Razorpay;

  constructor(private readonly config: RazorpayProviderConfig) {
    this.razorpay = new Razorpay({ key_id: config.keyId, key_secret: config.keySecret });
    // The SDK has options for neither the host nor a timeout; its axios instance is `api.rq`.
    const http = (this.razorpay.api as unknown as { rq?: AxiosInstance }).rq;
    if (!http?.defaults || !http.interceptors) throw new Error('razorpay SDK: api.rq is not an axios instance');
    if (config.apiBase) http.defaults.baseURL = config.apiBase.replace(/\/+$/, '');
    http.defaults.timeout = config.timeoutMs ?? 20_000;
    // Its error normaliser reads `error.response.status` and dies with a TypeError when there is no response; give
    // it one saying why, so the cause survives as `{ statusCode: 0, error: { code: 'NETWORK_ERROR', ... } }`.
    http.interceptors.response.use(undefined, (error: unknown) => {
      if (axios.isAxiosError(error) && !error.response) {
        const description = error.code ?? error.message;
        return Promise.reject(
          Object.assign(error, { response: { status: 0, data: { error: { code: 'NETWORK_ERROR', description } } } }),
        );
      }
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    });
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    // Razorpay's Orders API takes no idempotency key: a retried create makes a second order. Our payments row is
    // unique on the client's Idempotency-Key, so a retry finds the first row and its order (clientDataFor) instead.
    const order = await this.call('create an order', () =>
      this.razorpay.orders.create({
        amount: input.pkg.priceMinor,
        currency: input.pkg.currency.toUpperCase(),
        receipt: input.paymentId,
        notes: { paymentId: input.paymentId, userId: input.userId, packageId: input.pkg.id },
      }),
    );
    return { providerPaymentId: order.id, client: this.clientData(order) };
  }

  async clientDataFor(providerPaymentId: string, _pkg: CreditPackage): Promise<PaymentClientData> {
    return this.clientData(await this.call('fetch the order', () => this.razorpay.orders.fetch(providerPaymentId)));
  }

  async confirm(providerPaymentId: string, evidence: ConfirmEvidence): Promise<ConfirmVerdict> {
    const { razorpayPaymentId: paymentId, razorpaySignature: signature } = evidence;
    if (!paymentId || !signature) {
      throw new PaymentEvidenceError('Razorpay confirm needs razorpayPaymentId and razorpaySignature');
    }
    // Checkout signs `order_id|payment_id` with our key secret: a match proves Razorpay issued this payment for this
    // order. The id goes into a URL path next, so it must look like one.
    if (
      !/^pay_[A-Za-z0-9]+$/.test(paymentId) ||
      !hmacMatches(this.config.keySecret, `${providerPaymentId}|${paymentId}`, signature)
    ) {
      throw new PaymentEvidenceError('Razorpay payment signature does not match this order');
    }
    const payment = await this.call('fetch the payment', () => this.razorpay.payments.fetch(paymentId));
    if (payment.order_id !== providerPaymentId) {
      throw new PaymentEvidenceError(`Razorpay payment ${paymentId} belongs to another order`);
    }
    switch (payment.status) {
      // A refunded payment was captured first; the refund arrives as its own event.
      case 'captured':
      case 'refunded':
        return { paid: true, event: this.paidEvent(providerPaymentId, payment, 'confirm') };
      case 'failed':
        return { paid: false, providerStatus: payment.status, failed: true };
      default:
        // authorized: the account captures automatically (or a capture is pending); created: still in Checkout.
        return { paid: false, providerStatus: payment.status, failed: false };
    }
  }

  // One HMAC over the body and no request: nothing to await.
  async parseWebhook(rawBody: Buffer, headers: IncomingHttpHeaders): Promise<VerifiedPaymentEvent[]> {
    const secret = this.config.webhookSecret;
    if (!secret) throw new WebhookSignatureError('RAZORPAY_WEBHOOK_SECRET is not set');
    const signature = signatureHeader(headers, 'X-Razorpay-Signature');
    if (!signature) throw new WebhookSignatureError('X-Razorpay-Signature header is missing');
    if (!hmacMatches(secret, rawBody, signature)) {
      throw new WebhookSignatureError('Razorpay webhook signature does not match the body');
    }
    const body = parseJsonObject(rawBody, 'Razorpay webhook');
    const eventName = body.event;
    switch (eventName) {
      case 'payment.captured': {
        const { payment } = this.payload(eventName, body.payload);
        // A payment outside an order (payment links, QR codes) is none of ours.
        if (!payment.entity.order_id) return [];
        return [this.paidEvent(payment.entity.order_id, payment.entity, 'webhook')];
      }
      case 'order.paid': {
        const { payment, order } = this.payload(eventName, body.payload);
        return [this.paidEvent(order.entity.id, payment.entity, 'webhook')];
      }
      case 'refund.processed': {
        const { refund, payment } = this.payload(eventName, body.payload);
        const orderId = payment?.entity.order_id;
        return [
          {
            kind: 'refund',
            provider: 'razorpay',
            ...(orderId ? { providerPaymentId: orderId } : {}),
            captureId: refund.entity.payment_id,
            refundId: refund.entity.id,
            amountMinor: integerAmount(refund.entity.amount, 'refund amount'),
            amountIs: 'this_refund',
            currency: refund.entity.currency.toLowerCase(),
          },
        ];
      }
      default:
        return [];
    }
  }

  private payload<E extends keyof typeof webhookSchemas>(
    event: E,
    payload: unknown,
  ): z.infer<(typeof webhookSchemas)[E]> {
    const parsed = webhookSchemas[event].safeParse(payload);
    if (!parsed.success) {
      // Signed by Razorpay, so the shape is ours to fix: a 5xx makes Razorpay redeliver once we have.
      const issue = parsed.error.issues[0];
      throw new PaymentProviderError(
        'razorpay',
        `${event} webhook payload: ${issue?.path.join('.')} ${issue?.message}`,
      );
    }
    return parsed.data as z.infer<(typeof webhookSchemas)[E]>;
  }

  private paidEvent(
    orderId: string,
    payment: { id: string; amount: number | string; currency: string },
    via: PaidEvent['via'],
  ): PaidEvent {
    return {
      kind: 'paid',
      provider: 'razorpay',
      providerPaymentId: orderId,
      captureId: payment.id,
      amountMinor: integerAmount(payment.amount, 'payment amount'),
      currency: payment.currency.toLowerCase(),
      via,
    };
  }

  private clientData(order: { id: string; amount: number | string; currency: string }): PaymentClientData {
    return {
      provider: 'razorpay',
      orderId: order.id,
      keyId: this.config.keyId,
      amountMinor: integerAmount(order.amount, 'order amount'),
      currency: order.currency.toLowerCase(),
    };
  }

  /** Runs one SDK call, turning its rejections into PaymentProviderError with no credential in the message. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const failure = sdkErrorSchema.safeParse(error);
      if (!failure.success) {
        throw new PaymentProviderError('razorpay', `Razorpay: could not ${what}`, undefined, { cause: error });
      }
      const { statusCode, error: body } = failure.data;
      const detail = redactSecrets([body?.code, body?.description].filter(Boolean).join(': ') || 'no details', [
        this.config.keySecret,
        this.config.webhookSecret,
      ]);
      if (statusCode === 0)
        throw new PaymentProviderError('razorpay', `Razorpay could not be reached to ${what} (${detail})`);
      throw new PaymentProviderError('razorpay', `Razorpay refused to ${what}: ${statusCode} ${detail}`, statusCode);
    }
  }
}

/** Constant-time check of a hex HMAC-SHA256 signature. */
function hmacMatches(secret: string, message: string | Buffer, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(message).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** Razorpay's amounts are integers in the smallest unit, typed number-or-string by the SDK. */
function integerAmount(value: number | string, what: string): number {
  const amount = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new PaymentProviderError('razorpay', `Razorpay sent a ${what} that is not an integer: ${String(value)}`);
  }
  return amount;
}
