import type { Env } from '@voice/config';
import { resolveSigningSecret } from '@voice/runtime';

/** The HS256 key bytes: the UTF-8 encoding of the shared signing secret (see @voice/runtime). */
export async function resolveJwtSecret(env: Pick<Env, 'JWT_SECRET' | 'DATA_DIR'>): Promise<Uint8Array> {
  return new TextEncoder().encode(await resolveSigningSecret(env));
}
