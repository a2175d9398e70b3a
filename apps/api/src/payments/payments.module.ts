import { Module } from '@nestjs/common';

import { ENV, factoryProvider } from '../common/tokens';
import { PAYMENT_PROVIDER_REGISTRY } from './payment-provider-registry';
import { AdminPaymentsController, PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { paymentProvidersFromEnv } from './providers/providers-from-env';

/** Credit packages through Stripe, Razorpay and PayPal; fulfilment runs in Temporal (payment.workflow.ts). */
@Module({
  controllers: [PaymentsController, AdminPaymentsController],
  providers: [PaymentsService, factoryProvider(PAYMENT_PROVIDER_REGISTRY, paymentProvidersFromEnv, [ENV])],
})
export class PaymentsModule {}
