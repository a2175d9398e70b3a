import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

import {
  basicCredentials,
  type FakeDelivery,
  type FakeRequest,
  type FakeResponse,
  isRecord,
  parseJson,
  randomId,
  startFakeHttpServer,
} from './fake-http';

/**
 * A local FAKE of PayPal's REST API (OAuth, Orders v2, verify-webhook-signature; the real one cannot be reached
 * from tests): a small, stateful node:http server with PayPal's shapes, status codes and error issues.
 *
 * Where it differs from PayPal, by design:
 * - The buyer's approval is `approve(orderId)` (or GET on the approve link, which redirects to the return URL).
 * - Webhook signatures: PayPal signs `transmission_id|transmission_time|webhook_id|crc32(body)` with a private key
 *   and verify-webhook-signature checks it against the certificate at PAYPAL-CERT-URL. This fake signs the same
 *   string with an HMAC key it keeps, so its verify answers SUCCESS only for deliveries it made itself (`webhook`,
 *   `refund`) and unchanged since.
 * - PayPal-Request-Id: PayPal does not document which answers it stores for a repeated id; the fake stores every
 *   answer, failures included (the stricter reading), and replays it.
 */
export interface FakePayPalOptions {
  clientId?: string;
  clientSecret?: string;
  webhookId?: string;
}

export interface PayPalMoney {
  currency_code: string;
  value: string;
}

export interface PayPalLink {
  href: string;
  rel: string;
  method: string;
}

export type PayPalCaptureStatus = 'COMPLETED' | 'PENDING' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';

interface CaptureState {
  id: string;
  orderId: string;
  status: PayPalCaptureStatus;
  amount: PayPalMoney;
  refundedMinor: number;
  createTime: string;
  updateTime: string;
}

interface OrderState {
  id: string;
  intent: string;
  status: 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED';
  purchaseUnits: Array<Record<string, unknown> & { amount: PayPalMoney; reference_id: string }>;
  viaPaymentSource: boolean;
  returnUrl?: string;
  cancelUrl?: string;
  payerId?: string;
  captureStatus: PayPalCaptureStatus;
  captureId?: string;
  createTime: string;
  updateTime: string;
}

const DEBUG_ID = (): string => randomId(13, 'abcdef0123456789');
const isoNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** PayPal's currencies without decimals; every other one it takes has two. */
const WHOLE_UNIT_CURRENCIES = new Set(['HUF', 'JPY', 'TWD']);
/** Decimal places of the minor unit `refund(…, amountMinor)` counts in (ISO 4217). */
const isoExponent = (currency: string): number => (currency === 'JPY' ? 0 : 2);

function failure(status: number, name: string, message: string, issue?: string, description?: string): FakeResponse {
  return {
    status,
    body: {
      name,
      message,
      debug_id: DEBUG_ID(),
      ...(issue ? { details: [{ issue, ...(description ? { description } : {}) }] } : {}),
      links: [
        {
          href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${issue ?? name}`,
          rel: 'information_link',
          method: 'GET',
        },
      ],
    },
  };
}

const UNPROCESSABLE =
  'The requested action could not be performed, semantically incorrect, or failed business validation.';

export class FakePayPal {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly webhookId: string;
  /** Every request the fake answered, oldest first, for asserting what the SDK sent. */
  readonly requests: Array<{ method: string; path: string; requestId?: string }> = [];
  private readonly signingKey = randomId(32);
  private readonly tokens = new Map<string, number>();
  private readonly orders = new Map<string, OrderState>();
  private readonly captures = new Map<string, CaptureState>();
  /** Answers stored per PayPal-Request-Id (and route), replayed for a repeat. */
  private readonly replays = new Map<string, FakeResponse>();
  private baseUrlValue = '';
  private stopServer: () => Promise<void> = () => Promise.resolve();

  private constructor(options: FakePayPalOptions) {
    this.clientId = options.clientId ?? `fake-client-${randomId(12)}`;
    this.clientSecret = options.clientSecret ?? randomId(32);
    this.webhookId = options.webhookId ?? randomId(17, UPPER);
  }

  static async start(options: FakePayPalOptions = {}): Promise<FakePayPal> {
    const fake = new FakePayPal(options);
    const server = await startFakeHttpServer('FakePayPal', (request) => fake.handle(request));
    fake.baseUrlValue = server.baseUrl;
    fake.stopServer = server.stop;
    return fake;
  }

  /** PAYPAL_API_BASE for the code under test. */
  get baseUrl(): string {
    return this.baseUrlValue;
  }

  stop(): Promise<void> {
    return this.stopServer();
  }

  /**
   * The buyer approves the order on PayPal. `captureStatus` is what the capture will then report (COMPLETED by
   * default; PENDING or DECLINED to exercise those answers). Returns the URL PayPal sends the buyer back to.
   */
  approve(
    orderId: string,
    options: { captureStatus?: 'COMPLETED' | 'PENDING' | 'DECLINED' } = {},
  ): { returnUrl?: string } {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`FakePayPal: no order ${orderId}`);
    if (order.status !== 'CREATED' && order.status !== 'PAYER_ACTION_REQUIRED') {
      throw new Error(`FakePayPal: order ${orderId} is ${order.status}`);
    }
    order.status = 'APPROVED';
    order.payerId = randomId(13, UPPER);
    order.captureStatus = options.captureStatus ?? 'COMPLETED';
    order.updateTime = isoNow();
    if (!order.returnUrl) return {};
    const url = new URL(order.returnUrl);
    url.searchParams.set('token', orderId);
    url.searchParams.set('PayerID', order.payerId);
    return { returnUrl: url.toString() };
  }

  /** Invalidates every access token issued so far (PayPal may revoke one before it expires). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** The order as GET /v2/checkout/orders/{id} shows it. */
  order(orderId: string): Record<string, unknown> | undefined {
    const order = this.orders.get(orderId);
    return order && this.representation(order);
  }

  /** A capture as webhooks carry it (snake_case, with supplementary_data.related_ids.order_id). */
  capture(captureId: string): Record<string, unknown> {
    const capture = this.captures.get(captureId);
    if (!capture) throw new Error(`FakePayPal: no capture ${captureId}`);
    return {
      ...this.captureResource(capture),
      supplementary_data: { related_ids: { order_id: capture.orderId } },
    };
  }

  /** A webhook delivery of `eventType` carrying `resource`, signed so this fake's verify answers SUCCESS. */
  webhook(eventType: string, resource: Record<string, unknown>): FakeDelivery {
    const body = JSON.stringify({
      id: `WH-${randomId(17, UPPER)}`,
      event_version: '1.0',
      create_time: isoNow(),
      resource_type: eventType.startsWith('PAYMENT.CAPTURE.REFUNDED') ? 'refund' : 'capture',
      resource_version: '2.0',
      event_type: eventType,
      summary: `Fake ${eventType}`,
      resource,
      links: [],
    });
    const transmissionId = randomUUID();
    const transmissionTime = isoNow();
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'paypal-auth-algo': 'SHA256withRSA',
        'paypal-cert-url': this.certUrl(),
        'paypal-transmission-id': transmissionId,
        'paypal-transmission-time': transmissionTime,
        'paypal-transmission-sig': this.sign(transmissionId, transmissionTime, this.webhookId, body),
      },
    };
  }

  /** Refunds `amountMinor` (ISO minor units) of a capture and returns its signed PAYMENT.CAPTURE.REFUNDED delivery. */
  refund(captureId: string, amountMinor: number): FakeDelivery & { refundId: string } {
    const capture = this.captures.get(captureId);
    if (!capture) throw new Error(`FakePayPal: no capture ${captureId}`);
    const currency = capture.amount.currency_code;
    const capturedMinor = toMinor(capture.amount.value, currency);
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0 || amountMinor > capturedMinor - capture.refundedMinor) {
      throw new Error(`FakePayPal: cannot refund ${amountMinor} of ${capturedMinor - capture.refundedMinor} left`);
    }
    capture.refundedMinor += amountMinor;
    capture.status = capture.refundedMinor === capturedMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    capture.updateTime = isoNow();
    const refundId = randomId(17, UPPER);
    const delivery = this.webhook('PAYMENT.CAPTURE.REFUNDED', {
      id: refundId,
      amount: { currency_code: currency, value: toValue(amountMinor, currency) },
      status: 'COMPLETED',
      create_time: isoNow(),
      update_time: isoNow(),
      links: [
        { href: `${this.baseUrl}/v2/payments/refunds/${refundId}`, rel: 'self', method: 'GET' },
        { href: `${this.baseUrl}/v2/payments/captures/${captureId}`, rel: 'up', method: 'GET' },
      ],
    });
    return { ...delivery, refundId };
  }

  private handle(request: FakeRequest): FakeResponse {
    const requestId = headerOf(request, 'paypal-request-id');
    this.requests.push({ method: request.method, path: request.path, ...(requestId ? { requestId } : {}) });
    if (request.method === 'POST' && request.path === '/v1/oauth2/token') return this.issueToken(request);
    if (request.method === 'GET' && request.path === '/checkoutnow') return this.buyerApproves(request);
    if (!this.authorized(request)) {
      return failure(
        401,
        'AUTHENTICATION_FAILURE',
        'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
      );
    }
    if (request.method === 'POST' && request.path === '/v1/notifications/verify-webhook-signature') {
      return this.verifySignature(request.body);
    }
    if (request.method === 'POST' && request.path === '/v2/checkout/orders') {
      return this.replayed(`create:${requestId}`, requestId, () => this.createOrder(request));
    }
    const match = /^\/v2\/checkout\/orders\/([^/]+)(\/capture)?$/.exec(request.path);
    const orderId = match?.[1] ?? '';
    if (request.method === 'GET' && match && !match[2]) {
      const order = this.orders.get(orderId);
      return order ? { status: 200, body: this.representation(order) } : this.notFound();
    }
    if (request.method === 'POST' && match?.[2]) {
      return this.replayed(`capture:${orderId}:${requestId}`, requestId, () => this.captureOrder(orderId));
    }
    return failure(404, 'RESOURCE_NOT_FOUND', 'The specified resource does not exist.');
  }

  private replayed(key: string, requestId: string | undefined, answer: () => FakeResponse): FakeResponse {
    if (!requestId) return answer();
    const stored = this.replays.get(key);
    if (stored) return structuredClone(stored);
    const response = answer();
    this.replays.set(key, structuredClone(response));
    return response;
  }

  private issueToken(request: FakeRequest): FakeResponse {
    const credentials = basicCredentials(headerOf(request, 'authorization'));
    if (credentials?.user !== this.clientId || credentials.password !== this.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
    }
    if (new URLSearchParams(request.body).get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
    }
    const token = `A21AA${randomId(60)}`;
    const expiresIn = 32_400;
    this.tokens.set(token, Date.now() + expiresIn * 1000);
    return {
      status: 200,
      body: {
        scope:
          'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/checkout/one-click-with-merchant-issued-token',
        access_token: token,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: expiresIn,
        nonce: `${isoNow()}${randomId(20)}`,
      },
    };
  }

  private authorized(request: FakeRequest): boolean {
    const token = /^Bearer\s+(\S+)$/i.exec(headerOf(request, 'authorization') ?? '')?.[1];
    const expires = token === undefined ? undefined : this.tokens.get(token);
    return expires !== undefined && expires > Date.now();
  }

  private createOrder(request: FakeRequest): FakeResponse {
    const body = parseJson(request.body);
    const invalid = (issue: string, field: string, description: string): FakeResponse => ({
      status: 400,
      body: {
        name: 'INVALID_REQUEST',
        message: 'Request is not well-formed, syntactically incorrect, or violates schema.',
        debug_id: DEBUG_ID(),
        details: [{ field, location: 'body', issue, description }],
      },
    });
    if (!isRecord(body)) return invalid('MALFORMED_REQUEST_JSON', '/', 'The request JSON is not well formed.');
    if (body.intent !== 'CAPTURE' && body.intent !== 'AUTHORIZE') {
      return invalid('INVALID_PARAMETER_VALUE', '/intent', 'The value of a field is invalid.');
    }
    const units = body.purchase_units;
    if (!Array.isArray(units) || units.length === 0 || units.length > 10) {
      return invalid('MISSING_REQUIRED_PARAMETER', '/purchase_units', 'A required field / parameter is missing.');
    }
    const purchaseUnits: OrderState['purchaseUnits'] = [];
    for (const [index, unit] of units.entries()) {
      const amount = isRecord(unit) ? unit.amount : undefined;
      if (
        !isRecord(unit) ||
        !isRecord(amount) ||
        typeof amount.currency_code !== 'string' ||
        typeof amount.value !== 'string'
      ) {
        return invalid(
          'MISSING_REQUIRED_PARAMETER',
          `/purchase_units/${index}/amount`,
          'A required field / parameter is missing.',
        );
      }
      const field = `/purchase_units/${index}/amount/value`;
      if (!/^((-?[0-9]+)|(-?([0-9]+)?[.][0-9]+))$/.test(amount.value) || amount.value.startsWith('-')) {
        return invalid(
          'INVALID_PARAMETER_SYNTAX',
          field,
          'The value of a field does not conform to the expected format.',
        );
      }
      const decimals = amount.value.split('.')[1]?.length ?? 0;
      if (decimals > (WHOLE_UNIT_CURRENCIES.has(amount.currency_code) ? 0 : 2)) {
        return invalid(
          'DECIMAL_PRECISION',
          field,
          'If the currency supports decimals, only two decimal place precision is supported.',
        );
      }
      purchaseUnits.push({
        ...unit,
        reference_id: typeof unit.reference_id === 'string' ? unit.reference_id : 'default',
        amount: { currency_code: amount.currency_code, value: amount.value },
        payee: { email_address: 'merchant@example.com', merchant_id: 'FAKEMERCHANT01' },
      });
    }
    const paypalSource =
      isRecord(body.payment_source) && isRecord(body.payment_source.paypal) ? body.payment_source.paypal : undefined;
    const context = isRecord(paypalSource?.experience_context)
      ? paypalSource.experience_context
      : isRecord(body.application_context)
        ? body.application_context
        : {};
    const now = isoNow();
    const order: OrderState = {
      id: randomId(17, UPPER),
      intent: body.intent,
      status: paypalSource ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      purchaseUnits,
      viaPaymentSource: paypalSource !== undefined,
      ...(typeof context.return_url === 'string' ? { returnUrl: context.return_url } : {}),
      ...(typeof context.cancel_url === 'string' ? { cancelUrl: context.cancel_url } : {}),
      captureStatus: 'COMPLETED',
      createTime: now,
      updateTime: now,
    };
    this.orders.set(order.id, order);
    const full = this.representation(order);
    const minimal = /return=representation/i.test(headerOf(request, 'prefer') ?? '')
      ? full
      : { id: full.id, status: full.status, links: full.links };
    return { status: 201, body: minimal };
  }

  private captureOrder(orderId: string): FakeResponse {
    const order = this.orders.get(orderId);
    if (!order) return this.notFound();
    if (order.status === 'COMPLETED') {
      return failure(
        422,
        'UNPROCESSABLE_ENTITY',
        UNPROCESSABLE,
        'ORDER_ALREADY_CAPTURED',
        "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
      );
    }
    if (order.status !== 'APPROVED') {
      return failure(
        422,
        'UNPROCESSABLE_ENTITY',
        UNPROCESSABLE,
        'ORDER_NOT_APPROVED',
        "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.",
      );
    }
    const unit = order.purchaseUnits[0];
    if (!unit) return this.notFound();
    const now = isoNow();
    const capture: CaptureState = {
      id: randomId(17, UPPER),
      orderId,
      status: order.captureStatus,
      amount: { ...unit.amount },
      refundedMinor: 0,
      createTime: now,
      updateTime: now,
    };
    this.captures.set(capture.id, capture);
    order.captureId = capture.id;
    order.status = 'COMPLETED';
    order.updateTime = now;
    return { status: 201, body: this.representation(order) };
  }

  private buyerApproves(request: FakeRequest): FakeResponse {
    const orderId = request.query.get('token') ?? '';
    if (!this.orders.has(orderId)) return this.notFound();
    const { returnUrl } = this.approve(orderId);
    return returnUrl ? { status: 302, headers: { location: returnUrl } } : { status: 200, body: { approved: orderId } };
  }

  private verifySignature(rawBody: string): FakeResponse {
    const body = parseJson(rawBody);
    const fields = [
      'auth_algo',
      'cert_url',
      'transmission_id',
      'transmission_sig',
      'transmission_time',
      'webhook_id',
    ] as const;
    if (!isRecord(body))
      return failure(400, 'INVALID_REQUEST', 'Request is not well-formed.', 'MALFORMED_REQUEST_JSON');
    for (const field of fields) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        return failure(400, 'VALIDATION_ERROR', 'Invalid request - see details', 'MISSING_REQUIRED_PARAMETER', field);
      }
    }
    if (!isRecord(body.webhook_event)) {
      return failure(
        400,
        'VALIDATION_ERROR',
        'Invalid request - see details',
        'MISSING_REQUIRED_PARAMETER',
        'webhook_event',
      );
    }
    const get = (field: (typeof fields)[number]): string => String(body[field]);
    const expected = Buffer.from(
      this.sign(
        get('transmission_id'),
        get('transmission_time'),
        get('webhook_id'),
        JSON.stringify(body.webhook_event),
      ),
    );
    const given = Buffer.from(get('transmission_sig'));
    const valid =
      get('webhook_id') === this.webhookId &&
      get('auth_algo') === 'SHA256withRSA' &&
      get('cert_url') === this.certUrl() &&
      given.length === expected.length &&
      timingSafeEqual(given, expected);
    return { status: 200, body: { verification_status: valid ? 'SUCCESS' : 'FAILURE' } };
  }

  private sign(transmissionId: string, transmissionTime: string, webhookId: string, body: string): string {
    return createHmac('sha256', this.signingKey)
      .update(`${transmissionId}|${transmissionTime}|${webhookId}|${crc32(body)}`)
      .digest('base64');
  }

  private certUrl(): string {
    return `${this.baseUrl}/v1/notifications/certs/CERT-360caa42-fca2a594-fake`;
  }

  private notFound(): FakeResponse {
    return failure(
      404,
      'RESOURCE_NOT_FOUND',
      'The specified resource does not exist.',
      'INVALID_RESOURCE_ID',
      'Specified resource ID does not exist. Please check the resource ID and try again.',
    );
  }

  private representation(order: OrderState): Record<string, unknown> {
    const capture = order.captureId ? this.captures.get(order.captureId) : undefined;
    const base = `${this.baseUrl}/v2/checkout/orders/${order.id}`;
    const links: PayPalLink[] = [{ href: base, rel: 'self', method: 'GET' }];
    if (order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED') {
      links.push({
        href: `${this.baseUrl}/checkoutnow?token=${order.id}`,
        rel: order.viaPaymentSource ? 'payer-action' : 'approve',
        method: 'GET',
      });
    }
    if (order.status !== 'COMPLETED') {
      links.push(
        { href: base, rel: 'update', method: 'PATCH' },
        { href: `${base}/capture`, rel: 'capture', method: 'POST' },
      );
    }
    return {
      id: order.id,
      intent: order.intent,
      status: order.status,
      ...(order.viaPaymentSource ? { payment_source: { paypal: {} } } : {}),
      purchase_units: order.purchaseUnits.map((unit, index) =>
        index === 0 && capture ? { ...unit, payments: { captures: [this.captureResource(capture)] } } : unit,
      ),
      ...(order.payerId
        ? {
            payer: {
              name: { given_name: 'Fake', surname: 'Buyer' },
              email_address: 'buyer@example.com',
              payer_id: order.payerId,
            },
          }
        : {}),
      create_time: order.createTime,
      update_time: order.updateTime,
      links,
    };
  }

  private captureResource(capture: CaptureState): Record<string, unknown> {
    const self = `${this.baseUrl}/v2/payments/captures/${capture.id}`;
    return {
      id: capture.id,
      status: capture.status,
      amount: { ...capture.amount },
      final_capture: true,
      seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
      create_time: capture.createTime,
      update_time: capture.updateTime,
      links: [
        { href: self, rel: 'self', method: 'GET' },
        { href: `${self}/refund`, rel: 'refund', method: 'POST' },
        { href: `${this.baseUrl}/v2/checkout/orders/${capture.orderId}`, rel: 'up', method: 'GET' },
      ],
    };
  }
}

function headerOf(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** "50.00" USD → 5000 (ISO minor units), by string arithmetic. */
function toMinor(value: string, currency: string): number {
  const exponent = isoExponent(currency);
  const [whole = '0', fraction = ''] = value.split('.');
  return Number(whole + fraction.padEnd(exponent, '0').slice(0, exponent));
}

/** 5000 USD → "50.00"; whole units for PayPal's decimal-free currencies. */
function toValue(amountMinor: number, currency: string): string {
  const exponent = isoExponent(currency);
  const digits = String(amountMinor).padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? '' : digits.slice(-exponent);
  if (WHOLE_UNIT_CURRENCIES.has(currency)) return whole;
  return `${whole}.${fraction}`;
}
