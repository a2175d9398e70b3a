import { loadScript } from './script-loader';

export const RAZORPAY_CHECKOUT_URL = 'https://checkout.razorpay.com/v1/checkout.js';

/** What Checkout's handler receives once the buyer has paid: the evidence POST /api/payment/confirm checks. */
export interface RazorpaySuccess {
  razorpay_payment_id: string;
  razorpay_order_id: string;
  razorpay_signature: string;
}

export interface RazorpayOptions {
  key: string;
  order_id: string;
  amount: number;
  currency: string;
  name: string;
  description: string;
  handler: (response: RazorpaySuccess) => void;
  modal: { ondismiss: () => void };
}

interface RazorpayCheckout {
  open(): void;
  on(event: 'payment.failed', handler: (response: { error?: { description?: string } }) => void): void;
}

type RazorpayConstructor = new (options: RazorpayOptions) => RazorpayCheckout;

/** Loads Razorpay Checkout and opens it on the order; the callbacks report how the buyer left it. */
export async function openRazorpayCheckout(
  options: RazorpayOptions,
  onFailed: (description: string) => void,
): Promise<void> {
  await loadScript(RAZORPAY_CHECKOUT_URL);
  const Checkout = (window as unknown as { Razorpay?: RazorpayConstructor }).Razorpay;
  if (!Checkout) throw new Error('Razorpay Checkout loaded but did not define Razorpay');
  const checkout = new Checkout(options);
  checkout.on('payment.failed', (response) => onFailed(response.error?.description ?? 'The payment failed.'));
  checkout.open();
}
