import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { type DataEncryptionKey, type Env, parseDataEncryptionKeys } from '@voice/config';

import { resolveDataEncryptionKeys } from './secrets';

/** A secret as stored: the id of the key that sealed it, beside `base64url(iv ‖ ciphertext ‖ tag)`. */
export interface SealedSecret {
  keyId: string;
  ciphertext: string;
}

const ALGORITHM = 'aes-256-gcm';
// 96-bit IVs are GCM's native size; random per value, so 2^32 seals per key stay far below the collision bound.
const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_VERSION = 'voice-secret-box:v1';

/** Why a sealed value could not be opened; never carries key material or plaintext. */
export class SecretBoxError extends Error {
  constructor(
    readonly code: 'UNKNOWN_KEY' | 'DECRYPT_FAILED',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SecretBoxError';
  }
}

/**
 * Encrypts secrets that must be read back (TOTP secrets, webhook signing secrets, provider credentials) with
 * AES-256-GCM under the current key of a ring; values sealed under an older key still open while that key stays
 * in the ring. The authenticated data binds the key id and a caller-chosen `context` (e.g. table, column and row
 * id), so a ciphertext copied into another row, or relabelled with another key id, fails to open.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  /** The key that seals new values (the ring's first). */
  readonly currentKeyId: string;

  constructor(ring: readonly DataEncryptionKey[]) {
    const [current] = ring;
    if (!current) throw new Error('SecretBox needs at least one key');
    this.currentKeyId = current.id;
    this.keys = new Map(ring.map((entry) => [entry.id, entry.key]));
  }

  /** From DATA_ENCRYPTION_KEY text (see parseDataEncryptionKeys). */
  static fromKeyRing(text: string): SecretBox {
    return new SecretBox(parseDataEncryptionKeys(text));
  }

  seal(plaintext: string, context: string): SealedSecret {
    const keyId = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key(keyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId, ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url') };
  }

  /** @throws SecretBoxError when the key is not in the ring or the value, its key id or its context was altered. */
  open(sealed: SealedSecret, context: string): string {
    const key = this.key(sealed.keyId);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('DECRYPT_FAILED', 'Sealed value is truncated');
    const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(sealed.keyId, context));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError('DECRYPT_FAILED', `Sealed value does not open with key "${sealed.keyId}"`, {
        cause: error,
      });
    }
  }

  /**
   * True when `sealed` was made under an older key of this ring: reseal it on the next write to finish a
   * rotation. False for a key this ring does not hold (a newer key, seen by an instance not yet given it during a
   * rolling deploy): resealing must never move a value back to an older key.
   */
  isStale(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId !== this.currentKeyId && this.keys.has(sealed.keyId);
  }

  private key(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError('UNKNOWN_KEY', `No key "${keyId}" in DATA_ENCRYPTION_KEY`);
    return key;
  }
}

/** JSON-encoded, so no choice of key id and context can collide with another pair. */
function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(JSON.stringify([AAD_VERSION, keyId, context]), 'utf8');
}

/** The process's SecretBox: DATA_ENCRYPTION_KEY, or the generated key under DATA_DIR outside production. */
export async function resolveSecretBox(
  env: Pick<Env, 'DATA_ENCRYPTION_KEY' | 'DATA_DIR' | 'NODE_ENV'>,
): Promise<SecretBox> {
  return SecretBox.fromKeyRing(await resolveDataEncryptionKeys(env));
}
