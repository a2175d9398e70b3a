import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { SlidingWindowRateLimiter } from '../src/auth/rate-limit/rate-limiter';

describe('SlidingWindowRateLimiter', () => {
  it('allows `limit` attempts per sliding window and reports when the next slot opens', async () => {
    let now = 0;
    const limiter = new SlidingWindowRateLimiter(() => now);
    const windowMs = 10_000;
    for (const t of [0, 1000, 2000]) {
      now = t;
      assert.equal((await limiter.consume('k', 3, windowMs)).allowed, true);
    }
    now = 5000;
    assert.deepEqual(await limiter.consume('k', 3, windowMs), { allowed: false, remaining: 0, retryAfterSeconds: 5 });
    now = 10_000; // the attempt at t=0 left the window
    assert.deepEqual(await limiter.consume('k', 3, windowMs), { allowed: true, remaining: 0, retryAfterSeconds: 0 });
    assert.equal((await limiter.consume('k', 3, windowMs)).allowed, false);
    assert.equal((await limiter.consume('other', 3, windowMs)).allowed, true, 'keys are independent');
  });

  it('forgets idle keys so memory follows active clients', async () => {
    let now = 0;
    const limiter = new SlidingWindowRateLimiter(() => now);
    for (let i = 0; i < 999; i++) await limiter.consume(`ip-${i}`, 5, 1000);
    assert.equal(limiter.size, 999);
    now = 5000;
    await limiter.consume('fresh', 5, 1000); // the 1000th call sweeps
    assert.equal(limiter.size, 1);
  });
});
