import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rateLimitCounters } from '@voice/db';
import { eq, like } from 'drizzle-orm';

import { EMAIL_SLOWDOWN_MAX_MS, emailSlowdownMs } from '../src/auth/rate-limit/auth-rate-limit.guard';
import { clientAddressKey } from '../src/auth/rate-limit/client-address';
import { DatabaseRateLimiter } from '../src/auth/rate-limit/database-rate-limiter';
import { policyItem, serviceLimitItem } from '../src/auth/rate-limit/rate-limit-policy';
import { SlidingWindowRateLimiter } from '../src/auth/rate-limit/rate-limiter';
import { TEST_DATABASES } from './helpers/postgres';
import { rateLimiterContract } from './helpers/rate-limiter-contract';

rateLimiterContract('in-process sliding window', async (now) => ({
  limiter: new SlidingWindowRateLimiter(now),
  dispose: async () => undefined,
}));
for (const store of TEST_DATABASES) {
  rateLimiterContract(`database (${store.label})`, async (now) => {
    const database = await store.open();
    if (!database) return undefined;
    return { limiter: new DatabaseRateLimiter(database.handle.db, { now }), dispose: () => database.dispose() };
  });
}

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
    assert.deepEqual(await limiter.consume('k', 3, windowMs), {
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 5,
      resetSeconds: 5,
    });
    now = 10_000; // the attempt at t=0 left the window
    assert.deepEqual(await limiter.consume('k', 3, windowMs), {
      allowed: true,
      remaining: 0,
      retryAfterSeconds: 0,
      resetSeconds: 1, // the attempt at t=1000 leaves next
    });
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

for (const store of TEST_DATABASES) {
  describe(`DatabaseRateLimiter (${store.label})`, () => {
    it('two limiters on one database share each quota; namespaces keep apart what they name', async (t) => {
      const database = await store.open();
      if (!database) return t.skip('no PostgreSQL on this runner');
      try {
        const now = () => 5_000_000;
        const a = new DatabaseRateLimiter(database.handle.db, { now });
        const b = new DatabaseRateLimiter(database.handle.db, { now });
        const results = [];
        for (let i = 0; i < 6; i++) results.push((await (i % 2 === 0 ? a : b).consume('shared', 4, 60_000)).allowed);
        assert.deepEqual(results, [true, true, true, true, false, false]);
        const isolated = new DatabaseRateLimiter(database.handle.db, { now, namespace: 'suite-x:' });
        assert.equal((await isolated.consume('shared', 4, 60_000)).allowed, true);
        const [row] = await database.handle.db
          .select()
          .from(rateLimitCounters)
          .where(eq(rateLimitCounters.key, 'shared'));
        assert.equal(row?.count, 5, 'refusals stop counting one past the limit');
      } finally {
        await database.dispose();
      }
    });

    it('sweeps ended windows every `sweepEvery` calls, keeping live ones', async (t) => {
      const database = await store.open();
      if (!database) return t.skip('no PostgreSQL on this runner');
      try {
        let now = 0;
        const limiter = new DatabaseRateLimiter(database.handle.db, { now: () => now, sweepEvery: 4 });
        await limiter.consume('sweep:short-1', 5, 1_000);
        await limiter.consume('sweep:short-2', 5, 1_000);
        await limiter.consume('sweep:long', 5, 60_000);
        now = 2_000;
        await limiter.consume('sweep:new', 5, 1_000); // the 4th call sweeps first
        const keys = await database.handle.db
          .select({ key: rateLimitCounters.key })
          .from(rateLimitCounters)
          .where(like(rateLimitCounters.key, 'sweep:%'));
        assert.deepEqual(keys.map((row) => row.key).sort(), ['sweep:long', 'sweep:new']);
      } finally {
        await database.dispose();
      }
    });
  });
}

describe('RateLimit header items (draft-ietf-httpapi-ratelimit-headers-11)', () => {
  it('names the policy as a String with q and w, and the service limit with r and t', () => {
    const policy = { name: 'job-submit', limit: 10, windowSeconds: 60 };
    assert.equal(policyItem(policy), '"job-submit";q=10;w=60');
    assert.equal(
      serviceLimitItem(policy, { allowed: true, remaining: 7, retryAfterSeconds: 0, resetSeconds: 42 }),
      '"job-submit";r=7;t=42',
    );
    // A refusal's t is its Retry-After, never earlier.
    assert.equal(
      serviceLimitItem(policy, { allowed: false, remaining: 0, retryAfterSeconds: 13, resetSeconds: 13 }),
      '"job-submit";r=0;t=13',
    );
  });
});

describe('emailSlowdownMs', () => {
  it('is zero up to the threshold, then 250 ms doubling per attempt up to 8 s, where it stays', () => {
    const delays = Array.from({ length: 10 }, (_, index) => emailSlowdownMs(index + 1, 3));
    assert.deepEqual(delays, [0, 0, 0, 250, 500, 1000, 2000, 4000, 8000, 8000]);
    assert.equal(emailSlowdownMs(1000, 3), EMAIL_SLOWDOWN_MAX_MS);
  });
});

describe('clientAddressKey', () => {
  it('counts IPv4 per address, IPv4-mapped IPv6 as its IPv4 address', () => {
    assert.equal(clientAddressKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientAddressKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientAddressKey(undefined), 'unknown');
  });

  it('counts IPv6 per /64, however the address is written', () => {
    const key = clientAddressKey('2001:db8:0:1::1');
    assert.equal(key, '2001:db8:0:1::/64');
    assert.equal(clientAddressKey('2001:0db8:0000:0001:ffff:ffff:ffff:fffe'), key);
    assert.equal(clientAddressKey('2001:db8::1:0:0:0:2%eth0'), key, 'zone index dropped, "::" expanded');
    assert.notEqual(clientAddressKey('2001:db8:0:2::1'), key, 'the next /64 is another client');
    assert.equal(clientAddressKey('1::2:3:4:5:6.7.8.9'), '1:0:2:3::/64', 'a dotted tail is two groups');
  });
});
