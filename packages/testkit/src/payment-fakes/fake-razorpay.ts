import { createHmac } from 'node:crypto';

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
 * A local FAKE of Razorpay's Orders and Payments API (the real one cannot be reached from tests): a small, stateful
 * node:http server that speaks the slice the platform uses, with Razorpay's shapes, auth and signature rules.
 * Not Razorpay: no Checkout UI, no settlements, no webhooks sent on its own — the test drives it with `pay`,
 * `webhook` and `refund` and hands the deliveries to the code under test.
 */
export interface FakeRazorpayOptions {
  keyId?: string;
  keySecret?: string;
  webhookSecret?: string;
}

export interface RazorpayOrderEntity {
  id: string;
  entity: 'order';
  amount: number;
  amount_paid: number;
  amount_due: number;
  currency: string;
  receipt: string | null;
  offer_id: null;
  status: 'created' | 'attempted' | 'paid';
  attempts: number;
  notes: Record<string, string | number>;
  created_at: number;
}

export type RazorpayPaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';

export interface RazorpayPaymentEntity {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: RazorpayPaymentStatus;
  order_id: string;
  invoice_id: null;
  international: boolean;
  method: 'upi';
  amount_refunded: number;
  refund_status: null | 'partial' | 'full';
  captured: boolean;
  description: string | null;
  vpa: string;
  email: string;
  contact: string;
  notes: Record<string, string | number>;
  error_code: string | null;
  error_description: string | null;
  created_at: number;
}

export interface RazorpayRefundEntity {
  id: string;
  entity: 'refund';
  amount: number;
  currency: string;
  payment_id: string;
  notes: Record<string, string>;
  receipt: null;
  status: 'processed';
  speed_processed: 'normal';
  created_at: number;
}

const unixNow = (): number => Math.floor(Date.now() / 1000);
const error = (status: number, description: string, field?: string): FakeResponse => ({
  status,
  body: {
    error: {
      code: status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR',
      description,
      source: 'business',
      step: 'payment_initiation',
      reason: 'input_validation_failed',
      metadata: {},
      ...(field ? { field } : {}),
    },
  },
});

export class FakeRazorpay {
  readonly keyId: string;
  readonly keySecret: string;
  readonly webhookSecret: string;
  /** Every request the fake answered, oldest first (method and path), for asserting what the SDK sent. */
  readonly requests: Array<{ method: string; path: string }> = [];
  private readonly orders = new Map<string, RazorpayOrderEntity>();
  private readonly payments = new Map<string, RazorpayPaymentEntity>();
  private baseUrlValue = '';
  private stopServer: () => Promise<void> = () => Promise.resolve();

  private constructor(options: FakeRazorpayOptions) {
    this.keyId = options.keyId ?? `rzp_test_${randomId(14)}`;
    this.keySecret = options.keySecret ?? randomId(24);
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomId(16)}`;
  }

  static async start(options: FakeRazorpayOptions = {}): Promise<FakeRazorpay> {
    const fake = new FakeRazorpay(options);
    const server = await startFakeHttpServer('FakeRazorpay', (request) => fake.handle(request));
    fake.baseUrlValue = server.baseUrl;
    fake.stopServer = server.stop;
    return fake;
  }

  /** RAZORPAY_API_BASE for the code under test. */
  get baseUrl(): string {
    return this.baseUrlValue;
  }

  stop(): Promise<void> {
    return this.stopServer();
  }

  order(orderId: string): RazorpayOrderEntity | undefined {
    const order = this.orders.get(orderId);
    return order && structuredClone(order);
  }

  payment(paymentId: string): RazorpayPaymentEntity | undefined {
    const payment = this.payments.get(paymentId);
    return payment && structuredClone(payment);
  }

  /**
   * What Razorpay Checkout does when the buyer pays: a payment on the order (captured unless `status` says
   * otherwise; by default the order's amount and currency), and the handler's `razorpay_signature`, which is
   * HMAC-SHA256(key secret, `order_id|payment_id`) in hex.
   */
  pay(
    orderId: string,
    options: { amountMinor?: number; currency?: string; status?: 'captured' | 'authorized' | 'failed' } = {},
  ): { paymentId: string; signature: string } {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`FakeRazorpay: no order ${orderId}`);
    const status = options.status ?? 'captured';
    const payment: RazorpayPaymentEntity = {
      id: `pay_${randomId(14)}`,
      entity: 'payment',
      amount: options.amountMinor ?? order.amount,
      currency: (options.currency ?? order.currency).toUpperCase(),
      status,
      order_id: orderId,
      invoice_id: null,
      international: false,
      method: 'upi',
      amount_refunded: 0,
      refund_status: null,
      captured: status === 'captured',
      description: null,
      vpa: status === 'failed' ? 'failure@razorpay' : 'success@razorpay',
      email: 'buyer@example.com',
      contact: '+919000090000',
      notes: {},
      error_code: status === 'failed' ? 'BAD_REQUEST_ERROR' : null,
      error_description: status === 'failed' ? 'Payment was unsuccessful as the UPI request expired.' : null,
      created_at: unixNow(),
    };
    this.payments.set(payment.id, payment);
    order.attempts += 1;
    if (status === 'captured') {
      order.status = 'paid';
      order.amount_paid = payment.amount;
      order.amount_due = Math.max(0, order.amount - payment.amount);
    } else if (order.status === 'created') order.status = 'attempted';
    return {
      paymentId: payment.id,
      signature: createHmac('sha256', this.keySecret).update(`${orderId}|${payment.id}`).digest('hex'),
    };
  }

  /** A webhook delivery of `event` (payment.captured, order.paid, …) signed with the webhook secret. */
  webhook(event: string, payload: Record<string, unknown>): FakeDelivery {
    const body = JSON.stringify({
      entity: 'event',
      account_id: 'acc_FakeAccount0001',
      event,
      contains: Object.keys(payload),
      payload,
      created_at: unixNow(),
    });
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-razorpay-signature': createHmac('sha256', this.webhookSecret).update(body).digest('hex'),
        'x-razorpay-event-id': randomId(14),
      },
    };
  }

  /** Refunds `amountMinor` of a captured payment, as the dashboard would, and returns its refund.processed delivery. */
  refund(paymentId: string, amountMinor: number): FakeDelivery & { refundId: string } {
    const payment = this.payments.get(paymentId);
    if (!payment) throw new Error(`FakeRazorpay: no payment ${paymentId}`);
    if (payment.status !== 'captured') throw new Error(`FakeRazorpay: payment ${paymentId} is ${payment.status}`);
    if (
      !Number.isSafeInteger(amountMinor) ||
      amountMinor <= 0 ||
      amountMinor > payment.amount - payment.amount_refunded
    ) {
      throw new Error(`FakeRazorpay: cannot refund ${amountMinor} of ${payment.amount - payment.amount_refunded} left`);
    }
    const refund: RazorpayRefundEntity = {
      id: `rfnd_${randomId(14)}`,
      entity: 'refund',
      amount: amountMinor,
      currency: payment.currency,
      payment_id: paymentId,
      notes: {},
      receipt: null,
      status: 'processed',
      speed_processed: 'normal',
      created_at: unixNow(),
    };
    payment.amount_refunded += amountMinor;
    payment.refund_status = payment.amount_refunded === payment.amount ? 'full' : 'partial';
    if (payment.refund_status === 'full') payment.status = 'refunded';
    const delivery = this.webhook('refund.processed', {
      refund: { entity: refund },
      payment: { entity: structuredClone(payment) },
    });
    return { ...delivery, refundId: refund.id };
  }

  private handle(request: FakeRequest): FakeResponse {
    this.requests.push({ method: request.method, path: request.path });
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials?.user !== this.keyId || credentials.password !== this.keySecret) {
      return error(401, 'Authentication failed');
    }
    if (request.method === 'POST' && request.path === '/v1/orders') return this.createOrder(request.body);
    const match = /^\/v1\/(orders|payments)\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && match) {
      const entity = match[1] === 'orders' ? this.orders.get(match[2] ?? '') : this.payments.get(match[2] ?? '');
      return entity ? { status: 200, body: entity } : error(400, 'The id provided does not exist');
    }
    return error(404, 'The requested URL was not found on the server.');
  }

  private createOrder(rawBody: string): FakeResponse {
    const body = parseJson(rawBody);
    if (!isRecord(body)) return error(400, 'The request body is not valid JSON');
    const { amount, currency, receipt, notes } = body;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
      return error(400, 'The amount must be an integer.', 'amount');
    }
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
      return error(400, 'The currency must be a 3-letter upper-case code.', 'currency');
    }
    // Razorpay's minimum for INR is ₹1.00.
    if (amount < (currency === 'INR' ? 100 : 1))
      return error(400, 'Order amount less than minimum amount allowed', 'amount');
    if (receipt !== undefined && (typeof receipt !== 'string' || receipt.length > 40)) {
      return error(400, 'receipt: the length must be no more than 40.', 'receipt');
    }
    if (notes !== undefined && (!isRecord(notes) || Object.keys(notes).length > 15)) {
      return error(400, 'notes: at most 15 key-value pairs.', 'notes');
    }
    const order: RazorpayOrderEntity = {
      id: `order_${randomId(14)}`,
      entity: 'order',
      amount,
      amount_paid: 0,
      amount_due: amount,
      currency,
      receipt: typeof receipt === 'string' ? receipt : null,
      offer_id: null,
      status: 'created',
      attempts: 0,
      notes: (notes as Record<string, string | number> | undefined) ?? {},
      created_at: unixNow(),
    };
    this.orders.set(order.id, order);
    return { status: 200, body: order };
  }
}
