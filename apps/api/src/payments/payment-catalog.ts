import { DEFAULT_CREDIT_PACKAGES, cheapestPackageCovering, type CreditPackage } from '@voice/shared';
import { z } from 'zod/v4';

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

export class PaymentCatalog {
  constructor(readonly packages: readonly CreditPackage[]) {}

  find(id: string): CreditPackage | undefined {
    return this.packages.find((pkg) => pkg.id === id);
  }

  /** The cheapest package that covers `credits` credit-seconds (the 402's suggestion). */
  cheapestCovering(credits: number): CreditPackage | undefined {
    return cheapestPackageCovering(this.packages, credits);
  }
}
