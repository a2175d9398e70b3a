import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CREDIT_PACKAGES, parseCreditPackages } from '@voice/shared';

import { PaymentCatalog } from '../src/payments/payment-catalog';
import { formatCreditSeconds, insufficientCredits } from '../src/payments/payment-gate';

describe('the payment gate and the package catalogue', () => {
  const catalog = new PaymentCatalog(DEFAULT_CREDIT_PACKAGES);

  test('a 402 names the shortfall in minutes and the cheapest package that covers it', () => {
    const error = insufficientCredits(catalog, 200, 80);
    assert.equal(error.status, 402);
    assert.equal(error.code, 'INSUFFICIENT_CREDITS');
    assert.match(error.message, /needs 3 min 20 s, you have 1 min 20 s \(2 min short\)/);
    assert.match(error.message, /Basic package \(60 min\)/);
    assert.deepEqual(error.details, {
      required: 200,
      available: 80,
      shortfall: 120,
      unit: 'second',
      shortfallMinutes: 2,
      suggestedPackage: { id: 'basic', name: 'Basic', minutes: 60, priceMinor: 2000, currency: 'usd' },
    });
    // 61 minutes short: basic is too small, pro is the cheapest that covers it; a part minute rounds up.
    const bigger = insufficientCredits(catalog, 61 * 60 + 1, 0);
    assert.equal((bigger.details as { suggestedPackage: { id: string } }).suggestedPackage.id, 'pro');
    assert.equal((bigger.details as { shortfallMinutes: number }).shortfallMinutes, 62);
    const none = insufficientCredits(catalog, 700 * 60, 0);
    assert.equal((none.details as { suggestedPackage?: unknown }).suggestedPackage, undefined);
    assert.match(none.message, /No single package covers it/);
  });

  test('credit-seconds read as users count them', () => {
    assert.deepEqual([0, 45, 60, 200, 3600].map(formatCreditSeconds), ['0 s', '45 s', '1 min', '3 min 20 s', '60 min']);
  });

  test('CREDIT_PACKAGES replaces the seed packages, and a bad one stops the start with the field named', () => {
    assert.equal(parseCreditPackages(undefined), DEFAULT_CREDIT_PACKAGES);
    const inr = parseCreditPackages(
      JSON.stringify([{ id: 'starter', name: 'Starter', minutes: 30, priceMinor: 49900, currency: 'INR' }]),
    );
    assert.deepEqual(inr, [
      { id: 'starter', name: 'Starter', minutes: 30, priceMinor: 49900, currency: 'inr', discount: 0 },
    ]);
    assert.throws(() => parseCreditPackages('{oops'), /not valid JSON/);
    assert.throws(
      () =>
        parseCreditPackages(JSON.stringify([{ id: 'x', name: 'X', minutes: 10, priceMinor: 9.99, currency: 'usd' }])),
      /CREDIT_PACKAGES: 0\.priceMinor/,
    );
    assert.throws(
      () =>
        parseCreditPackages(
          JSON.stringify([
            { id: 'a', name: 'A', minutes: 1, priceMinor: 1, currency: 'usd' },
            { id: 'a', name: 'B', minutes: 2, priceMinor: 2, currency: 'usd' },
          ]),
        ),
      /unique/,
    );
  });
});
