import type { User } from '@voice/db';

/** Premium accounts (set by an admin) skip the job-submission rate limit, as in the seed. */
export function isPremium(user: User): boolean {
  return user.subscriptionTier === 'premium';
}
