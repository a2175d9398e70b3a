import { loadScript } from './script-loader';

export const STRIPE_JS_URL = 'https://js.stripe.com/v3';

/** The slice of Stripe.js (v3) the Payment Element flow uses. */
export interface StripePaymentElement {
  mount(element: HTMLElement): void;
  destroy(): void;
  on(event: 'ready', handler: () => void): void;
}

export interface StripeElements {
  create(type: 'payment', options?: { layout?: 'tabs' | 'accordion' }): StripePaymentElement;
}

export interface StripeConfirmResult {
  error?: { type?: string; message?: string };
  paymentIntent?: { id: string; status: string };
}

export interface StripeJs {
  elements(options: { clientSecret: string }): StripeElements;
  confirmPayment(options: {
    elements: StripeElements;
    redirect: 'if_required';
    confirmParams: { return_url: string };
  }): Promise<StripeConfirmResult>;
}

type StripeFactory = (publishableKey: string) => StripeJs;

/** Loads Stripe.js from js.stripe.com and opens it with the server's publishable key. */
export async function loadStripe(publishableKey: string): Promise<StripeJs> {
  await loadScript(STRIPE_JS_URL);
  const factory = (window as unknown as { Stripe?: StripeFactory }).Stripe;
  if (!factory) throw new Error('Stripe.js loaded but did not define Stripe');
  return factory(publishableKey);
}
