import type { FactoryProvider, ValueProvider } from '@nestjs/common';
import type { Env } from '@voice/config';
import type { Database, DatabaseHandle } from '@voice/db';
import type { SecretBox } from '@voice/runtime';
import type { BlobStorage } from '@voice/storage';

import type { PaymentCatalog } from '../payments/payment-catalog';

import type { RateLimiter } from '../auth/rate-limit/rate-limiter';
import type { ReadinessProbe } from '../health/readiness-probe';

/**
 * An injection token that remembers the type it resolves to. Nest only sees the symbol; the phantom
 * type lets `valueProvider`/`factoryProvider` check at compile time that a provider fits its token.
 */
export type Token<T> = symbol & { readonly __resolvesTo?: T };

export function token<T>(description: string): Token<T> {
  return Symbol(description) as Token<T>;
}

/** The parsed, typed environment. */
export const ENV = token<Env>('ENV');
/** The drizzle database; queries from `@voice/db` take it as their first argument. */
export const DATABASE = token<Database>('DATABASE');
/** The database handle (kind, ping, close); use `DATABASE` for queries. */
export const DATABASE_HANDLE = token<DatabaseHandle>('DATABASE_HANDLE');
/**
 * Blob storage, or null when the process was started without it (auth-only tests). Services that need it
 * call `requireDependency(storage, 'storage')` (common/require-dependency.ts) so a missing dependency answers 503 instead of crashing boot.
 */
export const STORAGE = token<BlobStorage | null>('STORAGE');
/** Extra readiness probes (Temporal, workers); the database probe is built in. */
export const READINESS_PROBES = token<readonly ReadinessProbe[]>('READINESS_PROBES');
/**
 * The one rate limiter every quota uses (auth, MFA, voice uploads, job submissions, API keys); keys are prefixed
 * per quota, so they never mix. By default counted in the database, shared by every API instance.
 */
export const RATE_LIMITER = token<RateLimiter>('RATE_LIMITER');
/**
 * The server secret as text: JWT_SECRET, or the dev secret persisted under DATA_DIR. Signs access tokens
 * (as `JWT_SECRET_KEY`) and the local storage driver's download links.
 */
export const SIGNING_SECRET = token<string>('SIGNING_SECRET');
/** HS256 key bytes for access tokens: the UTF-8 bytes of SIGNING_SECRET. */
export const JWT_SECRET_KEY = token<Uint8Array>('JWT_SECRET_KEY');

/**
 * Seals and opens secrets stored in the database (TOTP secrets, later webhook and provider secrets):
 * DATA_ENCRYPTION_KEY, or the key generated under DATA_DIR outside production.
 */
export const SECRET_BOX = token<SecretBox>('SECRET_BOX');

/**
 * Base URL of the Temporal Web UI for links to a job's run: TEMPORAL_UI_PUBLIC_URL, else the embedded dev server's
 * UI the launcher passed in; null when neither is known (an external cluster without a public UI address).
 */
export const TEMPORAL_UI_URL = token<string | null>('TEMPORAL_UI_URL');

/** The credit packages on sale (CREDIT_PACKAGES or the seed's), for payments and every 402's suggestion. */
export const PAYMENT_CATALOG = token<PaymentCatalog>('PAYMENT_CATALOG');

/** A `useValue` provider whose value is checked against the token's type. */
export function valueProvider<T>(provide: Token<T>, useValue: T): ValueProvider<T> {
  return { provide, useValue };
}

/** A `useFactory` provider whose result is checked against the token's type. */
export function factoryProvider<T, Args extends unknown[]>(
  provide: Token<T>,
  useFactory: (...args: Args) => T | Promise<T>,
  inject: FactoryProvider['inject'] = [],
): FactoryProvider<T> {
  return { provide, useFactory, inject };
}
