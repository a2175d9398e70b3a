export type { FakeDelivery } from './fake-http';
export {
  FakePayPal,
  type FakePayPalOptions,
  type PayPalCaptureStatus,
  type PayPalLink,
  type PayPalMoney,
} from './fake-paypal';
export {
  FakeRazorpay,
  type FakeRazorpayOptions,
  type RazorpayOrderEntity,
  type RazorpayPaymentEntity,
  type RazorpayPaymentStatus,
  type RazorpayRefundEntity,
} from './fake-razorpay';
