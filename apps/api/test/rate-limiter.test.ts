import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { EMAIL_SLOWDOWN_MAX_MS, emailSlowdownMs } from '../src/auth/rate-limit/auth-rate-limit.guard';
import { clientAddressKey } from '../src/auth/rate-limit/client-address';
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
