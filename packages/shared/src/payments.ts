import { z } from 'zod/v4';
import { CREDIT_SECONDS_PER_MINUTE } from './credits';

/** Who takes the money. Each is offered only when its keys are configured. */
export const PAYMENT_PROVIDERS = ['stripe', 'razorpay', 'paypal'] as const;
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/**
 * A payment's life: `pending` until the provider confirms it; `succeeded` once its credits are granted;
 * `review` when the provider's amount or currency differs from the order's (nothing granted, an admin decides);
 * `partially_refunded` / `refunded` / `disputed` after the provider takes money back (and the unused credits with it).
 */
export const PAYMENT_STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'review',
  'partially_refunded',
  'refunded',
  'disputed',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A credit package as sold: the price in the currency's minor unit (cents), never a float. */
export interface CreditPackage {
  id: string;
  name: string;
  minutes: number;
  priceMinor: number;
  /** ISO 4217, lower case as Stripe spells it ("usd"). */
  currency: string;
  /** Saving against the basic package's per-minute price, as sold (0.17 = 17 %). */
  discount: number;
}

/** The seed's packages (prices in US cents); CREDIT_PACKAGES in the env replaces them. */
export const DEFAULT_CREDIT_PACKAGES: readonly CreditPackage[] = [
  { id: 'basic', name: 'Basic', minutes: 60, priceMinor: 2000, currency: 'usd', discount: 0 },
  { id: 'pro', name: 'Pro', minutes: 180, priceMinor: 5000, currency: 'usd', discount: 0.17 },
  { id: 'premium', name: 'Premium', minutes: 600, priceMinor: 15000, currency: 'usd', discount: 0.25 },
];

const packagesSchema = z
  .array(
    z
      .object({
        id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'lower-case letters, digits, _ and -'),
        name: z.string().trim().min(1).max(60),
        minutes: z.number().int().positive().max(1_000_000),
        priceMinor: z.number().int().positive().max(100_000_000),
        currency: z
          .string()
          .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code such as usd')
          .transform((code) => code.toLowerCase()),
        discount: z.number().min(0).max(1).default(0),
      })
      .strict(),
  )
  .min(1)
  .refine((list) => new Set(list.map((pkg) => pkg.id)).size === list.length, 'package ids must be unique');

/**
 * The packages on sale: CREDIT_PACKAGES (JSON) or the seed's three. A bad CREDIT_PACKAGES stops the start with a
 * message naming the field, rather than selling something nobody meant to sell.
 */
export function parseCreditPackages(json: string | undefined): readonly CreditPackage[] {
  if (json === undefined) return DEFAULT_CREDIT_PACKAGES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('CREDIT_PACKAGES is not valid JSON');
  }
  const result = packagesSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`CREDIT_PACKAGES: ${issue?.path.join('.') || '(list)'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Credit-seconds a package grants. */
export function packageCredits(pkg: Pick<CreditPackage, 'minutes'>): number {
  return pkg.minutes * CREDIT_SECONDS_PER_MINUTE;
}

/** The cheapest package granting at least `credits` credit-seconds, or undefined if none is that large. */
export function cheapestPackageCovering(
  packages: readonly CreditPackage[],
  credits: number,
): CreditPackage | undefined {
  return packages
    .filter((pkg) => packageCredits(pkg) >= credits)
    .reduce<CreditPackage | undefined>(
      (best, pkg) => (!best || pkg.priceMinor < best.priceMinor ? pkg : best),
      undefined,
    );
}

/**
 * What a provider told us, after its signature or its API vouched for it. `paid`: the money is captured.
 * `refund`/`dispute`: money went back; `refundId` names the fact (one reversal each, however often reported) and
 * `amountMinor` is either that refund's own amount or, where the provider reports a running sum (Stripe's
 * `charge.refunded`), the total refunded so far.
 */
export type VerifiedPaymentEvent =
  | {
      kind: 'paid';
      provider: PaymentProviderName;
      /** The id our payment row was created with (PaymentIntent, Razorpay order, PayPal order). */
      providerPaymentId: string;
      /** The charge, Razorpay payment or PayPal capture that moved the money (refunds name it). */
      captureId?: string;
      amountMinor: number;
      currency: string;
      via: 'confirm' | 'webhook';
    }
  | {
      kind: 'refund' | 'dispute';
      provider: PaymentProviderName;
      /** At least one of these finds the payment. */
      providerPaymentId?: string;
      captureId?: string;
      refundId: string;
      amountMinor: number;
      amountIs: 'this_refund' | 'total_refunded';
      currency: string;
    };

/** What applying an event did, for the confirm call and the webhook log. */
export interface PaymentEventOutcome {
  /** Undefined when no payment of ours matches the event (a foreign or forged reference): nothing changed. */
  paymentId?: string;
  status?: PaymentStatus;
  /** Credit-seconds this event granted (positive) or took back (negative); 0 on a replay or a review. */
  creditsDelta: number;
  /** True when the event was one already applied: nothing changed. */
  replayed: boolean;
  /** Set when the receipt mail should go out (the first successful grant only). */
  sendReceipt: boolean;
}

export const PAYMENT_EVENT_WORKFLOW_TYPE = 'paymentEventWorkflow';
export type PaymentEventWorkflow = (event: VerifiedPaymentEvent) => Promise<PaymentEventOutcome>;

/**
 * One workflow id per business fact, so Temporal dedupes concurrent signals of it (confirm and webhook, replays):
 * the capture of a payment, or one refund.
 */
export function workflowIdForPaymentEvent(event: VerifiedPaymentEvent): string {
  if (event.kind === 'paid') return `payment-paid-${event.provider}-${event.providerPaymentId}`;
  return `payment-${event.kind}-${event.provider}-${event.refundId}`;
}
