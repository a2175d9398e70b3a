import * as argon2 from 'argon2';

/**
 * argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane) rather than the library default
 * (64 MiB, 3 passes, 4 lanes): still far beyond GPU-cracking budgets, while a login costs ~50 ms of one
 * core instead of ~4x that, which keeps a burst of sign-ins from starving a small self-hosted box.
 * Hashes record their own parameters, so raising these later keeps existing hashes verifiable.
 */
export const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;
