import { createHash, randomInt } from 'node:crypto';

import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app implements it: HMAC-SHA1, 30 s steps, 6 digits. */
export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one: ±30 s of clock drift or typing time, as RFC 6238 §5.2 advises. */
export const TOTP_WINDOW = 1;
/** 160 bits, the HMAC-SHA1 output size RFC 4226 §4 recommends for the shared secret. */
const SECRET_BYTES = 20;

export const RECOVERY_CODE_COUNT = 10;
// Crockford-style base32 without look-alikes (no i, l, o, u): 16 characters carry 80 bits.
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const RECOVERY_CODE_LENGTH = 16;

/** A fresh random TOTP secret, base32 (what the otpauth URI and manual entry use). */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totp(secret: string, issuer = '', label = 'account'): TOTP {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** The `otpauth://totp/Issuer:label?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30` enrolment URI. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totp(secret, issuer, label).toString();
}

/** The time step (counter) a moment falls in. */
export function totpStep(nowMs: number): number {
  return TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: nowMs });
}

/** The code for a moment: for tests and tooling; the API only verifies. */
export function totpCode(secret: string, nowMs: number): string {
  return totp(secret).generate({ timestamp: nowMs });
}

/** Looks like a TOTP code rather than a recovery code. */
export function isTotpCode(code: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code);
}

/**
 * The time step whose code `code` is, within ±TOTP_WINDOW of now, or null. Returning the step (not a
 * boolean) is what lets the caller refuse a code whose step was already used.
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  if (!isTotpCode(code)) return null;
  const delta = totp(secret).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? null : totpStep(nowMs) + delta;
}

/** Ten fresh recovery codes, shown as `xxxx-xxxx-xxxx-xxxx`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: RECOVERY_CODE_LENGTH }, () => RECOVERY_ALPHABET[randomInt(32)] ?? '0');
    return chars.join('').replace(/(.{4})(?=.)/g, '$1-');
  });
}

/** Codes compare without case, spaces or dashes, so a code typed from paper still matches. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/**
 * sha256, not argon2: a slow hash protects low-entropy secrets people choose; an 80-bit random code is out of
 * reach of brute force however fast the hash (2^80 sha256 runs), and a plain digest can be looked up by index
 * in one atomic UPDATE. Online guessing is rate-limited like TOTP codes.
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('hex');
}
