import type { User } from '@voice/db';

/**
 * Premium accounts skip the job-submission rate limit, as in the seed. A seam: `users` has no subscription tier yet
 * (tiers are being added alongside). It reads `subscriptionTier` if the row has one, so when that column lands this
 * works unchanged provided premium is spelled 'premium'; until then nobody is premium.
 */
export function isPremium(user: User): boolean {
  return Reflect.get(user, 'subscriptionTier') === 'premium';
}
