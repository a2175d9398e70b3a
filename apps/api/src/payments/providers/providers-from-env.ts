import type { Env } from '@voice/config';
import type { PaymentProviderName } from '@voice/shared';

import type { PaymentProvider } from './payment-provider';
import { PayPalPaymentProvider } from './paypal.provider';
import { RazorpayPaymentProvider } from './razorpay.provider';
import { StripePaymentProvider } from './stripe.provider';

type PaymentEnv = Pick<
  Env,
  | 'STRIPE_SECRET_KEY'
  | 'STRIPE_WEBHOOK_SECRET'
  | 'STRIPE_PUBLISHABLE_KEY'
  | 'STRIPE_API_BASE'
  | 'RAZORPAY_KEY_ID'
  | 'RAZORPAY_KEY_SECRET'
  | 'RAZORPAY_WEBHOOK_SECRET'
  | 'RAZORPAY_API_BASE'
  | 'PAYPAL_CLIENT_ID'
  | 'PAYPAL_CLIENT_SECRET'
  | 'PAYPAL_WEBHOOK_ID'
  | 'PAYPAL_API_BASE'
  | 'PAYPAL_MODE'
>;

export interface PaymentProvidersFromEnv {
  /** The providers whose API keys are set; the others are not offered. */
  providers: Map<PaymentProviderName, PaymentProvider>;
  /** Which keys each missing provider lacks (names only), for the startup log and the admin page. */
  unavailable: Array<{ provider: PaymentProviderName; missing: string[] }>;
}

/**
 * Builds a provider for every payment service whose API keys are set. A missing webhook secret does not disable a
 * provider (its webhooks answer 400 until it is set, and the confirm path still works), so it is not listed.
 */
export function paymentProvidersFromEnv(env: PaymentEnv): PaymentProvidersFromEnv {
  const providers = new Map<PaymentProviderName, PaymentProvider>();
  const unavailable: PaymentProvidersFromEnv['unavailable'] = [];
  const missingOf = (keys: ReadonlyArray<keyof PaymentEnv>): string[] => keys.filter((key) => !env[key]);

  const stripeMissing = missingOf(['STRIPE_SECRET_KEY']);
  if (env.STRIPE_SECRET_KEY) {
    providers.set(
      'stripe',
      new StripePaymentProvider({
        secretKey: env.STRIPE_SECRET_KEY,
        webhookSecret: env.STRIPE_WEBHOOK_SECRET,
        publishableKey: env.STRIPE_PUBLISHABLE_KEY,
        apiBase: env.STRIPE_API_BASE,
      }),
    );
  } else unavailable.push({ provider: 'stripe', missing: stripeMissing });

  const razorpayMissing = missingOf(['RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET']);
  if (env.RAZORPAY_KEY_ID && env.RAZORPAY_KEY_SECRET) {
    providers.set(
      'razorpay',
      new RazorpayPaymentProvider({
        keyId: env.RAZORPAY_KEY_ID,
        keySecret: env.RAZORPAY_KEY_SECRET,
        webhookSecret: env.RAZORPAY_WEBHOOK_SECRET,
        apiBase: env.RAZORPAY_API_BASE,
      }),
    );
  } else unavailable.push({ provider: 'razorpay', missing: razorpayMissing });

  const paypalMissing = missingOf(['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET']);
  if (env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET) {
    providers.set(
      'paypal',
      new PayPalPaymentProvider({
        clientId: env.PAYPAL_CLIENT_ID,
        clientSecret: env.PAYPAL_CLIENT_SECRET,
        webhookId: env.PAYPAL_WEBHOOK_ID,
        mode: env.PAYPAL_MODE,
        apiBase: env.PAYPAL_API_BASE,
      }),
    );
  } else unavailable.push({ provider: 'paypal', missing: paypalMissing });

  return { providers, unavailable };
}
