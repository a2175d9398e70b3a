export interface RateLimitDecision {
  allowed: boolean;
  /** Attempts left in the window after this one (0 when denied). */
  remaining: number;
  /** When denied: seconds until an attempt is allowed again (0 when allowed). */
  retryAfterSeconds: number;
  /** Seconds (at least 1) within which no more than `remaining` further attempts will be allowed: the RateLimit `t`. */
  resetSeconds: number;
}

/**
 * Counts attempts per key. Async so a shared store can implement it: the API's default is DatabaseRateLimiter,
 * whose counters every instance on one database shares. The in-process SlidingWindowRateLimiter only sees its own
 * process (each instance behind a load balancer would grant its own quota); it remains as the reference the
 * contract tests hold the shared store to.
 */
export interface RateLimiter {
  consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;
}

interface Bucket {
  /** Times of the counted attempts, oldest first; never longer than the limit. */
  hits: number[];
  windowMs: number;
}

// How often (in calls) idle buckets are swept, so memory tracks active clients, not every IP ever seen.
const SWEEP_EVERY = 1000;

/**
 * Exact sliding-window log: an attempt is allowed when fewer than `limit` attempts were counted in the
 * last `windowMs`. Denied attempts are not counted, so a client that keeps hammering is unblocked when
 * its window really expires instead of being locked out forever.
 */
export class SlidingWindowRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private calls = 0;

  constructor(private readonly now: () => number = Date.now) {}

  consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = this.now();
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(now);

    const bucket = this.buckets.get(key) ?? { hits: [], windowMs };
    bucket.windowMs = windowMs;
    const cutoff = now - windowMs;
    while (bucket.hits.length > 0 && (bucket.hits[0] ?? now) <= cutoff) bucket.hits.shift();

    if (bucket.hits.length >= limit) {
      const oldest = bucket.hits[bucket.hits.length - limit] ?? now;
      this.buckets.set(key, bucket);
      const retryAfterSeconds = Math.ceil((oldest + windowMs - now) / 1000);
      return Promise.resolve({ allowed: false, remaining: 0, retryAfterSeconds, resetSeconds: retryAfterSeconds });
    }
    bucket.hits.push(now);
    this.buckets.set(key, bucket);
    // The next slot opens when the oldest counted attempt leaves the window.
    const resetSeconds = Math.max(1, Math.ceil(((bucket.hits[0] ?? now) + windowMs - now) / 1000));
    return Promise.resolve({
      allowed: true,
      remaining: limit - bucket.hits.length,
      retryAfterSeconds: 0,
      resetSeconds,
    });
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const newest = bucket.hits[bucket.hits.length - 1];
      if (newest === undefined || newest <= now - bucket.windowMs) this.buckets.delete(key);
    }
  }
}
