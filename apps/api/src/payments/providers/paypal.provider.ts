import type { IncomingHttpHeaders } from 'node:http';

import {
  ApiError,
  CheckoutPaymentIntent,
  Client,
  Environment,
  type OAuthToken,
  type Order,
  OrdersController,
  PaypalExperienceUserAction,
} from '@paypal/paypal-server-sdk';
import type { CreditPackage, VerifiedPaymentEvent } from '@voice/shared';
import axios, { type AxiosAdapter } from 'axios';
import { z } from 'zod';

import { decimalToMinor, minorToPayPalValue } from './minor-units';
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
import { parseJsonObject, redactSecrets, signatureHeader } from './provider-errors';

export interface PayPalProviderConfig {
  clientId: string;
  clientSecret: string;
  /** The id of the webhook subscription (verify-webhook-signature needs it); without it every webhook is refused. */
  webhookId?: string;
  mode: 'sandbox' | 'live';
  /** Another server speaking PayPal's REST API (the local fake in tests); unset = PayPal's host for `mode`. */
  apiBase?: string;
  /** Per request; the SDK's default is none at all. */
  timeoutMs?: number;
}

type PaidEvent = Extract<VerifiedPaymentEvent, { kind: 'paid' }>;

const SDK_BASE = { sandbox: 'https://api-m.sandbox.paypal.com', live: 'https://api-m.paypal.com' } as const;

/** The headers PayPal signs a delivery with, and the verify-webhook-signature fields they fill. */
const TRANSMISSION_HEADERS = {
  auth_algo: 'PAYPAL-AUTH-ALGO',
  cert_url: 'PAYPAL-CERT-URL',
  transmission_id: 'PAYPAL-TRANSMISSION-ID',
  transmission_sig: 'PAYPAL-TRANSMISSION-SIG',
  transmission_time: 'PAYPAL-TRANSMISSION-TIME',
} as const;

/** PayPal's error body: `{ name, message, details: [{ issue, description }] }`, or OAuth's `{ error, error_description }`. */
const errorBodySchema = z.object({
  name: z.string().optional(),
  message: z.string().optional(),
  details: z.array(z.object({ issue: z.string().optional() })).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

const moneySchema = z.object({ currency_code: z.string(), value: z.string() });
const relatedOrderSchema = z
  .object({ related_ids: z.object({ order_id: z.string().optional() }).optional() })
  .optional();
const captureResourceSchema = z.object({ id: z.string(), amount: moneySchema, supplementary_data: relatedOrderSchema });
const refundResourceSchema = z.object({
  id: z.string(),
  amount: moneySchema,
  supplementary_data: relatedOrderSchema,
  links: z.array(z.object({ rel: z.string(), href: z.string() })).default([]),
});
const verificationSchema = z.object({ verification_status: z.string() });

/** PayPal Checkout (Orders v2): the buyer approves on PayPal, then we capture the order. */
export class PayPalPaymentProvider implements PaymentProvider {
  readonly name = 'paypal' as const;
  private readonly client: Client;
  private readonly orders: OrdersController;
  private readonly apiBase: string;
  /** The one OAuth token of this provider, used by the SDK's calls and by the webhook check (which it lacks). */
  private token: OAuthToken | undefined;
  private tokenRequest: Promise<OAuthToken> | undefined;

  constructor(private readonly config: PayPalProviderConfig) {
    const sdkBase = SDK_BASE[config.mode];
    this.apiBase = (config.apiBase ?? sdkBase).replace(/\/+$/, '');
    this.client = new Client({
      environment: config.mode === 'live' ? Environment.Production : Environment.Sandbox,
      timeout: config.timeoutMs ?? 20_000,
      clientCredentialsAuthCredentials: {
        oAuthClientId: config.clientId,
        oAuthClientSecret: config.clientSecret,
        // The SDK asks for a token when it holds none or its own has expired; both get ours.
        oAuthTokenProvider: (stale) => this.freshToken(stale),
      },
      // The SDK knows only PayPal's two hosts; another base is reached by rewriting the URL under its axios.
      ...(this.apiBase === sdkBase
        ? {}
        : { unstable_httpClientOptions: { adapter: rebasingAdapter(sdkBase, this.apiBase) } }),
    });
    this.orders = new OrdersController(this.client);
  }

  async createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
    const { pkg } = input;
    let value: string;
    try {
      value = minorToPayPalValue(pkg.priceMinor, pkg.currency);
    } catch (error) {
      throw new PaymentProviderError('paypal', `package ${pkg.id} cannot be sold through PayPal: ${String(error)}`);
    }
    const { result } = await this.call('create an order', () =>
      this.orders.createOrder({
        body: {
          intent: CheckoutPaymentIntent.Capture,
          purchaseUnits: [
            {
              referenceId: input.paymentId,
              customId: input.paymentId,
              description: pkg.name,
              amount: { currencyCode: pkg.currency.toUpperCase(), value },
            },
          ],
          // experience_context replaces the deprecated application_context; PAY_NOW because the return captures.
          paymentSource: {
            paypal: {
              experienceContext: {
                returnUrl: input.returnUrl,
                cancelUrl: input.cancelUrl,
                userAction: PaypalExperienceUserAction.PayNow,
              },
            },
          },
        },
        // PayPal answers a repeated id with the order it already made.
        paypalRequestId: input.idempotencyKey,
        prefer: 'return=representation',
      }),
    );
    const orderId = requireId(result);
    return { providerPaymentId: orderId, client: { provider: 'paypal', orderId, approveUrl: approveUrlOf(result) } };
  }

  async clientDataFor(providerPaymentId: string, _pkg: CreditPackage): Promise<PaymentClientData> {
    const order = await this.getOrder(providerPaymentId);
    return { provider: 'paypal', orderId: providerPaymentId, approveUrl: approveUrlOf(order) };
  }

  async confirm(providerPaymentId: string, _evidence: ConfirmEvidence): Promise<ConfirmVerdict> {
    // Look before capturing: a capture refused as not yet approved may be stored under its PayPal-Request-Id and
    // replayed to the retry after approval (PayPal does not document which answers it keeps), so only an approved
    // order is sent to capture.
    const order = await this.getOrder(providerPaymentId);
    switch (order.status) {
      case 'COMPLETED':
        return verdictOf(order, providerPaymentId);
      case 'APPROVED':
        break;
      case 'VOIDED':
        return { paid: false, providerStatus: order.status, failed: true };
      default:
        return { paid: false, providerStatus: order.status ?? 'UNKNOWN', failed: false };
    }
    try {
      const { result } = await this.withTokenRetry(() =>
        this.orders.captureOrder({
          id: providerPaymentId,
          // One capture per order, whoever asks (confirm twice, a retry after a timeout): PayPal replays the first.
          paypalRequestId: `capture-${providerPaymentId}`,
          prefer: 'return=representation',
        }),
      );
      return verdictOf(result, providerPaymentId);
    } catch (error) {
      const issue = issueOf(error);
      if (issue === 'ORDER_ALREADY_CAPTURED')
        return verdictOf(await this.getOrder(providerPaymentId), providerPaymentId);
      // Not approved after all (a race with the buyer), or the funding source was declined and the buyer must pick
      // another: both are still open.
      if (issue === 'ORDER_NOT_APPROVED' || issue === 'INSTRUMENT_DECLINED') {
        return { paid: false, providerStatus: issue, failed: false };
      }
      throw this.failure('capture the order', error);
    }
  }

  async parseWebhook(rawBody: Buffer, headers: IncomingHttpHeaders): Promise<VerifiedPaymentEvent[]> {
    const webhookId = this.config.webhookId;
    if (!webhookId) throw new WebhookSignatureError('PAYPAL_WEBHOOK_ID is not set');
    const transmission: Record<string, string> = {};
    const missing: string[] = [];
    for (const [field, header] of Object.entries(TRANSMISSION_HEADERS)) {
      const value = signatureHeader(headers, header);
      if (value === undefined) missing.push(header);
      else transmission[field] = value;
    }
    if (missing.length > 0) throw new WebhookSignatureError(`PayPal webhook headers missing: ${missing.join(', ')}`);
    const event = parseJsonObject(rawBody, 'PayPal webhook');

    const status = await this.verifySignature({ ...transmission, webhook_id: webhookId }, rawBody);
    if (status !== 'SUCCESS')
      throw new WebhookSignatureError(`PayPal did not verify the webhook signature (${status})`);

    switch (event.event_type) {
      case 'PAYMENT.CAPTURE.COMPLETED': {
        const capture = resourceOf(event, captureResourceSchema);
        const orderId = capture.supplementary_data?.related_ids?.order_id;
        // Captures outside Orders v2 (older integrations on the same account) name no order of ours.
        if (!orderId) return [];
        return [
          {
            kind: 'paid',
            provider: 'paypal',
            providerPaymentId: orderId,
            captureId: capture.id,
            amountMinor: minorOf(capture.amount),
            currency: capture.amount.currency_code.toLowerCase(),
            via: 'webhook',
          },
        ];
      }
      case 'PAYMENT.CAPTURE.REFUNDED': {
        const refund = resourceOf(event, refundResourceSchema);
        // The refund names its capture only through its `up` link (…/v2/payments/captures/{id}).
        const up = refund.links.find((link) => link.rel === 'up')?.href ?? '';
        const captureId = /\/v2\/payments\/captures\/([^/?#]+)/.exec(up)?.[1];
        if (!captureId) throw new PaymentProviderError('paypal', `refund ${refund.id} has no capture link`);
        const orderId = refund.supplementary_data?.related_ids?.order_id;
        return [
          {
            kind: 'refund',
            provider: 'paypal',
            ...(orderId ? { providerPaymentId: orderId } : {}),
            captureId: decodeURIComponent(captureId),
            refundId: refund.id,
            amountMinor: minorOf(refund.amount),
            amountIs: 'this_refund',
            currency: refund.amount.currency_code.toLowerCase(),
          },
        ];
      }
      default:
        return [];
    }
  }

  /**
   * POST /v1/notifications/verify-webhook-signature. PayPal checks the transmission signature against its signing
   * certificate and our webhook id; a 401 means the held token went stale, so it is refreshed once.
   */
  private async verifySignature(fields: Record<string, string>, rawBody: Buffer): Promise<string> {
    // The event goes in byte for byte: PayPal signs a CRC32 of the body as delivered, and a re-serialised copy
    // (other number formats or escapes) could fail a genuine delivery.
    const head = JSON.stringify(fields);
    const body = `${head.slice(0, -1)},"webhook_event":${rawBody.toString('utf8')}}`;
    for (const fresh of [false, true]) {
      if (fresh) this.expireToken();
      const { accessToken } = await this.freshToken(undefined).catch((error: unknown) => {
        throw this.failure('get an access token', error);
      });
      let response: Response;
      try {
        response = await fetch(`${this.apiBase}/v1/notifications/verify-webhook-signature`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.config.timeoutMs ?? 20_000),
        });
      } catch (error) {
        throw new PaymentProviderError('paypal', 'PayPal could not be reached to verify a webhook', undefined, {
          cause: error,
        });
      }
      if (response.status === 401 && !fresh) continue;
      const text = await response.text();
      if (response.ok) {
        const parsed = verificationSchema.safeParse(safeJson(text));
        if (!parsed.success) {
          throw new PaymentProviderError('paypal', 'verify-webhook-signature answered no status', response.status);
        }
        return parsed.data.verification_status;
      }
      const detail = this.detailOf(safeJson(text)) ?? `HTTP ${response.status}`;
      // A request PayPal cannot check at all (malformed headers, an unknown certificate) proves nothing.
      if (response.status === 400 || response.status === 422) {
        throw new WebhookSignatureError(`PayPal refused to verify the webhook: ${detail}`);
      }
      throw new PaymentProviderError('paypal', `PayPal refused to verify a webhook: ${detail}`, response.status);
    }
    throw new PaymentProviderError('paypal', 'PayPal refused a fresh access token', 401);
  }

  /**
   * The held token unless it is the caller's stale copy or has expired; else one fetch, shared by concurrent callers.
   * (Fetching goes through the SDK's OAuth controller, so it takes the same base URL and timeout.)
   */
  private freshToken(stale: OAuthToken | undefined): Promise<OAuthToken> {
    const manager = this.client.clientCredentialsAuthManager;
    const held = this.token;
    if (held && held !== stale && !manager.isExpired(held)) return Promise.resolve(held);
    this.tokenRequest ??= manager
      .fetchToken()
      .then((token) => {
        this.token = token;
        return token;
      })
      .finally(() => {
        this.tokenRequest = undefined;
      });
    return this.tokenRequest;
  }

  /**
   * Marks the held token expired. The SDK holds the same object and only refreshes an expired token, so a token
   * PayPal revoked early (a 401) would otherwise be sent until its nine hours are up.
   */
  private expireToken(): void {
    if (this.token) this.token.expiry = BigInt(0);
  }

  /** Retries once after a 401 on a fresh token; every call made through it is idempotent (GET, or a PayPal-Request-Id). */
  private async withTokenRetry<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      // A 401 from the token endpoint is our credentials refused: a retry would only be refused again. (Its error
      // class cannot be imported: the package index exports an enum under the same name.)
      const tokenRefused = error instanceof ApiError && error.request.url.includes('/v1/oauth2/token');
      if (!(error instanceof ApiError) || error.statusCode !== 401 || tokenRefused || !this.token) throw error;
      this.expireToken();
      return request();
    }
  }

  private async getOrder(id: string): Promise<Order> {
    return (await this.call('fetch the order', () => this.orders.getOrder({ id }))).result;
  }

  /** Runs one SDK call, turning its failures into PaymentProviderError with no credential in the message. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await this.withTokenRetry(request);
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): PaymentProviderError {
    if (error instanceof ApiError) {
      const detail =
        error.statusCode === 401
          ? 'the client credentials or token were refused'
          : (this.detailOf(error.result ?? safeJson(typeof error.body === 'string' ? error.body : '')) ??
            `HTTP ${error.statusCode}`);
      return new PaymentProviderError('paypal', `PayPal refused to ${what}: ${detail}`, error.statusCode);
    }
    if (axios.isAxiosError(error)) {
      return new PaymentProviderError(
        'paypal',
        `PayPal could not be reached to ${what} (${error.code ?? 'no response'})`,
      );
    }
    return new PaymentProviderError('paypal', `PayPal: could not ${what}`, undefined, { cause: error });
  }

  private detailOf(body: unknown): string | undefined {
    const parsed = errorBodySchema.safeParse(body);
    if (!parsed.success) return undefined;
    const { name, message, details, error, error_description: description } = parsed.data;
    const parts = [name ?? error, details?.[0]?.issue, message ?? description].filter(Boolean);
    return parts.length > 0
      ? redactSecrets(parts.join(': '), [this.config.clientSecret, this.token?.accessToken])
      : undefined;
  }
}

/** An axios adapter that sends the SDK's requests for `from` to `to` instead. */
function rebasingAdapter(from: string, to: string): AxiosAdapter {
  const http = axios.getAdapter('http');
  return (config) => {
    const url = config.url?.startsWith(from) ? `${to}${config.url.slice(from.length)}` : config.url;
    return http({ ...config, url });
  };
}

function requireId(order: Order): string {
  if (!order.id) throw new PaymentProviderError('paypal', 'PayPal returned an order without an id');
  return order.id;
}

/** With payment_source.paypal the buyer's link is `payer-action`; without it (older orders) `approve`. */
function approveUrlOf(order: Order): string {
  const link = order.links?.find((candidate) => candidate.rel === 'payer-action' || candidate.rel === 'approve');
  if (!link) {
    throw new PaymentProviderError(
      'paypal',
      `order ${order.id ?? '?'} has no approval link (status ${order.status ?? '?'})`,
    );
  }
  return link.href;
}

function issueOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const parsed = errorBodySchema.safeParse(error.result ?? safeJson(typeof error.body === 'string' ? error.body : ''));
  return parsed.success ? parsed.data.details?.[0]?.issue : undefined;
}

/** The confirm verdict of an order read after capture: its (single, intent CAPTURE) capture decides. */
function verdictOf(order: Order, orderId: string): ConfirmVerdict {
  const capture = order.purchaseUnits?.[0]?.payments?.captures?.[0];
  if (!capture?.id || !capture.amount) {
    return { paid: false, providerStatus: order.status ?? 'UNKNOWN', failed: order.status === 'VOIDED' };
  }
  switch (capture.status) {
    // Refunded later is still captured; the refund arrives as its own event.
    case 'COMPLETED':
    case 'PARTIALLY_REFUNDED':
    case 'REFUNDED': {
      const event: PaidEvent = {
        kind: 'paid',
        provider: 'paypal',
        providerPaymentId: order.id ?? orderId,
        captureId: capture.id,
        amountMinor: minorOf({ currency_code: capture.amount.currencyCode, value: capture.amount.value }),
        currency: capture.amount.currencyCode.toLowerCase(),
        via: 'confirm',
      };
      return { paid: true, event };
    }
    case 'DECLINED':
    case 'FAILED':
      return { paid: false, providerStatus: capture.status, failed: true };
    default:
      // PENDING (an eCheck, a review): PAYMENT.CAPTURE.COMPLETED follows when it clears.
      return { paid: false, providerStatus: capture.status ?? 'UNKNOWN', failed: false };
  }
}

function minorOf(money: { currency_code: string; value: string }): number {
  try {
    return decimalToMinor(money.value, money.currency_code);
  } catch (error) {
    throw new PaymentProviderError('paypal', `PayPal sent an amount we cannot read: ${String(error)}`);
  }
}

function resourceOf<T>(event: Record<string, unknown>, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  const parsed = schema.safeParse(event.resource);
  if (!parsed.success) {
    // Verified by PayPal, so the shape is ours to fix: a 5xx makes PayPal redeliver once we have.
    const issue = parsed.error.issues[0];
    throw new PaymentProviderError(
      'paypal',
      `${String(event.event_type)} webhook resource: ${issue?.path.join('.')} ${issue?.message}`,
    );
  }
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
