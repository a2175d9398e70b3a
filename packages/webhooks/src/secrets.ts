import { ensureCallbackSecret, findCallbackSecret, type Database } from '@voice/db';

import { generateWebhookSecret } from './signing';

/** Seals and opens stored secrets (the platform's SecretBox); `context` binds a ciphertext to its row. */
export interface SecretSealer {
  seal(plaintext: string, context: string): { keyId: string; ciphertext: string };
  open(sealed: { keyId: string; ciphertext: string }, context: string): string;
}

/** The sealing context of an endpoint's secret, and of a user's callback secret (see the db schema). */
export const endpointSecretContext = (endpointId: string) => `webhook_endpoints.secret:${endpointId}`;
export const callbackSecretContext = (userId: string) => `webhook_callback_secrets.secret:${userId}`;

/**
 * The user's callback secret, made on first use by whichever side gets there first (the Developer page or the
 * first callback delivery): the insert keeps the first one stored.
 */
export async function callbackSecretFor(db: Database, secrets: SecretSealer, userId: string): Promise<string> {
  const context = callbackSecretContext(userId);
  let stored = await findCallbackSecret(db, userId);
  if (!stored) {
    const sealed = secrets.seal(generateWebhookSecret(), context);
    stored = await ensureCallbackSecret(db, userId, { secretKeyId: sealed.keyId, secretCiphertext: sealed.ciphertext });
  }
  return secrets.open({ keyId: stored.secretKeyId, ciphertext: stored.secretCiphertext }, context);
}
