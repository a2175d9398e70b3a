import { Logger } from '@nestjs/common';
import { countRateLimitAttempt, type Database, sweepRateLimitCounters } from '@voice/db';

import type { RateLimitDecision, RateLimiter } from './rate-limiter';

export interface DatabaseRateLimiterOptions {
  now?: () => number;
  /**
   * Prepended to every key. Production leaves it empty, so all instances share one quota per key; tests give each
   * app its own, so suites sharing one database do not spend each other's quotas.
   */
  namespace?: string;
  /** Sweep ended windows once per this many calls (per instance). */
  sweepEvery?: number;
}

const DEFAULT_SWEEP_EVERY = 500;

/**
 * A RateLimiter whose counters live in the database (`rate_limit_counters`), so every API instance on it shares each
 * quota: one atomic upsert per attempt, no lock held across requests, and PGlite and PostgreSQL alike. Windows are
 * fixed, starting at a key's first attempt (see countRateLimitAttempt): at most `limit` attempts per window, so a
 * client can fit up to twice the limit around a window's end, never more on average.
 */
export class DatabaseRateLimiter implements RateLimiter {
  private readonly logger = new Logger('DatabaseRateLimiter');
  private readonly now: () => number;
  private readonly namespace: string;
  private readonly sweepEvery: number;
  private calls = 0;

  constructor(
    private readonly db: Database,
    options: DatabaseRateLimiterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.namespace = options.namespace ?? '';
    this.sweepEvery = options.sweepEvery ?? DEFAULT_SWEEP_EVERY;
  }

  async consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = new Date(this.now());
    if (++this.calls % this.sweepEvery === 0) await this.sweep(now);
    const { count, resetsAt } = await countRateLimitAttempt(this.db, {
      key: `${this.namespace}${key}`,
      limit,
      windowMs,
      now,
    });
    const resetSeconds = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
    const allowed = count <= limit;
    return {
      allowed,
      remaining: Math.max(0, limit - count),
      retryAfterSeconds: allowed ? 0 : resetSeconds,
      resetSeconds,
    };
  }

  /** Ended windows would restart from zero anyway; deleting them keeps the table to the active keys. */
  private async sweep(now: Date): Promise<void> {
    try {
      await sweepRateLimitCounters(this.db, now);
    } catch (error) {
      // Housekeeping only: the attempt itself must still be counted.
      this.logger.warn(`sweeping rate-limit counters failed: ${String(error)}`);
    }
  }
}
