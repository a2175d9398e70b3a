import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { publicBaseUrl, type Env } from '@voice/config';
import {
  createPendingPayment,
  findPaymentForIdempotencyKey,
  findUserById,
  getPaymentForUser,
  listAllPayments,
  listPaymentsForUser,
  type Database,
  type Payment,
} from '@voice/db';
import {
  PAYMENT_PROVIDERS,
  packageCredits,
  type CreditPackage,
  type PaymentProviderName,
  type PaymentStatus,
} from '@voice/shared';

import { requireVerifiedEmail } from '../auth/verified-email';
import { accountGone, DomainError, notFound } from '../common/domain-error';
import { DATABASE, ENV, PAYMENT_CATALOG } from '../common/tokens';
import type { Idempotency } from '../jobs/idempotency-key.decorator';
import { jobIdForIdempotencyKey } from '../jobs/idempotency-key.decorator';
import type {
  AdminPaymentDto,
  AdminPaymentPageDto,
  AdminPaymentsQuery,
  ConfirmedPaymentDto,
  ConfirmInput,
  CreatedIntentDto,
  CreateIntentInput,
  PackagesDto,
  PaymentDto,
  PaymentHistoryQuery,
  PaymentPageDto,
  WebhookAckDto,
} from './dto/payment.dto';
import { PAYMENT_EVENTS, type PaymentEventsClient } from './payment-events.client';
import type { PaymentCatalog } from './payment-catalog';
import { PAYMENT_PROVIDER_REGISTRY, type PaymentProviderRegistry } from './payment-provider-registry';
import { PaymentEvidenceError } from './providers/provider-errors';
import {
  PaymentProviderError,
  WebhookSignatureError,
  type PaymentClientData,
  type PaymentProvider,
} from './providers/payment-provider';

/** How long confirm waits for the fulfilment workflow before answering with the payment as it stands. */
const CONFIRM_WAIT_MS = 10_000;

/** Statuses in which the package's credits were granted. */
const GRANTED: readonly PaymentStatus[] = ['succeeded', 'partially_refunded', 'refunded', 'disputed'];

const PROVIDER_NAMES: Record<PaymentProviderName, string> = {
  stripe: 'Stripe',
  razorpay: 'Razorpay',
  paypal: 'PayPal',
};

/**
 * Credit packages and their payments. Money is only ever believed when the provider says so: on the confirm path
 * by asking its API, on the webhook path by its signature. Either way the verified event goes to the fulfilment
 * workflow, which grants once per payment however many signals arrive.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger('Payments');

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PAYMENT_CATALOG) private readonly catalog: PaymentCatalog,
    @Inject(PAYMENT_PROVIDER_REGISTRY) private readonly registry: PaymentProviderRegistry,
    @Inject(PAYMENT_EVENTS) private readonly events: PaymentEventsClient,
  ) {}

  listPackages(): PackagesDto {
    return {
      packages: this.catalog.packages.map((pkg) => ({
        ...pkg,
        pricePerMinuteMinor: Math.round((pkg.priceMinor / pkg.minutes) * 100) / 100,
      })),
      providers: PAYMENT_PROVIDERS.map((provider) => {
        const missing = this.registry.unavailable.find((entry) => entry.provider === provider)?.missing ?? [];
        return { provider, available: this.registry.providers.has(provider), missing };
      }),
    };
  }

  /**
   * Records a pending payment and the provider's order for it. With an Idempotency-Key, a retry gets the same
   * payment and order (the key, scoped to this user, is passed on to the provider as the payment's id).
   */
  async createIntent(
    userId: string,
    input: CreateIntentInput,
    idempotency: Idempotency | undefined,
  ): Promise<CreatedIntentDto> {
    const pkg = this.catalog.find(input.packageId);
    if (!pkg) {
      throw new DomainError(
        'UNKNOWN_PACKAGE',
        HttpStatus.BAD_REQUEST,
        `No package "${input.packageId}"; choose one of ${this.catalog.packages.map((known) => known.id).join(', ')}`,
      );
    }
    const provider = this.providerFor(input.provider);
    await requireVerifiedEmail(this.db, userId, 'buy credits');

    const fingerprint = idempotency ? fingerprintOf(idempotency.route, input) : undefined;
    if (idempotency) {
      const earlier = await findPaymentForIdempotencyKey(this.db, userId, idempotency.key);
      if (earlier) return this.replayIntent(earlier, provider, pkg, fingerprint);
    }
    const paymentId = idempotency ? jobIdForIdempotencyKey(userId, `payment:${idempotency.key}`) : randomUUID();
    const base = publicBaseUrl(this.env);
    const order = await this.call(provider, () =>
      provider.createOrder({
        paymentId,
        userId,
        pkg,
        // Scoped by the payment id, which is scoped by the user: two users' equal keys never meet at the provider.
        idempotencyKey: `payment-${paymentId}`,
        returnUrl: `${base}/billing/buy?payment=${paymentId}`,
        cancelUrl: `${base}/billing/buy?payment=${paymentId}&cancelled=1`,
      }),
    );
    const { payment, created } = await createPendingPayment(this.db, {
      id: paymentId,
      userId,
      provider: provider.name,
      providerPaymentId: order.providerPaymentId,
      packageId: pkg.id,
      amountMinor: pkg.priceMinor,
      currency: pkg.currency,
      creditsPurchased: packageCredits(pkg),
      idempotencyKey: idempotency?.key ?? null,
      requestFingerprint: fingerprint ?? null,
      clientData: storableClientData(order.client),
    });
    // A concurrent retry with the same key won the insert: answer with its payment.
    if (!created) return this.replayIntent(payment, provider, pkg, fingerprint);
    return { payment: paymentView(payment), client: order.client };
  }

  /**
   * The client's return path. Asks the provider (never the client) whether the money was taken; if so the
   * fulfilment workflow grants the credits (or finds they were granted already) and the answer carries the
   * balance. A payment the provider has not taken yet answers `paid: false`; the webhook will finish it.
   */
  async confirm(userId: string, input: ConfirmInput): Promise<ConfirmedPaymentDto> {
    let payment = await this.ownPayment(userId, input.paymentId);
    if (payment.status === 'pending') {
      const provider = this.providerFor(payment.provider);
      const verdict = await this.call(provider, () =>
        provider.confirm(payment.providerPaymentId, {
          ...(input.razorpayPaymentId ? { razorpayPaymentId: input.razorpayPaymentId } : {}),
          ...(input.razorpaySignature ? { razorpaySignature: input.razorpaySignature } : {}),
        }),
      );
      if (verdict.paid) {
        const outcome = await this.events.apply(verdict.event, CONFIRM_WAIT_MS);
        if (!outcome) this.logger.warn(`payment ${payment.id}: fulfilment still running after ${CONFIRM_WAIT_MS} ms`);
      }
      payment = await this.ownPayment(userId, input.paymentId);
    }
    const user = await findUserById(this.db, userId);
    if (!user) throw accountGone();
    return { payment: paymentView(payment), balance: user.creditsBalance, paid: GRANTED.includes(payment.status) };
  }

  /**
   * A provider's webhook delivery, verified on its raw body. Each event it carries is handed to the fulfilment
   * workflow before the 200, so a delivery is acknowledged only once nothing can lose it.
   */
  async handleWebhook(
    providerName: PaymentProviderName,
    rawBody: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<WebhookAckDto> {
    const provider = this.providerFor(providerName);
    let events;
    try {
      events = await provider.parseWebhook(rawBody, headers);
    } catch (error) {
      if (error instanceof WebhookSignatureError) {
        this.logger.warn(`${providerName} webhook refused: ${error.message}`);
        throw new DomainError('INVALID_WEBHOOK_SIGNATURE', HttpStatus.BAD_REQUEST, error.message);
      }
      if (error instanceof PaymentProviderError) throw providerUnavailable(error);
      throw error;
    }
    for (const event of events) await this.events.record(event);
    return { received: true, events: events.length };
  }

  async payment(userId: string, paymentId: string): Promise<PaymentDto> {
    return paymentView(await this.ownPayment(userId, paymentId));
  }

  async history(userId: string, query: PaymentHistoryQuery): Promise<PaymentPageDto> {
    const page = await listPaymentsForUser(this.db, userId, {
      limit: query.limit,
      ...(query.before ? { before: new Date(query.before) } : {}),
    });
    return { items: page.payments.map(paymentView), ...(page.nextBefore ? { nextBefore: page.nextBefore } : {}) };
  }

  async adminList(query: AdminPaymentsQuery): Promise<AdminPaymentPageDto> {
    const page = await listAllPayments(this.db, {
      limit: query.limit,
      ...(query.before ? { before: new Date(query.before) } : {}),
      ...(query.status ? { status: query.status } : {}),
    });
    return {
      items: page.payments.map(adminPaymentView),
      ...(page.nextBefore ? { nextBefore: page.nextBefore } : {}),
    };
  }

  private async replayIntent(
    earlier: Payment,
    provider: PaymentProvider,
    pkg: CreditPackage,
    fingerprint: string | undefined,
  ): Promise<CreatedIntentDto> {
    if (earlier.requestFingerprint !== (fingerprint ?? null)) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        HttpStatus.UNPROCESSABLE_ENTITY,
        'This Idempotency-Key was already used with a different request; use a new key for a new request',
      );
    }
    const client = await this.call(provider, () => provider.clientDataFor(earlier.providerPaymentId, pkg));
    return { payment: paymentView(earlier), client };
  }

  private async ownPayment(userId: string, paymentId: string): Promise<Payment> {
    const payment = await getPaymentForUser(this.db, paymentId, userId);
    if (!payment) throw notFound('PAYMENT_NOT_FOUND', `Payment ${paymentId} not found`);
    return payment;
  }

  private providerFor(name: PaymentProviderName): PaymentProvider {
    const provider = this.registry.providers.get(name);
    if (provider) return provider;
    const missing = this.registry.unavailable.find((entry) => entry.provider === name)?.missing ?? [];
    throw new DomainError(
      'PROVIDER_UNAVAILABLE',
      HttpStatus.BAD_REQUEST,
      `${PROVIDER_NAMES[name]} payments are not configured on this server` +
        (missing.length > 0 ? `: set ${missing.join(' and ')}` : ''),
      { details: { provider: name, missing } },
    );
  }

  /** Runs a provider call; its refusals become clear 4xx/502 answers, and nothing secret reaches the client. */
  private async call<T>(provider: PaymentProvider, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof PaymentEvidenceError) {
        throw new DomainError('INVALID_PAYMENT_EVIDENCE', HttpStatus.BAD_REQUEST, error.message);
      }
      if (error instanceof PaymentProviderError) {
        this.logger.warn(`${provider.name}: ${error.message}${error.status ? ` (HTTP ${error.status})` : ''}`);
        throw providerUnavailable(error);
      }
      throw error;
    }
  }
}

function providerUnavailable(error: PaymentProviderError): DomainError {
  return new DomainError(
    'PAYMENT_PROVIDER_ERROR',
    HttpStatus.BAD_GATEWAY,
    `${PROVIDER_NAMES[error.provider]} did not accept the request: ${error.message}`,
  );
}

/** Stripe's rule for an Idempotency-Key: it names one request (route and canonical body). */
function fingerprintOf(route: string, input: CreateIntentInput): string {
  return createHash('sha256')
    .update(JSON.stringify([route, input.packageId, input.provider]))
    .digest('hex');
}

/** The client data minus the client secret, which is never stored (a replay asks the provider again). */
function storableClientData(client: PaymentClientData): Record<string, string | number> {
  const { provider, ...rest } = client;
  const kept: Record<string, string | number> = { provider };
  for (const [key, value] of Object.entries(rest)) {
    if (key !== 'clientSecret' && (typeof value === 'string' || typeof value === 'number')) kept[key] = value;
  }
  return kept;
}

export function paymentView(payment: Payment): PaymentDto {
  return {
    id: payment.id,
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    packageId: payment.packageId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    creditsPurchased: payment.creditsPurchased,
    status: payment.status,
    refundedMinor: payment.refundedMinor,
    disputedMinor: payment.disputedMinor,
    creditsReversed: payment.creditsReversed,
    creditsShortfall: payment.creditsShortfall,
    reviewReason: payment.reviewReason,
    createdAt: payment.createdAt.toISOString(),
    fulfilledAt: payment.fulfilledAt?.toISOString() ?? null,
  };
}

function adminPaymentView(payment: Payment): AdminPaymentDto {
  return { ...paymentView(payment), userId: payment.userId, captureId: payment.captureId };
}
