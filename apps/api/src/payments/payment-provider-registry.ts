import type { PaymentProviderName } from '@voice/shared';

import { token } from '../common/tokens';
import type { PaymentProvider } from './providers/payment-provider';

/** The configured providers, and for the others the variables that would configure them. */
export interface PaymentProviderRegistry {
  providers: ReadonlyMap<PaymentProviderName, PaymentProvider>;
  unavailable: ReadonlyArray<{ provider: PaymentProviderName; missing: string[] }>;
}

export const PAYMENT_PROVIDER_REGISTRY = token<PaymentProviderRegistry>('PAYMENT_PROVIDER_REGISTRY');
