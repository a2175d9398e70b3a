import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';

import * as argon2 from 'argon2';

import { PASSWORD_HASH_OPTIONS } from '../src/auth/auth.service';
import { createAccount, newAccount, request, startTestApi, type TestApi } from './helpers/test-api';

/**
 * Timing equality, measured robustly on a shared, noisy machine:
 * - CPU time of this process (argon2 runs on its thread pool, PGlite in-process), which other processes' load
 *   barely moves, proves the hash work is done on both paths of each endpoint;
 * - wall-clock medians are compared only within a generous factor.
 * Each file runs in its own process and its tests one at a time, so the CPU delta of a request is that request's.
 */
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Cost {
  cpuMs: number;
  wallMs: number;
}

async function measure(action: () => Promise<unknown>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await action();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs };
}

/** Median CPU of one argon2 hash with the service's parameters: the unit of "hash work". */
async function referenceHashCpuMs(): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push((await measure(() => argon2.hash(randomBytes(12).toString('hex'), PASSWORD_HASH_OPTIONS))).cpuMs);
  }
  return median(samples);
}

/** Runs both paths RUNS times, interleaved so drifts in machine load hit both alike; returns their medians. */
async function compare(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: Cost; b: Cost }> {
  const costs: { a: Cost[]; b: Cost[] } = { a: [], b: [] };
  for (let i = 0; i < RUNS; i++) {
    costs.a.push(await measure(a));
    costs.b.push(await measure(b));
  }
  const summary = (list: Cost[]): Cost => ({
    cpuMs: median(list.map((cost) => cost.cpuMs)),
    wallMs: median(list.map((cost) => cost.wallMs)),
  });
  return { a: summary(costs.a), b: summary(costs.b) };
}

function assertEquallyCostly(t: TestContext, label: string, costs: { a: Cost; b: Cost }, hashCpuMs: number): void {
  const text = `${label}: ${JSON.stringify(costs)}, one hash ${hashCpuMs.toFixed(1)} ms CPU`;
  t.diagnostic(text);
  // Each path does the hash work (at least most of one hash's CPU)...
  assert.ok(costs.a.cpuMs >= 0.6 * hashCpuMs, text);
  assert.ok(costs.b.cpuMs >= 0.6 * hashCpuMs, text);
  // ...and not twice of it; wall time agrees within a factor a noisy machine cannot plausibly exceed.
  assert.ok(Math.max(costs.a.cpuMs, costs.b.cpuMs) / Math.min(costs.a.cpuMs, costs.b.cpuMs) < 1.6, text);
  assert.ok(Math.max(costs.a.wallMs, costs.b.wallMs) / Math.min(costs.a.wallMs, costs.b.wallMs) < 3, text);
}

describe('auth timing: no email is told apart by how long the answer takes', () => {
  let api: TestApi;
  let hashCpuMs: number;
  before(async () => {
    api = await startTestApi();
    hashCpuMs = await referenceHashCpuMs();
  });
  after(async () => {
    await api.close();
  });

  it('the first login after start costs one hash like any other (the decoy hash is made at start, not then)', async (t) => {
    // Only one first login per app, so a few fresh apps; minima, because noise (GC, PGlite) only ever adds CPU.
    const firsts: number[] = [];
    const later: number[] = [];
    for (let app = 0; app < 3; app++) {
      const fresh = await startTestApi();
      try {
        // Registering (and verifying) warms the request path (body parsing, validation, the database) but makes no decoy.
        const account = await createAccount(fresh);
        const unknown = { body: { email: `first-unknown-${app}@example.com`, password: 'guess' } };
        firsts.push((await measure(() => request(fresh, 'POST', '/api/auth/login', unknown))).cpuMs);
        const wrongPassword = { body: { email: account.email, password: 'wrong password' } };
        for (let i = 0; i < 3; i++) {
          later.push((await measure(() => request(fresh, 'POST', '/api/auth/login', unknown))).cpuMs);
          later.push((await measure(() => request(fresh, 'POST', '/api/auth/login', wrongPassword))).cpuMs);
        }
      } finally {
        await fresh.close();
      }
    }
    const text = `first logins ${JSON.stringify(firsts)} ms CPU, later ones ${JSON.stringify(later)}`;
    t.diagnostic(text);
    // A decoy made lazily costs the first login a hash on top of its verify (about twice the CPU).
    assert.ok(Math.min(...firsts) < 1.5 * Math.min(...later), text);
    assert.ok(Math.min(...firsts) >= 0.6 * hashCpuMs, text);
  });

  it('login: an unknown email costs the same hash work and time as a known email with a wrong password', async (t) => {
    const account = await createAccount(api);
    const costs = await compare(
      () => request(api, 'POST', '/api/auth/login', { body: { email: account.email, password: 'not it at all' } }),
      () =>
        request(api, 'POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'not it at all' } }),
    );
    assertEquallyCostly(t, 'known vs unknown email', costs, hashCpuMs);
  });

  it('register: an existing email costs the same hash work and time as a new one, and gets the same 202', async (t) => {
    const account = await createAccount(api);
    const statuses: number[] = [];
    const costs = await compare(
      async () => statuses.push((await request(api, 'POST', '/api/auth/register', { body: newAccount() })).status),
      async () => statuses.push((await request(api, 'POST', '/api/auth/register', { body: account })).status),
    );
    assert.deepEqual(new Set(statuses), new Set([202]));
    assertEquallyCostly(t, 'new vs existing email', costs, hashCpuMs);
  });
});
