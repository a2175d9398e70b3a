/**
 * @voice/db: schema, committed migrations, the client (PGlite or PostgreSQL) and queries as plain
 * functions `(db, args)`. Credits are integer credit-seconds in an append-only ledger.
 */
export * from './schema';
export * from './client';
export * from './errors';
export * from './queries/users';
export * from './queries/refresh-tokens';
export * from './queries/account-tokens';
export * from './queries/jobs';
export * from './queries/credits';
export * from './queries/voices';
export * from './queries/mfa';
export * from './queries/admin';
export * from './queries/api-keys';
export * from './queries/rate-limits';
export * from './queries/usage';
export * from './queries/account-data';
export * from './queries/payments';
export * from './queries/webhooks';
export * from './queries/operations';
export * from './queries/retention';
