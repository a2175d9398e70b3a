import type { SubscriptionTier } from '@voice/shared';

/** Premium accounts (set by an admin) skip the job-submission rate limit, as in the seed. */
export function isPremium(tier: SubscriptionTier): boolean {
  return tier === 'premium';
}
