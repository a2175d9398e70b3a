import { HttpStatus } from '@nestjs/common';
import { CREDIT_SECONDS_PER_MINUTE } from '@voice/shared';

import { DomainError } from '../common/domain-error';
import type { PaymentCatalog } from './payment-catalog';

/** "3 min 20 s", "45 s", "2 min": how the web app and mails write credit-seconds. */
export function formatCreditSeconds(seconds: number): string {
  const minutes = Math.floor(seconds / CREDIT_SECONDS_PER_MINUTE);
  const rest = seconds % CREDIT_SECONDS_PER_MINUTE;
  if (minutes === 0) return `${rest} s`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/**
 * The seed's payment gate: 402 naming the shortfall, in minutes as users count them, and the cheapest package
 * that covers it, so the client can offer "Buy credits" at once.
 */
export function insufficientCredits(catalog: PaymentCatalog, required: number, available: number): DomainError {
  const shortfall = Math.max(0, required - available);
  const suggested = catalog.cheapestCovering(shortfall);
  const suggestion = suggested
    ? ` The ${suggested.name} package (${suggested.minutes} min) covers it.`
    : ' No single package covers it; buy more than one.';
  return new DomainError(
    'INSUFFICIENT_CREDITS',
    HttpStatus.PAYMENT_REQUIRED,
    `Not enough credits: this needs ${formatCreditSeconds(required)}, you have ${formatCreditSeconds(available)} ` +
      `(${formatCreditSeconds(shortfall)} short).${suggestion}`,
    {
      details: {
        required,
        available,
        shortfall,
        unit: 'second',
        // Minutes rounded up: what to buy, never less than what is missing.
        shortfallMinutes: Math.ceil(shortfall / CREDIT_SECONDS_PER_MINUTE),
        ...(suggested
          ? {
              suggestedPackage: {
                id: suggested.id,
                name: suggested.name,
                minutes: suggested.minutes,
                priceMinor: suggested.priceMinor,
                currency: suggested.currency,
              },
            }
          : {}),
      },
    },
  );
}
