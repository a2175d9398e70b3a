import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so secret scanners and people can recognise one (and tell it from a JWT). */
export const API_KEY_PREFIX = 'vp_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters carry 256 bits (43 · log2 62 ≈ 256.03). */
const RANDOM_LENGTH = 43;
/** Characters kept for display (`vp_live_ab12`): the prefix plus four random ones, far too few to guess the rest. */
export const API_KEY_DISPLAY_LENGTH = 12;
export const API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH}}$`);

/**
 * A new secret: the prefix and 43 uniformly random base62 characters. Base62 (not base64url) so a double click
 * selects the whole key. Bytes ≥ 248 are dropped, so `byte % 62` has no bias.
 */
export function generateApiKeySecret(): string {
  let random = '';
  while (random.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && random.length < RANDOM_LENGTH) random += ALPHABET[byte % 62];
    }
  }
  return `${API_KEY_PREFIX}${random}`;
}

/**
 * sha256 (hex) of a secret: what is stored and looked up. A fast hash is right here, unlike for passwords: the
 * secret has 256 random bits, so no dictionary or brute force reaches it however fast each guess is, and a slow
 * hash (bcrypt, argon2) would cost CPU on the event loop on every request and could not be looked up by index.
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(0, API_KEY_DISPLAY_LENGTH);
}
