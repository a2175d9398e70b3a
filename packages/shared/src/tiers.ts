/** A user's plan; admins set it. Stored in users.subscription_tier. */
export const SUBSCRIPTION_TIERS = ['free', 'premium'] as const;
export type SubscriptionTier = (typeof SUBSCRIPTION_TIERS)[number];
export const DEFAULT_SUBSCRIPTION_TIER: SubscriptionTier = 'free';

/**
 * Temporal task priority of a job's GPU activities, by the owner's tier. Lower keys are dispatched first; the
 * server's range is 1–5 with 3 as the default, so free jobs keep the default and premium jobs go ahead of them
 * in a backlog (a running activity is never pre-empted).
 */
export const GPU_PRIORITY_KEYS: Readonly<Record<SubscriptionTier, number>> = { premium: 1, free: 3 };

/** The GPU priority key of a job; a workflow started before tiers existed (no tier in its input) counts as free. */
export function gpuPriorityKey(tier: SubscriptionTier | undefined): number {
  return GPU_PRIORITY_KEYS[tier ?? DEFAULT_SUBSCRIPTION_TIER];
}
