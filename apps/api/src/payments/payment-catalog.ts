import { cheapestPackageCovering, type CreditPackage } from '@voice/shared';

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
