import type { IncomingHttpHeaders } from 'node:http';

import type { CreditPackage, VerifiedPaymentEvent } from '@voice/shared';
import Stripe from 'stripe';

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
import { redactSecrets, signatureHeader } from './provider-errors';

export interface StripeProviderConfig {
  secretKey: string;
  /** whsec_…; without it every webhook is refused. */
  webhookSecret?: string;
  publishableKey?: string;
  /** Another server speaking Stripe's API (stripe-mock in tests), as `http(s)://host:port`; unset = api.stripe.com. */
  apiBase?: string;
  /** Per request; the SDK's default is 80 s, far longer than a user waits on a checkout. */
  timeoutMs?: number;
  /** The SDK retries connection errors and 409/5xx, with an idempotency key on every retried POST. */
  maxNetworkRetries?: number;
  /** How old a signed webhook may be (Stripe's default 300 s): a replayed capture is refused after that. */
  webhookToleranceSeconds?: number;
}

type PaidEvent = Extract<VerifiedPaymentEvent, { kind: 'paid' }>;

/** Card (and wallet) payments through a PaymentIntent that the browser confirms with Stripe.js. */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(private readonly config: StripeProviderConfig) {
    this.stripe = new Stripe(config.secretKey, {
      ...hostOptions(config.apiBase),
      timeout: config.timeoutMs ?? 20_000,
      maxNetworkRetries: config.maxNetworkRetries ?? 1,
      // No request-latency reports to Stripe from self-hosted installs.
      telemetry: false,
    });
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    const intent = await this.call('create a PaymentIntent', () =>
      this.stripe.paymentIntents.create(
        {
          amount: input.pkg.priceMinor,
          currency: input.pkg.currency.toLowerCase(),
          metadata: { paymentId: input.paymentId, userId: input.userId, packageId: input.pkg.id },
          automatic_payment_methods: { enabled: true },
        },
        // Stripe replays the first answer for a repeated key, and refuses the key with other parameters.
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { providerPaymentId: intent.id, client: this.clientData(intent) };
  }

  async clientDataFor(providerPaymentId: string, _pkg: CreditPackage): Promise<PaymentClientData> {
    return this.clientData(await this.retrieve(providerPaymentId));
  }

  async confirm(providerPaymentId: string, _evidence: ConfirmEvidence): Promise<ConfirmVerdict> {
    const intent = await this.retrieve(providerPaymentId);
    if (intent.status === 'succeeded') return { paid: true, event: paidEvent(intent, 'confirm') };
    // requires_* and processing may still succeed (a bank debit takes days); only canceled is final.
    return { paid: false, providerStatus: intent.status, failed: intent.status === 'canceled' };
  }

  // One HMAC over the body and no request: nothing to await.
  async parseWebhook(rawBody: Buffer, headers: IncomingHttpHeaders): Promise<VerifiedPaymentEvent[]> {
    const secret = this.config.webhookSecret;
    if (!secret) throw new WebhookSignatureError('STRIPE_WEBHOOK_SECRET is not set');
    const header = signatureHeader(headers, 'Stripe-Signature');
    if (!header) throw new WebhookSignatureError('Stripe-Signature header is missing');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, header, secret, this.config.webhookToleranceSeconds ?? 300);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        // Its first line says what failed; the rest is advice on raw bodies.
        throw new WebhookSignatureError(`Stripe signature does not verify: ${error.message.split('\n')[0]?.trim()}`);
      }
      // Signed but not JSON: nothing we could act on.
      throw new WebhookSignatureError('Stripe webhook body is not a JSON event');
    }
    return eventsOf(event);
  }

  private retrieve(id: string): Promise<Stripe.PaymentIntent> {
    return this.call('retrieve the PaymentIntent', () => this.stripe.paymentIntents.retrieve(id));
  }

  private clientData(intent: Stripe.PaymentIntent): PaymentClientData {
    if (!intent.client_secret) {
      throw new PaymentProviderError('stripe', `PaymentIntent ${intent.id} came back without a client secret`);
    }
    return {
      provider: 'stripe',
      paymentIntentId: intent.id,
      clientSecret: intent.client_secret,
      ...(this.config.publishableKey ? { publishableKey: this.config.publishableKey } : {}),
    };
  }

  /** Runs one SDK call, turning its failures into PaymentProviderError with no credential in the message. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeError)) {
        throw new PaymentProviderError('stripe', `Stripe: could not ${what}`, undefined, { cause: error });
      }
      if (error instanceof Stripe.errors.StripeConnectionError) {
        throw new PaymentProviderError('stripe', `Stripe could not be reached to ${what}`, undefined, { cause: error });
      }
      // Its 401 text can quote the key that was sent, so it is not passed on.
      const detail =
        error instanceof Stripe.errors.StripeAuthenticationError
          ? 'the API key was refused'
          : redactSecrets(error.message, [this.config.secretKey, this.config.webhookSecret]);
      throw new PaymentProviderError('stripe', `Stripe refused to ${what}: ${detail}`, error.statusCode);
    }
  }
}

/** Stripe's host/port/protocol options from one URL, so tests and proxies set a single variable. */
function hostOptions(apiBase: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiBase) return {};
  const url = new URL(apiBase);
  if (url.pathname !== '/' || url.search)
    throw new Error('STRIPE_API_BASE must be scheme://host[:port] without a path');
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

function idOf(ref: string | { id: string }): string;
function idOf(ref: string | { id: string } | null | undefined): string | undefined;
function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  if (ref === null || ref === undefined) return undefined;
  return typeof ref === 'string' ? ref : ref.id;
}

function paidEvent(intent: Stripe.PaymentIntent, via: PaidEvent['via']): PaidEvent {
  const captureId = idOf(intent.latest_charge);
  return {
    kind: 'paid',
    provider: 'stripe',
    providerPaymentId: intent.id,
    ...(captureId ? { captureId } : {}),
    amountMinor: intent.amount_received,
    currency: intent.currency.toLowerCase(),
    via,
  };
}

function eventsOf(event: Stripe.Event): VerifiedPaymentEvent[] {
  switch (event.type) {
    case 'payment_intent.succeeded':
      return [paidEvent(event.data.object, 'webhook')];
    case 'charge.refunded': {
      const charge = event.data.object;
      const providerPaymentId = idOf(charge.payment_intent);
      return [
        {
          kind: 'refund',
          provider: 'stripe',
          ...(providerPaymentId ? { providerPaymentId } : {}),
          captureId: charge.id,
          // amount_refunded is the running total, so total + charge names this state: a repeat of one delivery
          // is the same fact, a later partial refund is a new one.
          refundId: `${charge.id}:${charge.amount_refunded}`,
          amountMinor: charge.amount_refunded,
          amountIs: 'total_refunded',
          currency: charge.currency.toLowerCase(),
        },
      ];
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      const providerPaymentId = idOf(dispute.payment_intent);
      return [
        {
          kind: 'dispute',
          provider: 'stripe',
          ...(providerPaymentId ? { providerPaymentId } : {}),
          captureId: idOf(dispute.charge),
          refundId: dispute.id,
          amountMinor: dispute.amount,
          amountIs: 'this_refund',
          currency: dispute.currency.toLowerCase(),
        },
      ];
    }
    default:
      return [];
  }
}
