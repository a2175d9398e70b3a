import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { RateLimiter } from '../../src/auth/rate-limit/rate-limiter';

export interface LimiterUnderTest {
  limiter: RateLimiter;
  dispose(): Promise<void>;
}

/**
 * What every RateLimiter must do, whatever stores its counts (in process, in the database): the API relies on
 * exactly this. `make` gets the clock the limiter must read.
 */
export function rateLimiterContract(name: string, make: (now: () => number) => Promise<LimiterUnderTest | undefined>) {
  describe(`RateLimiter contract: ${name}`, () => {
    let now = 1_000_000;
    let subject: LimiterUnderTest | undefined;
    let prefix = 0;
    // Fresh keys per test, so tests sharing the store never meet.
    const key = (label: string) => `${name}:${++prefix}:${label}`;

    before(async () => {
      subject = await make(() => now);
    });
    after(async () => {
      await subject?.dispose();
    });

    it('allows `limit` attempts per window, counting down, then refuses with when to retry', async (t) => {
      if (!subject) return t.skip('store not available');
      const k = key('count');
      const windowMs = 60_000;
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const decision = await subject.limiter.consume(k, 3, windowMs);
        assert.equal(decision.allowed, true, `attempt ${i + 1}`);
        assert.equal(decision.retryAfterSeconds, 0);
        assert.ok(decision.resetSeconds >= 1 && decision.resetSeconds <= 60, `resetSeconds ${decision.resetSeconds}`);
        remaining.push(decision.remaining);
        now += 1_000;
      }
      assert.deepEqual(remaining, [2, 1, 0]);
      const refused = await subject.limiter.consume(k, 3, windowMs);
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 0);
      // Three attempts 1 s apart from t0; now is t0 + 3 s: the quota is back within the window's rest (57 s).
      assert.equal(refused.retryAfterSeconds, 57);
      assert.equal(refused.resetSeconds, 57);
    });

    it('allows again once the window since the first attempt has passed, and keys are independent', async (t) => {
      if (!subject) return t.skip('store not available');
      const k = key('window');
      for (let i = 0; i < 2; i++) assert.equal((await subject.limiter.consume(k, 2, 10_000)).allowed, true);
      assert.equal((await subject.limiter.consume(k, 2, 10_000)).allowed, false);
      assert.equal((await subject.limiter.consume(key('other'), 2, 10_000)).allowed, true, 'another key');
      now += 10_000;
      const again = await subject.limiter.consume(k, 2, 10_000);
      assert.equal(again.allowed, true);
      assert.equal(again.remaining, 1);
    });

    it('hammering while refused does not push the window further away', async (t) => {
      if (!subject) return t.skip('store not available');
      const k = key('hammer');
      assert.equal((await subject.limiter.consume(k, 1, 20_000)).allowed, true);
      for (let i = 0; i < 5; i++) {
        now += 2_000;
        assert.equal((await subject.limiter.consume(k, 1, 20_000)).allowed, false);
      }
      now += 10_000; // 20 s after the only counted attempt
      assert.equal((await subject.limiter.consume(k, 1, 20_000)).allowed, true);
    });

    it('admits exactly `limit` of many concurrent attempts on one key', async (t) => {
      if (!subject) return t.skip('store not available');
      const k = key('concurrent');
      const { limiter } = subject;
      const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.consume(k, 7, 60_000)));
      assert.equal(decisions.filter((decision) => decision.allowed).length, 7);
      const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining);
      assert.deepEqual(
        [...remaining].sort((a, b) => a - b),
        [0, 1, 2, 3, 4, 5, 6],
        'each admitted attempt saw its own count',
      );
    });
  });
}
